import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SceneInfo } from '../../api/views.js';
import { InputError } from '../../input-error.js';
import { readFrameList } from '../frame-list.js';
import { compileBlenderJob } from './blender-job.js';
import { BlenderPinTooOldError } from './blender-want.js';

const scene = { sha256: 'f'.repeat(64), size: 50, name: 'shot.blend' };
const base: SceneInfo = {
  frameStart: 1, frameEnd: 12, frameStep: 1, fps: 24, resolution: [64, 48], engine: 'CYCLES', fileFormat: 'PNG', outputPath: '/tmp/', camera: 'Camera', scenes: ['Scene'],
};

function compile(info: Partial<SceneInfo>, settings: Record<string, unknown> = {}) {
  return compileBlenderJob({ scenePath: '/art/shot.blend', outputDir: '/out', chunkSize: 4, ...settings }, {
    scene, scenePath: '/art/shot.blend', sceneInfo: { ...base, ...info }, agentCount: 1,
  });
}
const specs = (job: ReturnType<typeof compile>) => job.tasks.map((t) => t.spec);

test('every task names the Blender the file needs (at least its saved major.minor), the pin, the device and the trust', () => {
  const plain = compile({ fileVersion: { saved: '4.1', minimum: '4.0' } });
  for (const spec of specs(plain)) {
    assert.ok(spec.type === 'blender');
    assert.deepEqual(spec.blender, { atLeast: '4.1' });
    assert.equal(spec.device, undefined, 'any: the scene\'s own device');
    assert.equal(spec.trustScripts, undefined);
  }
  const asked = compile({ fileVersion: { saved: '4.1', minimum: '4.0' } }, { blenderVersion: '4.3', device: 'gpu', trustScripts: true });
  for (const spec of specs(asked)) {
    assert.ok(spec.type === 'blender');
    assert.deepEqual([spec.blender, spec.device, spec.trustScripts], [{ atLeast: '4.1', pin: '4.3' }, 'gpu', true]);
  }
  const cpu = compile({}, { device: 'cpu', blenderVersion: '3.4' });
  assert.ok(cpu.tasks[0]!.spec.type === 'blender');
  assert.deepEqual([cpu.tasks[0]!.spec.blender, cpu.tasks[0]!.spec.device], [{ pin: '3.4' }, 'cpu']);
  const unknown = compile({}, { device: 'any' });
  assert.ok(unknown.tasks[0]!.spec.type === 'blender');
  assert.deepEqual([unknown.tasks[0]!.spec.blender, unknown.tasks[0]!.spec.device], [undefined, undefined], 'version unknown, device any: nothing asked');
});

test('a pin older than the Blender that saved the file is refused at submit, in one sentence', () => {
  assert.throws(() => compile({ fileVersion: { saved: '4.1', minimum: '4.0' } }, { blenderVersion: '3.4' }), (e: Error) => e instanceof BlenderPinTooOldError && e instanceof InputError
    && e.message === 'The job asks for Blender 3.4, but shot.blend was saved by Blender 4.1, which an older Blender opens with loss of data; pin 4.1 or newer with --blender-version, or leave it out.');
  assert.doesNotThrow(() => compile({ fileVersion: { saved: '4.1', minimum: '4.0' } }, { blenderVersion: '4.1' }));
});

test('a GPU scene keeps its Cycles device in the job settings; an engine override away from Cycles drops it', () => {
  assert.equal(compile({ cyclesDevice: 'GPU' }).settings.cyclesDevice, 'GPU');
  assert.equal(compile({ cyclesDevice: 'GPU' }, { engine: 'BLENDER_EEVEE' }).settings.cyclesDevice, undefined);
  assert.equal(compile({}).settings.cyclesDevice, undefined);
});

test('scripts Blender skips without trust: the job warns at submit, naming them (at most five); trusted, it does not', () => {
  const scripts = { modules: ['rig_ui.py'], drivers: ['"Cube" location[2]: sin(frame / 4) * 2'] };
  assert.deepEqual(compile({ scripts }).warnings, [
    'The scene runs Python that Blender skips without trust: text "rig_ui.py", driver "Cube" location[2]: sin(frame / 4) * 2; its frames may be wrong. Submit with --trust-scripts to run it on agents started with --allow-scripts.',
  ]);
  assert.equal(compile({ scripts }, { trustScripts: true }).warnings, undefined);
  assert.equal(compile({ scripts: { modules: [], drivers: [] } }).warnings, undefined);
  const many = compile({ scripts: { modules: ['a.py', 'b.py', 'c.py', 'd.py', 'e.py', 'f.py', 'g.py'], drivers: [] } }).warnings![0]!;
  assert.match(many, /text "e\.py" and 2 more; its frames may be wrong\./);
  assert.ok(!many.includes('f.py'));
});

test('unbaked simulations split into chunks warn with the exact --chunk that makes one; one chunk does not warn', () => {
  const simulations = [{ kind: 'cloth' as const, owner: 'Flag' }, { kind: 'rigid-body' as const, owner: 'Scene' }];
  assert.deepEqual(compile({ simulations }).warnings, [
    'The scene has unbaked simulations (cloth on "Flag", rigid-body on "Scene") and renders in 3 chunks: each chunk after the first starts them mid-sequence, so its frames may be wrong. Bake them in Blender, or render it as one chunk with --chunk 12.',
  ]);
  const one = compile({ simulations }, { chunkSize: 12 });
  assert.equal(one.tasks.length, 1, '--chunk equal to the whole range makes one chunk');
  assert.equal(one.warnings, undefined);
  const listed = compileBlenderJob({ scenePath: '/art/shot.blend', outputDir: '/out', chunkSize: 2, frames: readFrameList('1-3,10') }, {
    scene, scenePath: '/art/shot.blend', sceneInfo: { ...base, simulations }, agentCount: 1,
  });
  assert.match(listed.warnings![0]!, /renders in 2 chunks: .* --chunk 4\.$/);
});
