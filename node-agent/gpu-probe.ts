import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { GpuBackendSchema, type GpuBackend, type GpuDevice } from './protocol/messages.js';

/**
 * Which GPUs Cycles can render on through one Blender: asked of Blender itself, because only
 * its Cycles knows which backends it was built with (Debian's 3.4.1 has none of CUDA/OptiX)
 * and which drivers it can load. The agent runs a short Python in background mode with
 * factory settings (the user's preferences stay out of it), `refresh_devices()` fills
 * Cycles' device list (it is empty until then: Cycles does not look at start-up), and the
 * GPU entries are printed as one JSON line after a marker. Same API in 3.4 and 4.x
 * (`refresh_devices`, `devices[].id/name/type`; 4.x's `get_device_types` has a sixth flag, HIP RT).
 */

/** The line the probe prints its answer on, so Blender's own output around it is ignored. */
export const PROBE_MARKER = 'FARMHAND_GPU_PROBE ';

/** Cycles' backends in the order the agent prefers them: OptiX before CUDA on the same NVIDIA card. */
export const BACKEND_PREFERENCE: readonly GpuBackend[] = ['OPTIX', 'CUDA', 'HIP', 'ONEAPI', 'METAL'];

export const DEVICE_PROBE_PYTHON = `import json
_out = {'devices': [], 'compiled': [], 'error': None}
try:
    import bpy, _cycles
    _flags = tuple(_cycles.get_device_types())
    _out['compiled'] = [n for n, f in zip(('CUDA', 'OPTIX', 'HIP', 'METAL', 'ONEAPI'), _flags) if f]
    _prefs = bpy.context.preferences.addons['cycles'].preferences
    _prefs.refresh_devices()
    for _dev in _prefs.devices:
        if _dev.type in ${JSON.stringify(BACKEND_PREFERENCE)}:
            _out['devices'].append({'backend': _dev.type, 'id': _dev.id, 'name': _dev.name})
except Exception as _e:
    _out['error'] = '%s: %s' % (type(_e).__name__, _e)
print(${JSON.stringify(PROBE_MARKER)} + json.dumps(_out), flush=True)`;

/** The command line of the probe, after the Blender executable. */
export const DEVICE_PROBE_ARGS: readonly string[] = ['-b', '-noaudio', '--factory-startup', '--python-expr', DEVICE_PROBE_PYTHON];

/** What the probe found: the devices, and what Cycles was built with (for the agent's log). */
export interface DeviceProbeAnswer {
  devices: GpuDevice[];
  /** Backends this Blender's Cycles was compiled with, whether or not a device of them is there. */
  compiled: GpuBackend[];
}

/** Bounds on what is believed of the answer (a machine has a handful of GPUs). */
export const MAX_PROBE_DEVICES = 64;
const MAX_TEXT = 256;
const MAX_ANSWER_CHARS = 256 * 1024;

export class DeviceProbeError extends Error {}

/**
 * Reads the probe's output: the marker line's JSON, every field checked and bounded. Devices
 * beyond MAX_PROBE_DEVICES, of an unknown backend, or with an empty id or name are dropped;
 * a repeated (backend, id) counts once. No marker line, bad JSON or a Python error on
 * Blender's side is a DeviceProbeError naming it.
 */
export function parseDeviceProbe(output: string): DeviceProbeAnswer {
  const line = output.split('\n').find((l) => l.startsWith(PROBE_MARKER));
  if (line === undefined) throw new DeviceProbeError('Blender printed no device list');
  if (line.length > MAX_ANSWER_CHARS) throw new DeviceProbeError(`the device list is longer than ${MAX_ANSWER_CHARS} characters`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(line.slice(PROBE_MARKER.length));
  } catch {
    throw new DeviceProbeError('the device list is not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object') throw new DeviceProbeError('the device list is not a JSON object');
  const answer = parsed as { devices?: unknown; compiled?: unknown; error?: unknown };
  if (typeof answer.error === 'string' && answer.error !== '') throw new DeviceProbeError(`Cycles said ${answer.error.slice(0, MAX_TEXT)}`);
  const devices: GpuDevice[] = [];
  const seen = new Set<string>();
  for (const raw of Array.isArray(answer.devices) ? answer.devices : []) {
    if (devices.length === MAX_PROBE_DEVICES) break;
    if (!raw || typeof raw !== 'object') continue;
    const { backend, id, name } = raw as Record<string, unknown>;
    const known = GpuBackendSchema.safeParse(backend);
    if (!known.success || !isText(id) || !isText(name)) continue;
    const key = `${known.data}\u0000${id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    devices.push({ backend: known.data, id, name });
  }
  const compiled = (Array.isArray(answer.compiled) ? answer.compiled : [])
    .map((b) => GpuBackendSchema.safeParse(b))
    .filter((r) => r.success)
    .map((r) => r.data!);
  return { devices, compiled: [...new Set(compiled)] };
}

function isText(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_TEXT;
}

/** A real GPU driver can take seconds to initialise (CUDA's first context); a hung one must not hold the agent. */
export const DEVICE_PROBE_TIMEOUT_MS = 60_000;

/** Runs the probe with `blenderPath`, HOME in `scratchHome` (Blender writes into its HOME). */
export function runDeviceProbe(blenderPath: string, scratchHome: string, timeoutMs = DEVICE_PROBE_TIMEOUT_MS): Promise<DeviceProbeAnswer> {
  return new Promise((done, fail) => {
    execFile(blenderPath, DEVICE_PROBE_ARGS, {
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      maxBuffer: 4 * 1024 * 1024,
      env: { ...process.env, HOME: scratchHome, XDG_CACHE_HOME: join(scratchHome, '.cache') },
    }, (error, stdout) => {
      // Blender's exit code is 0 even when the Python failed: the marker line decides.
      try {
        return done(parseDeviceProbe(stdout));
      } catch (parseError) {
        if (error) {
          const timedOut = (error as { killed?: boolean }).killed;
          return fail(new DeviceProbeError(timedOut ? `no answer within ${timeoutMs / 1000} s` : error.message.split('\n')[0]!));
        }
        return fail(parseError);
      }
    });
  });
}
