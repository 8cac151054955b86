import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseRenderLayout, RENDER_LAYOUT_MARKER, renderLayoutSnippet, viewFileNames, type RenderLayout } from './render-layout.js';
import { missingLayerImage, viewsMismatch } from './render-layout-check.js';

const stereo: RenderLayout = { layers: ['ViewLayer'], extraLayers: [], views: [{ name: 'left', suffix: '_L' }, { name: 'right', suffix: '_R' }], viewFiles: 'each' };

test('a view\'s file takes its suffix before the extension, as Blender names it', () => {
  assert.deepEqual(viewFileNames('shot_0001.png', ['_L', '_R']), ['shot_0001_L.png', 'shot_0001_R.png']);
  assert.deepEqual(viewFileNames('passes/a.b/shot_0001', ['_L']), ['passes/a.b/shot_0001_L']);
  assert.deepEqual(viewFileNames('shot_0001.png', undefined), ['shot_0001.png']);
});

test('the step\'s layout line is read back; any other line or malformed JSON is not a layout', () => {
  const line = `${RENDER_LAYOUT_MARKER}{"layers": ["ViewLayer", "B"], "extraLayers": [{"name": "B", "folder": "B"}], "views": [], "viewFiles": "one"}`;
  assert.deepEqual(parseRenderLayout(line), { layers: ['ViewLayer', 'B'], extraLayers: [{ name: 'B', folder: 'B' }], views: [], viewFiles: 'one' });
  assert.equal(parseRenderLayout('Saved: x.png'), null);
  assert.equal(parseRenderLayout(`${RENDER_LAYOUT_MARKER}{not json`), null);
  // The output folder loses its trailing slash; the data travels as one Python string literal.
  assert.ok(renderLayoutSnippet({ outputDir: '/w/out/', outputName: 'shot', format: 'PNG' }).includes(JSON.stringify(JSON.stringify({ out: '/w/out', name: 'shot', format: 'PNG' }))));
});

test('the views Blender saves must be the ones the job expected, else one sentence and no retry', () => {
  assert.equal(viewsMismatch(stereo, ['_L', '_R']), null);
  assert.equal(viewsMismatch({ ...stereo, viewFiles: 'one' }, undefined), null);
  assert.equal(viewsMismatch(stereo, undefined),
    'Blender saves each view to its own file (suffixes _L, _R) for this scene but the job expected one file per frame; submit the job again so the controller reads the scene\'s views anew.');
  assert.equal(viewsMismatch({ ...stereo, viewFiles: 'one' }, ['_L', '_R']),
    'Blender saves one file per frame for this scene but the job expected one file per view (suffixes _L, _R); submit the job again so the controller reads the scene\'s views anew.');
});

test('every extra view layer\'s image of every frame (and view) must be there and not empty', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fh-layout-'));
  try {
    const layout: RenderLayout = { ...stereo, layers: ['ViewLayer', 'Extra Layer'], extraLayers: [{ name: 'Extra Layer', folder: 'Extra_Layer' }] };
    await mkdir(join(dir, 'passes/Extra_Layer'), { recursive: true });
    await writeFile(join(dir, 'passes/Extra_Layer/shot_0001_L.png'), 'x');
    await writeFile(join(dir, 'passes/Extra_Layer/shot_0001_R.png'), '');
    assert.equal(await missingLayerImage({ layout, workDir: dir, frameNames: ['shot_0001.png'] }),
      'Blender did not save the view layer "Extra Layer" as passes/Extra_Layer/shot_0001_R.png; the frame is rendered again.');
    await writeFile(join(dir, 'passes/Extra_Layer/shot_0001_R.png'), 'x');
    assert.equal(await missingLayerImage({ layout, workDir: dir, frameNames: ['shot_0001.png'] }), null);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
