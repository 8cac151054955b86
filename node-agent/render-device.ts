import { BACKEND_PREFERENCE } from './gpu-probe.js';
import { GpuBackendSchema, type BlenderInstall, type GpuBackend, type GpuDevice, type RenderDevice } from './protocol/messages.js';

/**
 * Where this agent renders a task that may use a GPU, from its options and the devices its
 * Blenders' Cycles found:
 * - `--render-device auto` (default): the best backend present, in BACKEND_PREFERENCE order
 *   (OptiX before CUDA: the same NVIDIA card, faster), else the CPU;
 * - `--render-device cpu`: the CPU, whatever is there;
 * - `--render-device OPTIX|CUDA|HIP|ONEAPI|METAL`: that backend, and the agent refuses to start
 *   when no Blender of it sees a device of it (one sentence naming what it has);
 * - `--gpus LIST`: which of the backend's devices to use, by Cycles' id or by index (0, 1, …
 *   in the order the agent lists them); a name the agent does not have is refused at start.
 */

export type RenderDeviceChoice = 'auto' | 'cpu' | GpuBackend;

/** A wrong `--render-device` or `--gpus`: the sentence says what the machine has. */
export class RenderDeviceError extends Error {}

const CHOICES = ['auto', 'cpu', ...BACKEND_PREFERENCE] as const;

/** `--render-device`: any case (`optix`, `OptiX`). */
export function parseRenderDeviceOption(value: string): RenderDeviceChoice {
  const v = value.trim();
  if (v.toLowerCase() === 'auto' || v.toLowerCase() === 'cpu') return v.toLowerCase() as 'auto' | 'cpu';
  const backend = GpuBackendSchema.safeParse(v.toUpperCase());
  if (backend.success) return backend.data;
  throw new RenderDeviceError(`--render-device must be one of ${CHOICES.join(', ')}, not "${value}".`);
}

/** `--gpus 0,1` or `--gpus "CUDA_NVIDIA GeForce RTX 3090_0000:01:00"`: comma-separated, each at most 256 characters, at most 64. */
export function parseGpusOption(value: string): string[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new RenderDeviceError('--gpus needs a comma-separated list of device ids or indexes (0,1).');
  if (items.length > 64 || items.some((s) => s.length > 256)) throw new RenderDeviceError('--gpus takes at most 64 device ids or indexes of at most 256 characters each.');
  return [...new Set(items)];
}

/** What a render uses: the backend and the ids of its devices to enable, or the CPU. */
export interface RenderDeviceSetup {
  renderDevice: RenderDevice;
  /** The backend's devices to use, by Cycles id ([] on the CPU). */
  deviceIds: string[];
}

/** Every GPU the agent's Blenders see, each (backend, id) once, in the Blenders' order. */
export function agentDevices(installs: readonly Pick<BlenderInstall, 'devices'>[]): GpuDevice[] {
  const seen = new Set<string>();
  const all: GpuDevice[] = [];
  for (const install of installs) {
    for (const d of install.devices) {
      const key = `${d.backend}\u0000${d.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      all.push(d);
    }
  }
  return all;
}

/** Resolves `--render-device` and `--gpus` against the devices found; throws RenderDeviceError with the sentence to print. */
export function resolveRenderDevice(choice: RenderDeviceChoice, gpus: readonly string[] | undefined, devices: readonly GpuDevice[]): RenderDeviceSetup {
  const present = BACKEND_PREFERENCE.filter((b) => devices.some((d) => d.backend === b));
  if (choice === 'cpu') {
    if (gpus?.length) throw new RenderDeviceError('--gpus was given with --render-device cpu; drop one of them.');
    return { renderDevice: 'cpu', deviceIds: [] };
  }
  if (choice !== 'auto' && !present.includes(choice)) {
    throw new RenderDeviceError(`This agent has no ${choice} device (${describePresent(devices, present)}); start it with --render-device auto${present.length ? `, ${present.join(', ')}` : ''} or cpu.`);
  }
  const backend = choice === 'auto' ? present[0] : choice;
  if (backend === undefined) {
    if (gpus?.length) throw new RenderDeviceError('--gpus was given but Cycles sees no GPU on this agent; drop --gpus (it renders on the CPU).');
    return { renderDevice: 'cpu', deviceIds: [] };
  }
  const own = devices.filter((d) => d.backend === backend);
  return { renderDevice: backend, deviceIds: gpus?.length ? selectDevices(backend, own, gpus) : own.map((d) => d.id) };
}

/** The ids `--gpus` names among `own` (the backend's devices): an index or an exact id each. */
function selectDevices(backend: GpuBackend, own: readonly GpuDevice[], gpus: readonly string[]): string[] {
  const ids: string[] = [];
  for (const item of gpus) {
    const byIndex = /^\d{1,3}$/.test(item) ? own[Number(item)] : undefined;
    const device = byIndex ?? own.find((d) => d.id === item);
    if (!device) {
      const listed = own.map((d, i) => `${i}: ${d.name} (${d.id})`).join('; ');
      throw new RenderDeviceError(`--gpus names "${item}", which is not one of this agent's ${backend} devices (${listed}); give their indexes or ids.`);
    }
    if (!ids.includes(device.id)) ids.push(device.id);
  }
  return ids;
}

function describePresent(devices: readonly GpuDevice[], present: readonly GpuBackend[]): string {
  if (present.length === 0) return 'Cycles sees no GPU here';
  return `Cycles sees ${present.map((b) => `${b}: ${devices.filter((d) => d.backend === b).map((d) => d.name).join(', ')}`).join('; ')}`;
}

/**
 * The mDNS TXT value: the backend and how many of its devices render (`OPTIX:2`), absent on
 * the CPU. Short on purpose (a TXT record is small); names and ids are in the capabilities.
 */
export function deviceSummary(setup: RenderDeviceSetup): string | null {
  return setup.renderDevice === 'cpu' ? null : `${setup.renderDevice}:${setup.deviceIds.length}`;
}

/**
 * The agent's render device as its Blenders are probed: the CPU until they are, then the
 * resolution of its options (`error` set when they cannot be met: the agent does not start).
 */
export class AgentRenderDevice {
  private setup: RenderDeviceSetup = { renderDevice: 'cpu', deviceIds: [] };
  error: RenderDeviceError | null = null;

  constructor(private readonly choice: RenderDeviceChoice = 'auto', private readonly gpus?: readonly string[]) {}

  /** The Blenders are known, with their devices. */
  settle(installs: readonly Pick<BlenderInstall, 'devices'>[]): void {
    try {
      this.setup = resolveRenderDevice(this.choice, this.gpus, agentDevices(installs));
      this.error = null;
    } catch (error) {
      if (!(error instanceof RenderDeviceError)) throw error;
      this.setup = { renderDevice: 'cpu', deviceIds: [] };
      this.error = error;
    }
  }

  current(): RenderDeviceSetup {
    return this.setup;
  }
}

/** The agent's start-up line about it: `render device: OPTIX (2 devices: NVIDIA GeForce RTX 3090, …); tag gpu`. */
export function describeRenderDevice(setup: RenderDeviceSetup, installs: readonly Pick<BlenderInstall, 'devices'>[]): string {
  if (setup.renderDevice === 'cpu') {
    const any = agentDevices(installs).length > 0;
    return `render device: CPU (${any ? '--render-device cpu' : 'Cycles sees no GPU here'})`;
  }
  const byId = new Map(agentDevices(installs).filter((d) => d.backend === setup.renderDevice).map((d) => [d.id, d.name]));
  const names = setup.deviceIds.map((id) => byId.get(id) ?? id);
  return `render device: ${setup.renderDevice} (${names.length} device${names.length === 1 ? '' : 's'}: ${names.join(', ')}); tag gpu`;
}
