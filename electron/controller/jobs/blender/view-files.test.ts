import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SceneInfo } from '../../api/views.js';
import { SceneError } from './scene-error.js';
import { oneViewVideoWarning, viewSuffixesOf } from './view-files.js';

const info = (viewFiles?: SceneInfo['viewFiles']): SceneInfo => ({
  frameStart: 1, frameEnd: 2, frameStep: 1, fps: 24, resolution: [64, 48], engine: 'CYCLES', fileFormat: 'PNG',
  outputPath: '/tmp/', camera: 'Camera', scenes: ['Scene'], ...(viewFiles ? { viewFiles } : {}),
});

test('a scene saving each view to its own file gives its tasks the views\' suffixes; one file per frame gives none', () => {
  assert.deepEqual(viewSuffixesOf(info([{ name: 'left', suffix: '_L' }, { name: 'right', suffix: '_R' }])), ['_L', '_R']);
  assert.equal(viewSuffixesOf(info()), undefined);
  assert.equal(viewSuffixesOf(null), undefined);
});

test('a view suffix that cannot be part of a file name, or two views with one suffix, refuse the submit with the fix', () => {
  assert.throws(() => viewSuffixesOf(info([{ name: 'left', suffix: '_L' }, { name: 'right', suffix: '/R' }])), (error: unknown) => error instanceof SceneError
    && error.message === 'The scene\'s view "right" has the file suffix "/R", which cannot be part of a file name here; in Blender\'s Stereoscopy panel give it a suffix of letters, digits, \'.\', \'_\' or \'-\' (such as "_L").');
  assert.throws(() => viewSuffixesOf(info([{ name: 'left', suffix: '' }, { name: 'right', suffix: '_R' }])), SceneError);
  assert.throws(() => viewSuffixesOf(info([{ name: 'a', suffix: '_X' }, { name: 'b', suffix: '_X' }])), (error: unknown) => error instanceof SceneError
    && error.message === 'Two of the scene\'s views have the file suffix "_X", so Blender would save one over the other; give each view its own suffix in Blender\'s Stereoscopy panel.');
});

test('a video of such a scene says which view it shows', () => {
  assert.equal(oneViewVideoWarning(info([{ name: 'left', suffix: '_L' }, { name: 'right', suffix: '_R' }])),
    'The scene saves each stereo view to its own file, so the video is made from the left view (_L files) only; every view\'s frames are in the output folder.');
});
