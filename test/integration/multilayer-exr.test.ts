import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { findBlender } from '../../electron/controller/jobs/blender/find-blender.js';
import { runBlenderTask, type BlenderRunOptions } from '../../node-agent/runners/blender-runner.js';
import { readExrHeader } from '../../node-agent/runners/exr-header.js';
import { multilayerProblem } from '../../node-agent/runners/render-layout-check.js';
import { TaskFailedError } from '../../node-agent/runners/task-errors.js';
import { makeScratchDir } from '../helpers/scratch.js';
import { makeViewsScene, renderDirect } from '../helpers/views-scenes.js';

/**
 * Issue 16, "every output comes back", multilayer EXR: a frame must hold every view layer the
 * scene renders (and, saved as one multi-view file, every view). The agent reads the channel
 * list from the EXR header Blender wrote and fails the attempt, naming the missing layer, when
 * one is absent. Header reading is proved on files Blender 3.4.1 wrote; the failing case is a
 * real EXR of a scene whose second layer is switched off, held to a list that names it, and a
 * render whose layer is switched off by a render_pre handler after the step listed it.
 */

let scratch: { dir: string; cleanup: () => Promise<void> };
let home: string;
let layers: string;

before(async () => {
  if (!findBlender()) throw new Error('Blender is not installed: apt-get install -y blender');
  scratch = await makeScratchDir('fh-multilayer-exr');
  home = join(scratch.dir, 'home');
  layers = await makeViewsScene(join(scratch.dir, 'scenes'), 'layers', home);
});

after(async () => {
  await scratch?.cleanup();
});

const layout = (names: string[], views: { name: string; suffix: string }[] = []) => ({ layers: names, extraLayers: [], views, viewFiles: 'one' as const });

function options(workDir: string, scene: string, o: Partial<BlenderRunOptions> = {}): BlenderRunOptions & { logs: string[] } {
  const logs: string[] = [];
  return {
    blenderPath: findBlender()!, scenePath: scene, workDir, scratchHome: home, signal: new AbortController().signal,
    spec: { frames: [1], outputName: 'shot', format: 'OPEN_EXR_MULTILAYER' },
    onProgress: () => {}, onLog: (line) => logs.push(line), logs, ...o,
  };
}

test('the header of a multilayer EXR Blender wrote lists each view layer\'s channels; a frame lacking a layer the scene renders is named in one sentence', { timeout: 120_000 }, async () => {
  const both = join(scratch.dir, 'both');
  assert.deepEqual(await renderDirect(layers, both, [1], { home, format: 'OPEN_EXR_MULTILAYER' }), ['frame_0001.exr']);
  const header = await readExrHeader(join(both, 'frame_0001.exr'));
  assert.deepEqual(header, {
    channels: ['Extra Layer.Combined.A', 'Extra Layer.Combined.B', 'Extra Layer.Combined.G', 'Extra Layer.Combined.R', 'ViewLayer.Combined.A', 'ViewLayer.Combined.B', 'ViewLayer.Combined.G', 'ViewLayer.Combined.R'],
    // 2 = FLOAT: each channel at the scene's colour depth, Blender's default 32-bit for EXR.
    pixelTypes: [2, 2, 2, 2, 2, 2, 2, 2],
    multiView: null,
  });
  assert.equal(await multilayerProblem(layout(['ViewLayer', 'Extra Layer']), [join(both, 'frame_0001.exr')]), null);

  const disabled = await makeViewsScene(join(scratch.dir, 'scenes'), 'layers-exr', home);
  const one = join(scratch.dir, 'one');
  await renderDirect(disabled, one, [1], { home, format: 'OPEN_EXR_MULTILAYER' });
  assert.deepEqual((await readExrHeader(join(one, 'frame_0001.exr'))).channels, ['ViewLayer.Combined.A', 'ViewLayer.Combined.B', 'ViewLayer.Combined.G', 'ViewLayer.Combined.R']);
  assert.equal(await multilayerProblem(layout(['ViewLayer']), [join(one, 'frame_0001.exr')]), null);
  assert.equal(await multilayerProblem(layout(['ViewLayer', 'Extra Layer']), [join(one, 'frame_0001.exr')]),
    'The multilayer EXR frame_0001.exr lacks the view layer "Extra Layer" of the 2 the scene renders; the frame is rendered again, and if this repeats check those layers\' passes in Blender.');
  assert.match(await multilayerProblem(layout(['ViewLayer']), [join(one, 'nope.exr')]).catch((e: Error) => e.message) ?? '', /ENOENT/, 'a file that is not there is not a header problem');
});

test('the agent renders a two-layer scene to multilayer EXR with both layers in the frame (no passes added), and a scene whose second layer is off with one', { timeout: 120_000 }, async () => {
  const o = options(join(scratch.dir, 'work-both'), layers);
  const { outputs } = await runBlenderTask(o);
  assert.deepEqual(outputs.map((p) => basename(p)), ['shot_0001.exr']);
  assert.ok(o.logs.some((line) => line.startsWith('FARMHAND_RENDER_LAYOUT {"layers": ["ViewLayer", "Extra Layer"], "extraLayers": []')), o.logs.join('\n'));
  assert.equal((await readExrHeader(outputs[0]!)).channels.length, 8);

  const disabled = join(scratch.dir, 'scenes', 'layers-exr.blend');
  const single = await runBlenderTask(options(join(scratch.dir, 'work-one'), disabled));
  assert.deepEqual(single.outputs.map((p) => basename(p)), ['shot_0001.exr']);
});

test('a layer switched off after the step listed it (a render_pre handler) fails the attempt, naming the layer', { timeout: 120_000 }, async () => {
  const handler = 'def _off(scene, *a):\n    scene.view_layers["Extra Layer"].use = False\nbpy.app.handlers.render_pre.append(_off)';
  const o = options(join(scratch.dir, 'work-handler'), layers, { pythonSnippets: [handler] });
  await assert.rejects(runBlenderTask(o), (error: unknown) => {
    assert.ok(error instanceof TaskFailedError, String(error));
    assert.equal(error.message, 'The multilayer EXR shot_0001.exr lacks the view layer "Extra Layer" of the 2 the scene renders; the frame is rendered again, and if this repeats check those layers\' passes in Blender.');
    assert.equal(error.unrecoverable, false);
    return true;
  });
});

test('stereo saved as one multi-view multilayer EXR: the frame holds both views of the layer, checked by the agent', { timeout: 120_000 }, async () => {
  const scene = await makeViewsScene(join(scratch.dir, 'scenes'), 'stereo-exr', home);
  const o = options(join(scratch.dir, 'work-stereo'), scene);
  const { outputs } = await runBlenderTask(o);
  assert.deepEqual(outputs.map((p) => basename(p)), ['shot_0001.exr']);
  const header = await readExrHeader(outputs[0]!);
  assert.deepEqual(header.multiView, ['left', 'right']);
  assert.deepEqual(header.channels.filter((c) => c.startsWith('ViewLayer.Combined.')).map((c) => c.split('.')[2]).sort(), ['left', 'left', 'left', 'left', 'right', 'right', 'right', 'right']);
  const views = [{ name: 'left', suffix: '_L' }, { name: 'right', suffix: '_R' }];
  assert.equal(await multilayerProblem(layout(['ViewLayer'], views), outputs), null);
  assert.equal(await multilayerProblem(layout(['ViewLayer'], [...views, { name: 'center', suffix: '_C' }]), outputs),
    'The multilayer EXR shot_0001.exr lacks the view "center" the scene renders; the frame is rendered again.');
  assert.deepEqual((await readdir(o.workDir)).sort(), ['shot_0001.exr']);
});
