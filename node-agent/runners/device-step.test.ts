import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeScratchDir } from '../../test/helpers/scratch.js';
import { GPU_SCENE_ON_CPU_TASK_WARNING } from '../protocol/gpu-fallback-warning.js';
import type { GpuBackend } from '../protocol/index.js';
import { buildPythonStep } from './blender-python-step.js';
import { createBlenderWarningCollector } from './blender-warnings.js';
import { deviceSnippet, deviceStepFor, type DeviceStepOptions } from './device-step.js';

/**
 * The device step's Python, run by the machine's python3 against a stand-in `bpy` shaped like
 * Blender's (Cycles' preferences with `refresh_devices`, `compute_device_type` accepting only
 * the backends the build has, a device list with the CPU in it, scenes with `cycles.device`):
 * a box with two GPUs of every backend. Blender itself proves the step on this CPU-only box
 * in test/integration/device-step-blender.test.ts.
 */
const FAKE_BPY = `
BACKENDS = ('CUDA', 'OPTIX', 'HIP', 'ONEAPI', 'METAL')
COMPILED = BACKENDS
class Device:
    def __init__(self, type, id, name): self.type = type; self.id = id; self.name = name; self.use = type != 'CPU'
class Prefs:
    def __init__(self):
        self.devices = []
        self._compute = 'NONE'
        self.refreshed = 0
    def refresh_devices(self):
        self.refreshed += 1
        if self.devices: return
        self.devices.append(Device('CPU', 'CPU', 'AMD Ryzen'))
        for b in BACKENDS:
            for i in range(2):
                self.devices.append(Device(b, '%s_GPU%d' % (b, i), '%s card %d' % (b, i)))
    @property
    def compute_device_type(self): return self._compute
    @compute_device_type.setter
    def compute_device_type(self, v):
        if v not in ('NONE',) + COMPILED: raise TypeError('enum "%s" not found in (%s)' % (v, ', '.join(("'NONE'",) + tuple("'%s'" % c for c in COMPILED))))
        self._compute = v
class Addon:
    def __init__(self): self.preferences = Prefs()
class Preferences:
    def __init__(self): self.addons = {'cycles': Addon()}
class Cycles:
    def __init__(self, device): self.device = device
class Render:
    def __init__(self, engine): self.engine = engine
class Scene:
    def __init__(self, name, device, engine='CYCLES'): self.name = name; self.cycles = Cycles(device); self.render = Render(engine)
class Data: pass
class Context: pass
data = Data()
context = Context()
context.preferences = Preferences()
`;

const REPORT = `
import bpy, json
_p = bpy.context.preferences.addons['cycles'].preferences
print(json.dumps({
  'compute': _p.compute_device_type,
  'used': [d.id for d in _p.devices if d.use],
  'scenes': [s.cycles.device for s in bpy.data.scenes],
}))
`;

interface Report { compute: string; used: string[]; scenes: string[] }

/** Runs the step on scenes given as Python (`bpy.data.scenes = [...]`, `bpy.context.scene = ...`); returns the read-back and the printed lines. */
async function runDeviceStep(o: DeviceStepOptions, scenes: string): Promise<{ report: Report; lines: string[] }> {
  const { dir, cleanup } = await makeScratchDir('farmhand-device-step');
  try {
    await mkdir(join(dir, 'bpy'));
    await writeFile(join(dir, 'bpy', '__init__.py'), FAKE_BPY);
    await writeFile(join(dir, 'step.py'), `import bpy\n${scenes}\n${buildPythonStep([deviceSnippet(o)])}\n${REPORT}`);
    const r = spawnSync('python3', [join(dir, 'step.py')], { cwd: dir, env: { ...process.env, PYTHONPATH: dir }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.doesNotMatch(r.stdout, /^Error:/m);
    return { report: JSON.parse(lines.at(-1)!) as Report, lines: lines.slice(0, -1) };
  } finally {
    await cleanup();
  }
}

const ONE_SCENE = (device: string, engine = 'CYCLES') => `bpy.data.scenes = [bpy.Scene('Scene', '${device}', '${engine}')]\nbpy.context.scene = bpy.data.scenes[0]`;

const BACKENDS: GpuBackend[] = ['OPTIX', 'CUDA', 'HIP', 'ONEAPI', 'METAL'];

for (const backend of BACKENDS) {
  test(`${backend}: a task asking for the GPU gets ${backend} as compute device, only the chosen device switched on (not the CPU) and the scene on the GPU`, async () => {
    const { report, lines } = await runDeviceStep({ device: 'gpu', backend, deviceIds: [`${backend}_GPU1`] }, ONE_SCENE('CPU'));
    assert.deepEqual(report, { compute: backend, used: [`${backend}_GPU1`], scenes: ['GPU'] });
    assert.deepEqual(lines, [`farmhand: Cycles renders on the GPU: 1 ${backend} device(s)`]);
  });

  test(`${backend}: a scene set to the GPU, with no device asked by the task, renders on every chosen ${backend} device`, async () => {
    const { report } = await runDeviceStep({ backend, deviceIds: [`${backend}_GPU0`, `${backend}_GPU1`] }, ONE_SCENE('GPU'));
    assert.deepEqual(report, { compute: backend, used: [`${backend}_GPU0`, `${backend}_GPU1`], scenes: ['GPU'] });
  });
}

test("a scene set to the CPU stays there on a GPU agent when the task does not ask, and the preferences are left alone", async () => {
  const { report, lines } = await runDeviceStep({ backend: 'OPTIX', deviceIds: ['OPTIX_GPU0'] }, ONE_SCENE('CPU'));
  assert.deepEqual(report, { compute: 'NONE', used: [], scenes: ['CPU'] });
  assert.deepEqual(lines, ['farmhand: Cycles renders on the CPU']);
});

test('a task asking for the CPU puts a GPU scene (and every other scene) on the CPU, without a warning', async () => {
  const scenes = `bpy.data.scenes = [bpy.Scene('Scene', 'GPU'), bpy.Scene('Other', 'GPU')]\nbpy.context.scene = bpy.data.scenes[0]`;
  const { report, lines } = await runDeviceStep({ device: 'cpu', backend: 'CUDA', deviceIds: ['CUDA_GPU0'] }, scenes);
  assert.deepEqual(report, { compute: 'NONE', used: [], scenes: ['CPU', 'CPU'] });
  assert.deepEqual(lines, ['farmhand: Cycles renders on the CPU']);
});

test('each scene keeps its own device when the task names none (a second scene rendered by the compositor)', async () => {
  const scenes = `bpy.data.scenes = [bpy.Scene('Scene', 'CPU'), bpy.Scene('Layer', 'GPU')]\nbpy.context.scene = bpy.data.scenes[0]`;
  const { report } = await runDeviceStep({ backend: 'HIP', deviceIds: ['HIP_GPU0'] }, scenes);
  assert.deepEqual(report, { compute: 'HIP', used: ['HIP_GPU0'], scenes: ['CPU', 'GPU'] });
});

test('without a GPU a GPU scene renders on the CPU and the step prints the warning the runner turns into a task warning (the sentence the controller lifts to the job)', async () => {
  const { report, lines } = await runDeviceStep({ backend: null, deviceIds: [], noGpu: 'this agent has no GPU' }, ONE_SCENE('GPU'));
  assert.deepEqual(report, { compute: 'NONE', used: [], scenes: ['CPU'] });
  const collector = createBlenderWarningCollector('/ws');
  for (const line of lines) collector.feed(line);
  assert.deepEqual(collector.texts(), [GPU_SCENE_ON_CPU_TASK_WARNING]);
});

test('a task asking for the GPU on an agent without one is told as the job asking', async () => {
  const { lines } = await runDeviceStep({ device: 'gpu', backend: null, deviceIds: [] }, ONE_SCENE('CPU'));
  assert.deepEqual(lines, [
    'farmhand: Cycles renders on the CPU',
    'farmhand warning: The job asks for GPU rendering but this agent has no GPU; frames were rendered on the CPU.',
  ]);
});

test('a GPU scene rendered by Eevee or Workbench (its own engine or the task\'s -E) warns of nothing: Cycles\' device does not apply', async () => {
  for (const [scene, engine] of [[ONE_SCENE('GPU', 'BLENDER_EEVEE'), undefined], [ONE_SCENE('GPU'), 'BLENDER_WORKBENCH']] as const) {
    const { report, lines } = await runDeviceStep({ backend: null, deviceIds: [], ...(engine ? { engine } : {}) }, scene);
    assert.deepEqual(report.scenes, ['CPU']);
    assert.deepEqual(lines, ['farmhand: Cycles renders on the CPU']);
  }
});

test('a Blender that sees none of the chosen devices renders on the CPU, and the warning names that Blender', async () => {
  const setup = { renderDevice: 'OPTIX' as const, deviceIds: ['OPTIX_GPU0'] };
  const options = deviceStepFor({}, setup, { version: '3.4.1', devices: [{ backend: 'CUDA', id: 'CUDA_GPU0', name: 'card' }] });
  assert.deepEqual(options, { backend: null, deviceIds: [], noGpu: 'Blender 3.4.1 on this agent sees none of its OPTIX devices' });
  const { lines } = await runDeviceStep(options, ONE_SCENE('GPU'));
  assert.equal(lines.at(-1), 'farmhand warning: The scene asks for GPU rendering but Blender 3.4.1 on this agent sees none of its OPTIX devices; frames were rendered on the CPU.');
});

test('a backend this Cycles was not built with, or chosen devices it does not list, leave the scene on the CPU with a warning instead of failing the step', async () => {
  const lacking = await runDeviceStep({ backend: 'OPTIX', deviceIds: ['OPTIX_GPU0'] }, `bpy.COMPILED = ('HIP',)\n${ONE_SCENE('GPU')}`);
  assert.deepEqual(lacking.report, { compute: 'NONE', used: ['CUDA_GPU0', 'CUDA_GPU1', 'OPTIX_GPU0', 'OPTIX_GPU1', 'HIP_GPU0', 'HIP_GPU1', 'ONEAPI_GPU0', 'ONEAPI_GPU1', 'METAL_GPU0', 'METAL_GPU1'], scenes: ['CPU'] });
  assert.equal(lacking.lines.at(-1), `farmhand warning: The scene asks for GPU rendering but Cycles here refused the OPTIX devices (enum "OPTIX" not found in ('NONE', 'HIP')); frames were rendered on the CPU.`);
  const unlisted = await runDeviceStep({ backend: 'HIP', deviceIds: ['HIP_GONE'] }, ONE_SCENE('GPU'));
  assert.deepEqual(unlisted.report, { compute: 'HIP', used: [], scenes: ['CPU'] });
  assert.equal(unlisted.lines.at(-1), "farmhand warning: The scene asks for GPU rendering but Cycles here lists none of the agent's HIP devices; frames were rendered on the CPU.");
});

test('deviceStepFor: the chosen devices this Blender sees, the task\'s device and engine, or the CPU', () => {
  const devices = [
    { backend: 'OPTIX' as const, id: 'A_OptiX', name: 'RTX A' },
    { backend: 'OPTIX' as const, id: 'B_OptiX', name: 'RTX B' },
    { backend: 'CUDA' as const, id: 'A', name: 'RTX A' },
  ];
  assert.deepEqual(deviceStepFor({ device: 'gpu', engine: 'CYCLES' }, { renderDevice: 'OPTIX', deviceIds: ['B_OptiX'] }, { version: '4.3.2', devices }),
    { device: 'gpu', engine: 'CYCLES', backend: 'OPTIX', deviceIds: ['B_OptiX'] });
  assert.deepEqual(deviceStepFor({}, { renderDevice: 'cpu', deviceIds: [] }, { version: '4.3.2', devices }),
    { backend: null, deviceIds: [], noGpu: 'this agent has no GPU' });
});
