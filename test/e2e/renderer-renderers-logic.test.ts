import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SceneProbe } from '../../electron/controller/api/contract.js';
import { agentRendererFacts } from '../../renderer/src/model/agent-renderers.js';
import { countFrameList } from '../../renderer/src/model/frame-list-count.js';
import { jobRendererLine } from '../../renderer/src/model/job-renderer.js';
import { EMPTY_FORM, formFromProbe, toSubmitParams } from '../../renderer/src/views/submit/submit-form-state.js';

// Issue 17 in the UI without a browser: what the nodes view says an agent renders with, how
// many frames "Render as one chunk" puts in its task, and what the submit dialog sends for the
// device, a pinned Blender version and trusted scripts (and refuses before sending).

const scene: SceneProbe = {
  kind: 'scene', path: '/shots/cloth.blend', name: 'cloth.blend', sizeBytes: 1000, frameStart: 1, frameEnd: 40, frameStep: 1,
  fps: 24, resolution: [64, 48], engine: 'CYCLES', fileFormat: 'PNG', camera: 'Camera', scenes: ['Scene'],
  fileVersion: { saved: '4.1', minimum: '4.0' }, cyclesDevice: 'GPU',
  scripts: { modules: ['rig_ui.py'], drivers: ['my_func(frame)'] }, simulations: [{ kind: 'cloth', owner: 'Flag' }],
};

test('an agent with one Blender and no GPU: its version, renders on CPU, no GPU, scripts off', () => {
  assert.deepEqual(agentRendererFacts({ blender: '3.4.1', blenders: [{ version: '3.4.1', devices: [] }], renderDevice: 'cpu', allowScripts: false }), {
    blenders: 'Blender 3.4.1', device: 'renders on CPU', gpus: 'no GPU', scripts: 'scripts off',
  });
});

test('an agent with two Blenders seeing the same two cards counts each card once, by the most one Blender sees', () => {
  const rtx = { backend: 'OPTIX', name: 'NVIDIA GeForce RTX 3090' };
  const facts = agentRendererFacts({
    blender: '4.1.1',
    blenders: [
      { version: '4.1.1', devices: [rtx, rtx, { backend: 'CUDA', name: 'NVIDIA GeForce RTX 3090' }] },
      { version: '4.3.2', devices: [rtx, rtx] },
    ],
    renderDevice: 'OPTIX',
    allowScripts: true,
  });
  assert.deepEqual(facts, {
    blenders: 'Blender 4.1.1, 4.3.2',
    device: 'renders on OPTIX',
    gpus: 'GPUs: NVIDIA GeForce RTX 3090 ×2 (OPTIX), NVIDIA GeForce RTX 3090 (CUDA)',
    scripts: 'scripts allowed',
  });
  assert.equal(agentRendererFacts({ blender: null, blenders: [{ version: '4.2.0', devices: [{ backend: 'METAL', name: 'Apple M2' }] }] }).gpus, 'GPU: Apple M2 (METAL)');
});

test('an agent from before issue 17 (no blenders list) still shows its Blender; none reported shows none', () => {
  assert.equal(agentRendererFacts({ blender: '3.4.1' }).blenders, 'Blender 3.4.1');
  assert.equal(agentRendererFacts({ blender: '3.4.1' }).device, 'renders on CPU');
  assert.equal(agentRendererFacts({ blender: null }).blenders, null);
});

test('frame lists are counted as the controller renders them: each frame once, steps, ranges either way round', () => {
  assert.equal(countFrameList('1-40'), 40);
  assert.equal(countFrameList('1-100x5'), 20);
  assert.equal(countFrameList('3, 5-10, 47'), 8);
  assert.equal(countFrameList('10-1'), 10);
  assert.equal(countFrameList('1-10,5-12'), 12);
  assert.equal(countFrameList('7'), 1);
  assert.equal(countFrameList('1-1000000'), 10_001, 'counting stops past the cap');
  assert.equal(countFrameList('1-5x0'), null);
  assert.equal(countFrameList('-5'), null);
  assert.equal(countFrameList('one'), null);
  assert.equal(countFrameList(' '), null);
});

test('the default render form sends no device, Blender version or trust: the controller\'s defaults hold (and preview first, on by default here)', () => {
  const { params } = toSubmitParams(formFromProbe(EMPTY_FORM, scene), scene);
  assert.deepEqual(params, { type: 'render', scenePath: scene.path, frames: '1-40', priority: 50, tags: [], video: false, previewFirst: true });
  assert.equal('previewFirst' in toSubmitParams({ ...formFromProbe(EMPTY_FORM, scene), previewFirst: false }, scene).params!, false);
});

test('device, a pinned Blender version, trusted scripts and one chunk are sent as chosen', () => {
  const form = { ...formFromProbe(EMPTY_FORM, scene), device: 'gpu' as const, blenderVersion: ' 4.3 ', trustScripts: true, oneChunk: true, chunkSize: '5' };
  assert.deepEqual(toSubmitParams(form, scene).params, {
    type: 'render', scenePath: scene.path, frames: '1-40', priority: 50, tags: [], video: false, device: 'gpu', blenderVersion: '4.3', trustScripts: true, chunkSize: 40,
  });
  // One chunk follows the typed list, and the scene's own range when the list is empty.
  assert.deepEqual(pick(toSubmitParams({ ...form, frames: '1-20x2' }, scene).params), { chunkSize: 10, frames: '1-20x2', device: 'gpu' });
  assert.deepEqual(pick(toSubmitParams({ ...form, frames: '' }, scene).params), { chunkSize: 40, frames: undefined, device: 'gpu' });
  assert.deepEqual(pick(toSubmitParams({ ...form, device: 'cpu' }, scene).params), { chunkSize: 40, frames: '1-40', device: 'cpu' });
});

test('a Blender version that is not major.minor, or older than the Blender that saved the scene, is refused before sending', () => {
  const form = formFromProbe(EMPTY_FORM, scene);
  for (const typed of ['4', '4.1.2', 'latest', '4,1']) {
    const { params, errors } = toSubmitParams({ ...form, blenderVersion: typed }, scene);
    assert.equal(params, null, typed);
    assert.equal(errors.blenderVersion, 'Give the Blender version as major.minor, like 4.1, or leave it empty.');
  }
  const older = toSubmitParams({ ...form, blenderVersion: '3.6' }, scene);
  assert.equal(older.params, null);
  assert.equal(older.errors.blenderVersion, 'Blender 3.6 is older than the Blender 4.1 that saved this scene and would never be used; give 4.1 or newer, or leave it empty.');
  assert.equal(toSubmitParams({ ...form, blenderVersion: '4.10' }, scene).errors.blenderVersion, undefined, '4.10 is newer than 4.1');
  assert.equal(toSubmitParams({ ...form, blenderVersion: '3.6' }).errors.blenderVersion, undefined, 'a typed path without a probe: the controller judges');
});

test('one chunk of more frames than a task may hold is refused with the fix', () => {
  const { params, errors } = toSubmitParams({ ...formFromProbe(EMPTY_FORM, scene), frames: '1-20000', oneChunk: true }, scene);
  assert.equal(params, null);
  assert.equal(errors.chunkSize, 'One chunk holds at most 10,000 frames and these are more; bake the simulation in Blender, or render fewer frames.');
});

test('another file asks again for trust and one chunk; the device and version typed stay', () => {
  const chosen = { ...formFromProbe(EMPTY_FORM, scene), device: 'cpu' as const, blenderVersion: '4.1', trustScripts: true, oneChunk: true };
  const next = formFromProbe(chosen, { ...scene, path: '/shots/other.blend', name: 'other.blend' });
  assert.deepEqual([next.device, next.blenderVersion, next.trustScripts, next.oneChunk], ['cpu', '4.1', false, false]);
});

function pick(params: ReturnType<typeof toSubmitParams>['params']): Record<string, unknown> {
  assert.ok(params && params.type === 'render');
  return { chunkSize: params.chunkSize, frames: params.frames, ...(params.device ? { device: params.device } : {}) };
}

test('a render job\'s detail says how it asked to be rendered, from its settings', () => {
  assert.equal(jobRendererLine({ device: 'cpu', blenderVersion: '3.4', trustScripts: true }), 'CPU · Blender 3.4 · scripts trusted');
  assert.equal(jobRendererLine({ device: 'gpu' }), "GPU only · the file's Blender or newer · scripts not run");
  assert.equal(jobRendererLine({ cyclesDevice: 'GPU' }), "the scene's device (GPU) · the file's Blender or newer · scripts not run");
  assert.equal(jobRendererLine({ device: 'any', cyclesDevice: 'CPU' }), "the scene's device · the file's Blender or newer · scripts not run");
});
