import type { BlenderTaskSpec } from '../protocol/index.js';
import { pythonString, type PythonSnippet } from './blender-python-step.js';
import { STEP_WARNING_PREFIX } from './blender-warnings.js';

/**
 * One region of a tiled still (`--tiles`), set by the agent's Python step as a border render
 * (never by the file's scripts, never by rewriting the .blend). Facts from Blender 3.4 that
 * shape it:
 * - Blender turns the border into pixels as `(int)(border * winx)` in float (pipeline.cc,
 *   `render_init_from_main`), where `winx = resolution_x * percentage / 100` in integers. A
 *   pixel edge p is therefore passed as `(p + 0.5) / winx` (it truncates back to p whatever
 *   the float rounding), and the frame's edges as exactly 0 and 1.
 * - Blender's y runs from the bottom; regions here are from the top, as in the saved image.
 * - "Crop to border" is switched off: the tile is saved at the frame's full size, the region in
 *   place. With crop on, Blender's dither noise (render.dither_intensity, 1 by default for 8-bit
 *   outputs) is seeded by the pixel's place in the saved image, so a cropped tile differs from
 *   the whole frame by ±2 in 8-bit values; in place, it is equal byte for byte.
 * The step also says, as task warnings, where a region can differ from a whole render: Cycles'
 * denoiser and adaptive sampling, and compositor nodes that read neighbouring pixels (EEVEE is
 * known at submit: the job's own warning, tiled-still.ts).
 */

export type Region = NonNullable<BlenderTaskSpec['region']>;

/** The border fraction Blender truncates back to pixel edge `pixel` of a `size`-pixel frame. */
export function borderFraction(pixel: number, size: number): number {
  if (pixel <= 0) return 0;
  if (pixel >= size) return 1;
  return (pixel + 0.5) / size;
}

/** The pixel edge Blender makes of a border fraction: float32 product, truncated (for tests of borderFraction). */
export function blenderBorderPixel(fraction: number, size: number): number {
  return Math.trunc(Math.fround(Math.fround(fraction) * size));
}

/** Compositor nodes whose output pixel reads other pixels: a region composited alone can show a seam. */
export const NEIGHBOUR_NODES = [
  'BLUR', 'BILATERALBLUR', 'BOKEHBLUR', 'DEFOCUS', 'DBLUR', 'VECBLUR', 'GLARE', 'FILTER', 'DILATEERODE', 'INPAINT',
  'DESPECKLE', 'DENOISE', 'LENSDIST', 'MOVIEDISTORTION', 'TRANSLATE', 'ROTATE', 'SCALE', 'TRANSFORM', 'FLIP',
  'CROP', 'DISPLACE', 'MAP_UV', 'STABILIZE2D', 'PLANETRACKDEFORM', 'CORNERPIN', 'SUNBEAMS', 'KEYING', 'PIXELATE',
  'ANTIALIASING', 'KUWAHARA', 'DOUBLEEDGEMASK', 'NORMALIZE', 'LEVELS',
] as const;

export function borderSnippet(region: Region): PythonSnippet {
  const { frameWidth: w, frameHeight: h } = region;
  const data = JSON.stringify({
    w, h,
    x0: borderFraction(region.x, w), x1: borderFraction(region.x + region.width, w),
    // Blender's y from the bottom: the region's lower edge is h - (y + height).
    y0: borderFraction(h - region.y - region.height, h), y1: borderFraction(h - region.y, h),
    neighbours: NEIGHBOUR_NODES,
    warn: STEP_WARNING_PREFIX,
  });
  return `import json as _j
_d = _j.loads(${pythonString(data)})
_s = bpy.context.scene
_r = _s.render
_fw = _r.resolution_x * _r.resolution_percentage // 100
_fh = _r.resolution_y * _r.resolution_percentage // 100
if (_fw, _fh) != (_d['w'], _d['h']):
    raise RuntimeError("the scene renders %dx%d here but its tiles were planned for %dx%d; submit the job again" % (_fw, _fh, _d['w'], _d['h']))
_r.use_border = True
_r.use_crop_to_border = False
_r.border_min_x, _r.border_max_x = _d['x0'], _d['x1']
_r.border_min_y, _r.border_max_y = _d['y0'], _d['y1']
print("farmhand: rendering the region x %g-%g, y %g-%g of %dx%d" % (_d['x0'], _d['x1'], _d['y0'], _d['y1'], _fw, _fh), flush=True)
_c = getattr(_s, 'cycles', None)
if _r.engine == 'CYCLES' and _c is not None:
    _what = [n for n, on in (("denoising", getattr(_c, 'use_denoising', False)), ("adaptive sampling", getattr(_c, 'use_adaptive_sampling', False))) if on]
    if _what:
        print(_d['warn'] + "Tiles: the scene uses Cycles %s, which reads neighbouring pixels; each region is rendered with a margin and cut, so the merged frame can differ slightly from a whole render (turn %s off for an exact merge)." % (" and ".join(_what), "it" if len(_what) == 1 else "them"), flush=True)
if _s.use_nodes and _r.use_compositing and _s.node_tree is not None:
    _names = sorted(set(_n.name for _n in _s.node_tree.nodes if _n.type in _d['neighbours'] and not _n.mute))
    if _names:
        print(_d['warn'] + "Tiles: the compositor's %s read%s neighbouring pixels and each region is composited alone, so seams can show; render this still whole or mute %s." % (", ".join(_names[:5]), "s" if len(_names) == 1 else "", "it" if len(_names) == 1 else "them"), flush=True)`;
}
