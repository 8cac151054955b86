import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GpuDevice } from './protocol/index.js';
import {
  AgentRenderDevice, describeRenderDevice, deviceSummary, parseGpusOption, parseRenderDeviceOption, RenderDeviceError, resolveRenderDevice,
} from './render-device.js';

const rtx = (backend: GpuDevice['backend'], n: number): GpuDevice => ({
  backend, id: `CUDA_NVIDIA GeForce RTX 3090_0000:0${n}:00${backend === 'OPTIX' ? '_OptiX' : ''}`, name: `NVIDIA GeForce RTX 3090 #${n}`,
});
const NVIDIA_BOX: GpuDevice[] = [rtx('CUDA', 1), rtx('CUDA', 2), rtx('OPTIX', 1), rtx('OPTIX', 2)];
const AMD_INTEL_BOX: GpuDevice[] = [
  { backend: 'ONEAPI', id: 'ONEAPI_Intel Arc A770_0000:03:00', name: 'Intel Arc A770' },
  { backend: 'HIP', id: 'HIP_AMD Radeon RX 7900 XTX_0000:04:00', name: 'AMD Radeon RX 7900 XTX' },
];

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof RenderDeviceError, String(error));
    return error.message;
  }
  assert.fail('expected a RenderDeviceError');
}

test('--render-device takes auto, cpu and the five backends in any case; anything else is refused naming them', () => {
  assert.equal(parseRenderDeviceOption('auto'), 'auto');
  assert.equal(parseRenderDeviceOption('CPU'), 'cpu');
  assert.equal(parseRenderDeviceOption('OptiX'), 'OPTIX');
  assert.equal(parseRenderDeviceOption('oneapi'), 'ONEAPI');
  assert.equal(parseRenderDeviceOption('metal'), 'METAL');
  assert.equal(refusal(() => parseRenderDeviceOption('opencl')), '--render-device must be one of auto, cpu, OPTIX, CUDA, HIP, ONEAPI, METAL, not "opencl".');
});

test('--gpus: comma-separated ids or indexes, trimmed, each once; an empty list is refused', () => {
  assert.deepEqual(parseGpusOption('0, 1,1'), ['0', '1']);
  assert.deepEqual(parseGpusOption('CUDA_NVIDIA GeForce RTX 3090_0000:01:00'), ['CUDA_NVIDIA GeForce RTX 3090_0000:01:00']);
  assert.equal(refusal(() => parseGpusOption(' , ')), '--gpus needs a comma-separated list of device ids or indexes (0,1).');
  assert.match(refusal(() => parseGpusOption(Array.from({ length: 65 }, (_, i) => String(i)).join(','))), /at most 64/);
});

test('auto picks the best backend present: OptiX before CUDA, then HIP, oneAPI, Metal; no GPU is the CPU', () => {
  assert.deepEqual(resolveRenderDevice('auto', undefined, NVIDIA_BOX), { renderDevice: 'OPTIX', deviceIds: [NVIDIA_BOX[2]!.id, NVIDIA_BOX[3]!.id] });
  assert.deepEqual(resolveRenderDevice('auto', undefined, NVIDIA_BOX.slice(0, 2)).renderDevice, 'CUDA');
  assert.deepEqual(resolveRenderDevice('auto', undefined, AMD_INTEL_BOX), { renderDevice: 'HIP', deviceIds: [AMD_INTEL_BOX[1]!.id] });
  assert.deepEqual(resolveRenderDevice('auto', undefined, AMD_INTEL_BOX.slice(0, 1)).renderDevice, 'ONEAPI');
  assert.deepEqual(resolveRenderDevice('auto', undefined, [{ backend: 'METAL', id: 'METAL_Apple M2', name: 'Apple M2' }]).renderDevice, 'METAL');
  assert.deepEqual(resolveRenderDevice('auto', undefined, []), { renderDevice: 'cpu', deviceIds: [] });
});

test('cpu is the CPU whatever the box has; an explicit backend that is there is used', () => {
  assert.deepEqual(resolveRenderDevice('cpu', undefined, NVIDIA_BOX), { renderDevice: 'cpu', deviceIds: [] });
  assert.deepEqual(resolveRenderDevice('CUDA', undefined, NVIDIA_BOX), { renderDevice: 'CUDA', deviceIds: [NVIDIA_BOX[0]!.id, NVIDIA_BOX[1]!.id] });
  assert.deepEqual(resolveRenderDevice('ONEAPI', undefined, AMD_INTEL_BOX).renderDevice, 'ONEAPI');
});

test('an explicit backend the box lacks is refused in one sentence naming what it has', () => {
  assert.equal(refusal(() => resolveRenderDevice('OPTIX', undefined, [])),
    'This agent has no OPTIX device (Cycles sees no GPU here); start it with --render-device auto or cpu.');
  assert.equal(refusal(() => resolveRenderDevice('CUDA', undefined, AMD_INTEL_BOX)),
    'This agent has no CUDA device (Cycles sees HIP: AMD Radeon RX 7900 XTX; ONEAPI: Intel Arc A770); start it with --render-device auto, HIP, ONEAPI or cpu.');
});

test('--gpus selects devices of the resolved backend by index or id; an unknown one is refused listing the ones there', () => {
  assert.deepEqual(resolveRenderDevice('auto', ['1'], NVIDIA_BOX), { renderDevice: 'OPTIX', deviceIds: [NVIDIA_BOX[3]!.id] });
  assert.deepEqual(resolveRenderDevice('CUDA', [NVIDIA_BOX[1]!.id, '0'], NVIDIA_BOX), { renderDevice: 'CUDA', deviceIds: [NVIDIA_BOX[1]!.id, NVIDIA_BOX[0]!.id] });
  assert.equal(refusal(() => resolveRenderDevice('auto', ['2'], NVIDIA_BOX)),
    `--gpus names "2", which is not one of this agent's OPTIX devices (0: NVIDIA GeForce RTX 3090 #1 (${NVIDIA_BOX[2]!.id}); 1: NVIDIA GeForce RTX 3090 #2 (${NVIDIA_BOX[3]!.id})); give their indexes or ids.`);
  // A CUDA id is not an OptiX device, though it is the same card.
  assert.match(refusal(() => resolveRenderDevice('OPTIX', [NVIDIA_BOX[0]!.id], NVIDIA_BOX)), /^--gpus names "CUDA_NVIDIA GeForce RTX 3090_0000:01:00", which is not one of this agent's OPTIX devices/);
  assert.equal(refusal(() => resolveRenderDevice('auto', ['0'], [])), '--gpus was given but Cycles sees no GPU on this agent; drop --gpus (it renders on the CPU).');
  assert.equal(refusal(() => resolveRenderDevice('cpu', ['0'], NVIDIA_BOX)), '--gpus was given with --render-device cpu; drop one of them.');
});

test('the mDNS summary is short (backend:count) and absent on the CPU; the start-up line names the devices', () => {
  const setup = resolveRenderDevice('auto', ['0'], NVIDIA_BOX);
  assert.equal(deviceSummary(setup), 'OPTIX:1');
  assert.equal(deviceSummary({ renderDevice: 'cpu', deviceIds: [] }), null);
  assert.equal(describeRenderDevice(setup, [{ devices: NVIDIA_BOX }]), 'render device: OPTIX (1 device: NVIDIA GeForce RTX 3090 #1); tag gpu');
  assert.equal(describeRenderDevice({ renderDevice: 'cpu', deviceIds: [] }, [{ devices: [] }]), 'render device: CPU (Cycles sees no GPU here)');
  assert.equal(describeRenderDevice({ renderDevice: 'cpu', deviceIds: [] }, [{ devices: NVIDIA_BOX }]), 'render device: CPU (--render-device cpu)');
});

test('across several Blenders each device counts once, in the Blenders\' order', () => {
  const state = new AgentRenderDevice('auto');
  assert.deepEqual(state.current(), { renderDevice: 'cpu', deviceIds: [] }, 'the CPU until the Blenders are probed');
  state.settle([{ devices: [NVIDIA_BOX[0]!] }, { devices: [NVIDIA_BOX[0]!, NVIDIA_BOX[1]!] }]);
  assert.deepEqual(state.current(), { renderDevice: 'CUDA', deviceIds: [NVIDIA_BOX[0]!.id, NVIDIA_BOX[1]!.id] });
  assert.equal(state.error, null);
  const refused = new AgentRenderDevice('HIP');
  refused.settle([{ devices: [] }]);
  assert.equal(refused.error?.message, 'This agent has no HIP device (Cycles sees no GPU here); start it with --render-device auto or cpu.');
  assert.deepEqual(refused.current(), { renderDevice: 'cpu', deviceIds: [] });
});
