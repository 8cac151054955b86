import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { findBlender } from '../../electron/controller/jobs/blender/find-blender.js';
import { runDeviceProbe, type DeviceProbeAnswer } from '../../node-agent/gpu-probe.js';
import type { GpuBackend } from '../../node-agent/protocol/index.js';
import { buildPythonStep } from '../../node-agent/runners/blender-python-step.js';
import { deviceSnippet, type DeviceStepOptions } from '../../node-agent/runners/device-step.js';
import { makeTestScene } from '../fixtures/test-scene.js';
import { makeScratchDir } from '../helpers/scratch.js';
import { editScene } from '../helpers/warning-scene.js';

/**
 * The GPU handling proved by Blender itself on this box, which has no GPU: the device probe
 * finds none, and the device step's settings are read back from Blender after it ran (Cycles'
 * compute device type, each device entry's `use`, the scenes' `cycles.device`), for each
 * backend and for the CPU fallback. Blender runs as the agent runs it: `-b scene --factory-startup`.
 */

let scratch: { dir: string; cleanup: () => Promise<void> };
let home: string;
let gpuScene: string;
let probe: DeviceProbeAnswer;

before(async () => {
  if (!findBlender()) throw new Error('Blender is not installed: apt-get install -y blender');
  scratch = await makeScratchDir('farmhand-device-step');
  home = join(scratch.dir, 'home');
  await mkdir(join(home, '.cache'), { recursive: true });
  const cpuScene = await makeTestScene(join(scratch.dir, 'cpu'), { frames: 1, width: 32, height: 18, samples: 1 });
  gpuScene = await editScene(cpuScene, join(scratch.dir, 'gpu/shot.blend'), 'bpy.context.scene.cycles.device = "GPU"', home);
});

after(async () => {
  await scratch?.cleanup();
});

const READBACK = `import bpy, json
_p = bpy.context.preferences.addons['cycles'].preferences
print('READBACK ' + json.dumps({'compute': _p.compute_device_type, 'used': [d.id for d in _p.devices if d.use], 'scenes': [s.cycles.device for s in bpy.data.scenes]}), flush=True)`;

interface Readback { compute: string; used: string[]; scenes: string[] }

/** Runs Blender on `scene` with `before` (Python), the device step and the read-back, as the agent starts it; no render. */
async function runStep(scene: string, o: DeviceStepOptions, before = ''): Promise<{ readback: Readback; log: string }> {
  const step = buildPythonStep([...(before ? [before] : []), deviceSnippet(o)])!;
  const args = ['-b', scene, '-noaudio', '--factory-startup', '--disable-autoexec', '--python-expr', step, '--python-expr', READBACK];
  const log = await new Promise<string>((resolve, reject) => {
    const child = spawn(findBlender()!, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: home, XDG_CACHE_HOME: join(home, '.cache') } });
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += c.toString()));
    child.stderr.on('data', (c: Buffer) => (text += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(text);
      else reject(new Error(`Blender exited with ${code}:\n${text.slice(-3000)}`));
    });
  });
  const line = log.split('\n').find((l) => l.startsWith('READBACK '));
  assert.ok(line, log);
  assert.doesNotMatch(log, /^Error:/m, 'the step never fails the task');
  return { readback: JSON.parse(line.slice('READBACK '.length)) as Readback, log };
}

function farmhandLines(log: string): string[] {
  return log.split('\n').filter((l) => l.startsWith('farmhand'));
}

describe('with the real Blender on this GPU-less box', () => {
  test('the device probe finds no GPU', async () => {
    const started = performance.now();
    probe = await runDeviceProbe(findBlender()!, home);
    const ms = performance.now() - started;
    assert.deepEqual(probe.devices, []);
    console.log(`device probe: ${ms.toFixed(0)} ms; Cycles built with: ${probe.compiled.join(', ') || 'no GPU backend'}`);
  });

  test('a GPU scene on an agent without a GPU is set to the CPU, the preferences untouched, and the warning printed', async () => {
    const { readback, log } = await runStep(gpuScene, { backend: null, deviceIds: [], noGpu: 'this agent has no GPU' });
    assert.deepEqual(readback, { compute: 'NONE', used: [], scenes: ['CPU'] });
    assert.deepEqual(farmhandLines(log), [
      'farmhand: Cycles renders on the CPU',
      'farmhand warning: The scene asks for GPU rendering but this agent has no GPU; frames were rendered on the CPU.',
    ]);
  });

  test('a task asking for the CPU puts a GPU scene on the CPU without a warning', async () => {
    const { readback, log } = await runStep(gpuScene, { device: 'cpu', backend: null, deviceIds: [] });
    assert.deepEqual(readback.scenes, ['CPU']);
    assert.deepEqual(farmhandLines(log), ['farmhand: Cycles renders on the CPU']);
  });

  // Cycles here lists no GPU, so each test adds one device entry of the backend to the
  // preferences (as Cycles' refresh_devices does for a card it finds) before the step: what
  // Blender then holds is what a box with that card would get. A backend this Blender's Cycles
  // was not built with is refused by Blender itself (its compute_device_type enum lacks it).
  for (const backend of ['OPTIX', 'CUDA', 'HIP', 'ONEAPI', 'METAL'] as GpuBackend[]) {
    test(`${backend}: what Blender holds after the step`, async () => {
      assert.ok(probe, 'the probe test ran first');
      const id = `${backend}_Test Card_0000:01:00`;
      const addCard = `_e = bpy.context.preferences.addons['cycles'].preferences.devices.add()
_e.type = ${JSON.stringify(backend)}
_e.id = ${JSON.stringify(id)}
_e.name = 'Test Card'
_e.use = False`;
      const { readback, log } = await runStep(gpuScene, { backend, deviceIds: [id] }, addCard);
      if (probe.compiled.includes(backend)) {
        assert.deepEqual(readback, { compute: backend, used: [id], scenes: ['GPU'] });
        assert.deepEqual(farmhandLines(log), [`farmhand: Cycles renders on the GPU: 1 ${backend} device(s)`]);
      } else {
        assert.deepEqual(readback, { compute: 'NONE', used: [], scenes: ['CPU'] });
        const lines = farmhandLines(log);
        assert.equal(lines[0], 'farmhand: Cycles renders on the CPU');
        assert.match(lines[1]!, new RegExp(`^farmhand warning: The scene asks for GPU rendering but Cycles here refused the ${backend} devices \\(.*${backend}.*\\); frames were rendered on the CPU\\.$`));
      }
    });
  }
});
