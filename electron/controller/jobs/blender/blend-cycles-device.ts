import type { BlendBlock, BlendFile } from './blend-file.js';
import { idPropertyChild, idPropertyInt } from './blend-id-properties.js';

/**
 * The scene's Cycles device (Render Properties > Device), read from the file. Cycles keeps its
 * scene settings as ID properties (the add-on's `CyclesRenderSettings`, a PointerProperty named
 * `cycles`), so the file holds them in the scene's IDProperty group `cycles`, and `device` is an
 * int (the enum's index: 0 CPU, 1 GPU). A property never changed from its default is not
 * written, and Cycles' default is CPU (`device: EnumProperty(..., default='CPU')` in
 * intern/cycles/blender/addon/properties.py), so an absent value is CPU. Only for a Cycles scene:
 * other engines ignore it.
 */

const DEVICE_NAMES = ['CPU', 'GPU'] as const;

export function cyclesDeviceOf(blend: BlendFile, scene: BlendBlock): 'CPU' | 'GPU' | undefined {
  if (blend.string(scene, 'r.engine') !== 'CYCLES') return undefined;
  const cycles = idPropertyChild(blend, blend.pointer(scene, 'id.properties'), 'cycles');
  const device = cycles ? idPropertyInt(blend, idPropertyChild(blend, cycles.address, 'device')) : undefined;
  return DEVICE_NAMES[device ?? 0] ?? 'CPU';
}

/** The same inside Blender (the probe's fallback): Cycles' own property, for a Cycles scene. */
export const CYCLES_DEVICE_PY = `
def farmhand_cycles_device(scene):
    if scene.render.engine != "CYCLES":
        return None
    return getattr(getattr(scene, "cycles", None), "device", "CPU")
`;
