import type { BlenderInstall, BlenderTaskSpec, GpuBackend } from '../protocol/index.js';
import type { RenderDeviceSetup } from '../render-device.js';
import { pythonString, type PythonSnippet } from './blender-python-step.js';
import { STEP_WARNING_PREFIX } from './blender-warnings.js';

/**
 * The render device, set by the agent's Python step (after `--factory-startup`, which resets
 * Cycles' preferences to no compute device: without this step every GPU box renders on its
 * CPU in silence). For each scene using Cycles, the device it should use is the task's
 * (`spec.device`) or else the scene's own `cycles.device`. When one wants the GPU and the
 * agent has a backend, the preferences get that backend as compute device type and only the
 * selected devices (`--gpus`, default all of the backend; never the CPU) switched on, and the
 * scene `cycles.device = 'GPU'`. Without a GPU such a scene is set to the CPU and, when it is
 * the scene rendered with Cycles, the step prints a `farmhand warning:` line the runner's
 * warning collector turns into a task warning. The preferences are only changed in memory:
 * Blender in background mode does not save them.
 */

export interface DeviceStepOptions {
  /** The task's `device`; absent: each scene's own Cycles device. */
  device?: 'cpu' | 'gpu';
  /** The task's `-E` engine, which applies after the step (the scene's own engine otherwise). */
  engine?: string;
  /** The agent's backend when it renders on a GPU (`--render-device` resolved) and this Blender sees it; null: the CPU. */
  backend: GpuBackend | null;
  /** The backend's devices to switch on, by Cycles id. */
  deviceIds: readonly string[];
  /** Without a backend: why, for the warning ("this agent has no GPU"). */
  noGpu?: string;
}

/**
 * The step's options for one task: the agent's backend and devices, as far as the Blender
 * chosen for the task sees them. A Blender that sees none of them (an old one without the
 * backend) renders on the CPU, and the warning says which Blender.
 */
export function deviceStepFor(spec: Pick<BlenderTaskSpec, 'device' | 'engine'>, setup: RenderDeviceSetup, blender: Pick<BlenderInstall, 'version' | 'devices'>): DeviceStepOptions {
  const task = { ...(spec.device ? { device: spec.device } : {}), ...(spec.engine ? { engine: spec.engine } : {}) };
  if (setup.renderDevice === 'cpu') return { ...task, backend: null, deviceIds: [], noGpu: 'this agent has no GPU' };
  const backend = setup.renderDevice;
  const seen = blender.devices.filter((d) => d.backend === backend && setup.deviceIds.includes(d.id)).map((d) => d.id);
  if (seen.length === 0) return { ...task, backend: null, deviceIds: [], noGpu: `Blender ${blender.version} on this agent sees none of its ${backend} devices` };
  return { ...task, backend, deviceIds: seen };
}


export function deviceSnippet(o: DeviceStepOptions): PythonSnippet {
  const data = JSON.stringify({ device: o.device ?? null, engine: o.engine ?? null, backend: o.backend, ids: [...o.deviceIds], noGpu: o.noGpu ?? 'this agent has no GPU' });
  return `import json as _j
_d = _j.loads(${pythonString(data)})
_want = []
for _s in bpy.data.scenes:
    _c = getattr(_s, 'cycles', None)
    if _c is not None:
        _want.append((_s, _d['device'].upper() if _d['device'] else _c.device))
_n = 0
_no_gpu = _d['noGpu']
if _d['backend'] and any(_w == 'GPU' for _s, _w in _want):
    try:
        _p = bpy.context.preferences.addons['cycles'].preferences
        _p.refresh_devices()
        _p.compute_device_type = _d['backend']
        for _dev in _p.devices:
            _dev.use = _dev.type == _d['backend'] and _dev.id in _d['ids']
            if _dev.use:
                _n += 1
        if _n == 0:
            _no_gpu = "Cycles here lists none of the agent's %s devices" % _d['backend']
    except Exception as _e:
        _n = 0
        _no_gpu = "Cycles here refused the %s devices (%s)" % (_d['backend'], _e)
_active = None
for _s, _w in _want:
    try:
        _s.cycles.device = 'GPU' if _w == 'GPU' and _n > 0 else 'CPU'
    except AttributeError:
        pass
    if _s == bpy.context.scene:
        _active = _w
_scene = bpy.context.scene
_engine = _d['engine'] or _scene.render.engine
if _active is None:
    print("farmhand: this Blender has no Cycles; the render device is left as it is", flush=True)
elif _active == 'GPU' and _n > 0:
    print("farmhand: Cycles renders on the GPU: %d %s device(s)" % (_n, _d['backend']), flush=True)
else:
    print("farmhand: Cycles renders on the CPU", flush=True)
    if _active == 'GPU' and _engine == 'CYCLES':
        _who = 'The job' if _d['device'] else 'The scene'
        print(${pythonString(STEP_WARNING_PREFIX)} + "%s asks for GPU rendering but %s; frames were rendered on the CPU." % (_who, _no_gpu), flush=True)`;
}
