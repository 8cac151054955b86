import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runBlenderScript } from './blender-script.js';

/**
 * Tiny scenes (64×48, Cycles, 2 samples, frames 1–2) for "every output comes back" with views
 * and view layers: Blender's default cube, light and camera plus a sphere in its own
 * collection "Extra", so two view layers differ (the first excludes "Extra").
 * - `stereo`: stereoscopy on, output Views Format Individual (`_L`/`_R` files per frame);
 * - `stereo3d`: the same, Views Format Stereo 3D (one anaglyph file per frame);
 * - `stereo-exr`: the same as multilayer EXR, Views Format Multi-View (both views in one file);
 * - `stereo-one-view`: `stereo` with its right view switched off (one view: a mono file);
 * - `multiview`: Multi-View mode, views left (`_L`), right switched off, and a custom "center" (`_C`);
 * - `layers`: two renderable view layers ("ViewLayer", "Extra Layer"), compositor off;
 * - `layers-exr`: the same, saved as multilayer EXR, its second layer switched off (`use`).
 */

export type ViewsSceneName = 'stereo' | 'stereo3d' | 'stereo-exr' | 'stereo-one-view' | 'multiview' | 'layers' | 'layers-exr';

const SCRIPT = `
import bpy, sys
out, kind = sys.argv[sys.argv.index("--") + 1:][:2]
s = bpy.context.scene
r = s.render
r.engine = "CYCLES"
s.cycles.device = "CPU"
s.cycles.samples = 2
s.cycles.use_denoising = False
s.cycles.use_adaptive_sampling = False
s.view_settings.view_transform = "Standard"
r.resolution_x, r.resolution_y, r.resolution_percentage = 64, 48, 100
s.frame_start, s.frame_end = 1, 2
r.image_settings.file_format = "PNG"
bpy.data.objects["Cube"].location.x = -1
bpy.data.objects["Cube"].keyframe_insert("location", frame=1)
bpy.data.objects["Cube"].location.z = 0.5
bpy.data.objects["Cube"].keyframe_insert("location", frame=2)
bpy.ops.mesh.primitive_uv_sphere_add(location=(2, 0, 0), segments=12, ring_count=6)
sphere = bpy.context.active_object
extra = bpy.data.collections.new("Extra")
s.collection.children.link(extra)
for c in list(sphere.users_collection):
    c.objects.unlink(sphere)
extra.objects.link(sphere)
if kind in ("stereo", "stereo3d", "stereo-exr", "stereo-one-view", "multiview"):
    r.use_multiview = True
    r.views_format = "MULTIVIEW" if kind == "multiview" else "STEREO_3D"
    if kind == "stereo-exr":
        r.image_settings.file_format = "OPEN_EXR_MULTILAYER"
    r.image_settings.views_format = {"stereo3d": "STEREO_3D", "stereo-exr": "MULTIVIEW"}.get(kind, "INDIVIDUAL")
    if kind in ("stereo-one-view", "multiview"):
        r.views["right"].use = False
    if kind == "multiview":
        center = r.views.new("center")
        center.file_suffix = "_C"
if kind in ("layers", "layers-exr"):
    second = s.view_layers.new("Extra Layer")
    s.view_layers[0].layer_collection.children["Extra"].exclude = True
    if kind == "layers-exr":
        r.image_settings.file_format = "OPEN_EXR_MULTILAYER"
        second.use = False
bpy.ops.wm.save_as_mainfile(filepath=out, compress=False)
`;

/** Writes `<dir>/<name>.blend`. */
export async function makeViewsScene(dir: string, name: ViewsSceneName, home: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const out = join(dir, `${name}.blend`);
  await runBlenderScript(['--python-expr', SCRIPT, '--', out, name], { home, what: `${name} scene` });
  if (!(await stat(out).catch(() => null))?.size) throw new Error(`Blender did not save the ${name} scene at ${out}`);
  return out;
}

/**
 * A direct render, `blender -b <scene> [--python-expr …] -o <out>/frame_#### -F <format> -f N…`,
 * the same as an artist's: every file Blender wrote under `out`, sorted.
 */
export async function renderDirect(scene: string, out: string, frames: number[], o: { home: string; format?: string; python?: string }): Promise<string[]> {
  await mkdir(out, { recursive: true });
  await runBlenderScript([
    scene, ...(o.python ? ['--python-expr', o.python] : []),
    '-o', join(out, 'frame_####'), '-F', o.format ?? 'PNG', '-x', '1', ...frames.flatMap((f) => ['-f', String(f)]),
  ], { home: o.home, what: `direct render of ${scene}` });
  return (await readdir(out, { recursive: true })).map(String).filter((n) => /\.[a-z]+$/.test(n)).sort();
}
