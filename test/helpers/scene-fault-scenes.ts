import { join } from 'node:path';
import { runBlenderScript } from './blender-script.js';

/**
 * Tiny scenes Blender refuses to render for a reason in the scene itself
 * (node-agent/runners/scene-faults.ts), built by the installed Blender: what the fail-fast
 * integration and browser tests render on two agents. Each is 32×24, one Cycles sample, frames 1-4.
 */

const COMMON = `
import bpy, sys
kind, out = sys.argv[sys.argv.index("--") + 1:][:2]
bpy.ops.wm.read_factory_settings(use_empty=True)
s = bpy.context.scene
s.render.engine = "CYCLES"
s.cycles.samples = 1
s.cycles.use_denoising = False
s.render.resolution_x, s.render.resolution_y = 32, 24
s.frame_start, s.frame_end = 1, 4
if kind != "no-camera":
    cam = bpy.data.objects.new("Camera", bpy.data.cameras.new("Camera"))
    s.collection.objects.link(cam)
    s.camera = cam
# Blender 3.4.1 refuses both of these with "Image too small" before any pixel (for an empty
# region it does not say "No border area selected", measured).
if kind == "tiny-resolution":
    s.render.resolution_x, s.render.resolution_y, s.render.resolution_percentage = 4, 4, 1
elif kind == "empty-region":
    s.render.use_border = True
    s.render.border_min_x = s.render.border_max_x = 0.5
bpy.ops.wm.save_as_mainfile(filepath=out)
`;

export type FaultySceneKind = 'no-camera' | 'tiny-resolution' | 'empty-region';

/** Builds `name` in `dir` (Blender's HOME in `dir`/.blender-home) and gives its path. */
export async function makeFaultyScene(dir: string, kind: FaultySceneKind, name: string): Promise<string> {
  const path = join(dir, name);
  await runBlenderScript(['--python-expr', COMMON, '--', kind, path], { home: join(dir, '.blender-home'), what: `${kind} scene` });
  return path;
}
