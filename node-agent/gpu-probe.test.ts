import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeScratchDir } from '../test/helpers/scratch.js';
import { DEVICE_PROBE_PYTHON, DeviceProbeError, MAX_PROBE_DEVICES, parseDeviceProbe, PROBE_MARKER } from './gpu-probe.js';

/** What Blender prints around the probe's line in background mode. */
const NOISE = 'Blender 3.4.1\nRead prefs: /home/x/.config/blender/3.4/config/userpref.blend\n';

function refusal(output: string): string {
  try {
    parseDeviceProbe(output);
  } catch (error) {
    assert.ok(error instanceof DeviceProbeError, String(error));
    return error.message;
  }
  assert.fail('expected a DeviceProbeError');
}

test('the probe line is read among Blender\'s own output: devices with backend, id and name, and the backends Cycles was built with', () => {
  const answer = {
    devices: [
      { backend: 'CUDA', id: 'CUDA_NVIDIA GeForce RTX 3090_0000:01:00', name: 'NVIDIA GeForce RTX 3090' },
      { backend: 'OPTIX', id: 'CUDA_NVIDIA GeForce RTX 3090_0000:01:00_OptiX', name: 'NVIDIA GeForce RTX 3090' },
    ],
    compiled: ['CUDA', 'OPTIX', 'HIP'],
    error: null,
  };
  assert.deepEqual(parseDeviceProbe(`${NOISE}${PROBE_MARKER}${JSON.stringify(answer)}\n\nBlender quit\n`), { devices: answer.devices, compiled: answer.compiled });
});

test('no GPU: an empty list', () => {
  assert.deepEqual(parseDeviceProbe(`${PROBE_MARKER}{"devices": [], "compiled": [], "error": null}`), { devices: [], compiled: [] });
});

test('entries that are not devices of a known backend, or whose texts are empty or too long, are dropped; a repeated one counts once', () => {
  const devices = [
    { backend: 'OPENCL', id: 'x', name: 'old' },
    { backend: 'CPU', id: 'CPU', name: 'Ryzen' },
    { backend: 'HIP', id: '', name: 'no id' },
    { backend: 'HIP', id: 'HIP_1', name: 'n'.repeat(257) },
    { backend: 'HIP', id: 'HIP_2', name: 7 },
    'a string',
    null,
    { backend: 'HIP', id: 'HIP_0', name: 'Radeon' },
    { backend: 'HIP', id: 'HIP_0', name: 'Radeon again' },
  ];
  assert.deepEqual(parseDeviceProbe(PROBE_MARKER + JSON.stringify({ devices, compiled: ['HIP', 'VULKAN', 3] })), {
    devices: [{ backend: 'HIP', id: 'HIP_0', name: 'Radeon' }],
    compiled: ['HIP'],
  });
});

test(`at most ${MAX_PROBE_DEVICES} devices are believed`, () => {
  const devices = Array.from({ length: 100 }, (_, i) => ({ backend: 'CUDA', id: `CUDA_${i}`, name: `card ${i}` }));
  const parsed = parseDeviceProbe(PROBE_MARKER + JSON.stringify({ devices }));
  assert.equal(parsed.devices.length, MAX_PROBE_DEVICES);
  assert.equal(parsed.devices.at(-1)!.id, `CUDA_${MAX_PROBE_DEVICES - 1}`);
});

test('no probe line, bad JSON, an over-long line or a Python error in Blender is an error naming it', () => {
  assert.equal(refusal(NOISE), 'Blender printed no device list');
  assert.equal(refusal(`${PROBE_MARKER}{"devices": [`), 'the device list is not valid JSON');
  assert.equal(refusal(`${PROBE_MARKER}"text"`), 'the device list is not a JSON object');
  assert.equal(refusal(`${PROBE_MARKER}${' '.repeat(300 * 1024)}{}`), 'the device list is longer than 262144 characters');
  assert.equal(refusal(`${PROBE_MARKER}{"devices": [], "error": "KeyError: 'bpy_prop_collection[key]: key \\"cycles\\" not found'"}`),
    'Cycles said KeyError: \'bpy_prop_collection[key]: key "cycles" not found\'');
});

/**
 * The probe's Python, run by python3 against a stand-in `bpy` and `_cycles` shaped like 3.4's
 * (device entries appear only after refresh_devices; the list holds the CPU and an OptiX entry
 * of the same card as CUDA). Blender itself gives the real answer on this GPU-less box in
 * test/integration/device-step-blender.test.ts.
 */
test('the probe\'s Python reads Cycles\' device list after refreshing it, GPUs only, with the backends built in', async () => {
  const { dir, cleanup } = await makeScratchDir('farmhand-gpu-probe');
  try {
    await mkdir(join(dir, 'bpy'));
    await writeFile(join(dir, '_cycles.py'), 'def get_device_types():\n    return (True, True, False, False, True, False)\n');
    await writeFile(join(dir, 'bpy', '__init__.py'), `
class D:
    def __init__(self, type, id, name): self.type = type; self.id = id; self.name = name
class Prefs:
    def __init__(self): self.devices = []
    def refresh_devices(self):
        self.devices = [D('CPU', 'CPU', 'AMD Ryzen 9'), D('CUDA', 'CUDA_RTX_0000:01:00', 'NVIDIA RTX 4090'), D('OPTIX', 'CUDA_RTX_0000:01:00_OptiX', 'NVIDIA RTX 4090'), D('ONEAPI', 'ONEAPI_Arc', 'Intel Arc A770')]
class Addon:
    def __init__(self): self.preferences = Prefs()
class Prefs0:
    def __init__(self): self.addons = {'cycles': Addon()}
class Context: pass
context = Context()
context.preferences = Prefs0()
`);
    await writeFile(join(dir, 'probe.py'), DEVICE_PROBE_PYTHON);
    const r = spawnSync('python3', [join(dir, 'probe.py')], { cwd: dir, env: { ...process.env, PYTHONPATH: dir }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.deepEqual(parseDeviceProbe(r.stdout), {
      devices: [
        { backend: 'CUDA', id: 'CUDA_RTX_0000:01:00', name: 'NVIDIA RTX 4090' },
        { backend: 'OPTIX', id: 'CUDA_RTX_0000:01:00_OptiX', name: 'NVIDIA RTX 4090' },
        { backend: 'ONEAPI', id: 'ONEAPI_Arc', name: 'Intel Arc A770' },
      ],
      compiled: ['CUDA', 'OPTIX', 'ONEAPI'],
    });
  } finally {
    await cleanup();
  }
});
