import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SceneInfo } from '../../api/views.js';
import { readFrameList } from '../frame-list.js';
import { compileBlenderJob, type BlenderJobSettings } from './blender-job.js';

const info = (o: Partial<SceneInfo> = {}): SceneInfo => ({
  frameStart: 1, frameEnd: 24, frameStep: 1, fps: 24, resolution: [95, 63], engine: 'CYCLES', fileFormat: 'PNG',
  outputPath: '/tmp/render/', camera: 'Camera', scenes: ['Scene'], ...o,
});
const compile = (settings: Partial<BlenderJobSettings>, sceneInfo: SceneInfo | null = info()) => compileBlenderJob(
  { scenePath: '/p/shot.blend', outputDir: '/out', frames: readFrameList('12'), tiles: 4, ...settings },
  { scene: { name: 'shot.blend', sha256: 'a'.repeat(64), size: 10 }, scenePath: '/p/shot.blend', sceneInfo, agentCount: 2 },
);

test('a tiled still is one task per region and a merge that depends on all of them', () => {
  const job = compile({});
  assert.equal(job.tasks.length, 5);
  const tiles = job.tasks.slice(0, 4);
  const merge = job.tasks[4]!;
  for (const [i, t] of tiles.entries()) {
    assert.equal(t.spec.type, 'blender');
    assert.equal(t.intermediate, true, 'tiles go to the work folder');
    if (t.spec.type !== 'blender') continue;
    assert.deepEqual(t.spec.frames, [12]);
    assert.equal(t.spec.outputName, `shot_tile${i + 1}`);
    assert.equal(t.spec.region?.frameWidth, 95);
    assert.equal(t.spec.region?.frameHeight, 63);
  }
  assert.equal(tiles[0]!.label, 'tile 1/4 (x 0–46, y 0–30)');
  assert.deepEqual(merge.dependsOn, tiles.map((t) => t.id));
  assert.equal(merge.inputsFromDependencies, true);
  assert.equal(merge.label, 'merge 2×2 tiles');
  assert.deepEqual(merge.spec, {
    type: 'tiles-merge', frameWidth: 95, frameHeight: 63, frameExt: 'png', frame: 12, outputName: 'shot_0012.png',
    tiles: [{ x: 0, y: 0, width: 47, height: 31 }, { x: 47, y: 0, width: 48, height: 31 }, { x: 0, y: 31, width: 47, height: 32 }, { x: 47, y: 31, width: 48, height: 32 }],
  });
  // The first tile renders its region and a 16 px margin, inside the frame.
  assert.deepEqual(tiles[0]!.spec.type === 'blender' && tiles[0]!.spec.region, { x: 0, y: 0, width: 63, height: 47, frameWidth: 95, frameHeight: 63 });
  assert.equal(job.settings.adaptiveChunks, undefined, 'tiles are never re-planned into chunks');
  assert.equal(job.warnings, undefined, 'a Cycles still has no submit warning (the agents report the denoiser and compositor)');
});

test('an EXR still merges to EXR; an EEVEE still carries the job warning', () => {
  const merge = compile({ format: 'OPEN_EXR' }).tasks.at(-1)!.spec;
  assert.equal(merge.type === 'tiles-merge' ? `${merge.outputName} ${merge.frameExt}` : merge.type, 'shot_0012.exr exr');
  const eevee = compile({ engine: 'BLENDER_EEVEE' });
  assert.deepEqual(eevee.warnings, ['Tiles: EEVEE\'s screen-space effects (bloom, ambient occlusion, reflections, depth of field, motion blur) read neighbouring pixels, so the merged frame can differ from a whole render near region edges; render EEVEE stills whole.']);
});

test('what cannot be tiled exactly is refused with one sentence naming the fix', () => {
  const refuses = (settings: Partial<BlenderJobSettings>, message: string, sceneInfo?: SceneInfo | null) =>
    assert.throws(() => compile(settings, sceneInfo === undefined ? info() : sceneInfo), (e: Error) => e.message === message);
  refuses({ frames: readFrameList('1-3') }, 'Tiles split one still frame, but the job has 3 frames; give a single frame (e.g. 12) or leave tiles out.');
  refuses({ format: 'JPEG' }, 'Tiles are merged exactly only from PNG or single-layer OpenEXR frames, not JPEG; render the still with format PNG or OPEN_EXR.');
  refuses({ format: 'OPEN_EXR_MULTILAYER' }, 'Tiles are merged exactly only from PNG or single-layer OpenEXR frames, not OPEN_EXR_MULTILAYER; render the still with format PNG or OPEN_EXR.');
  refuses({ video: true }, 'A tiled still is one frame and cannot be encoded to video; leave out either video or tiles.');
  refuses({ tiles: 9 }, 'The frame is 2×2 pixels, too small for 9 tiles; choose fewer tiles.', info({ resolution: [2, 2] }));
  refuses({ tiles: 65 }, 'Invalid tiles: Too big: expected number to be <=64.');
  refuses({}, 'A stereo scene saving one file per view cannot be tiled; render its still whole (leave tiles out).', info({ viewFiles: [{ name: 'left', suffix: '_L' }, { name: 'right', suffix: '_R' }] }));
});
