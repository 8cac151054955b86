import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { runBlenderScript } from './blender-script.js';

/**
 * A rig-like scene that renders right only with its Python: a registered text block
 * (`rig_gain.py`, `use_module`) puts `fh_gain` into the drivers' namespace at load, and a
 * driver on the emission strength of the one plane filling the frame evaluates `fh_gain()`
 * (not an expression Blender's simple-expression evaluator handles). With `-y` the plane
 * shines at strength 1.0 (centre pixel 7caae8, Blender 3.4.1); with `--disable-autoexec` the
 * text block is skipped, the driver fails (`fh_gain` is not in the restricted namespace) and
 * Blender sets the strength to 0: a black frame (010101). Tiny: 32×24, 1 Cycles sample.
 */

export const DRIVER_TEXT = 'rig_gain.py';
export const DRIVER_EXPRESSION = 'fh_gain()';

const SCRIPT = `
import bpy, sys
out = sys.argv[sys.argv.index("--") + 1]
bpy.ops.wm.read_factory_settings(use_empty=True)
s = bpy.context.scene
s.render.engine = "CYCLES"
s.cycles.device = "CPU"
s.cycles.samples = 1
s.cycles.use_denoising = False
s.cycles.use_adaptive_sampling = False
s.view_settings.view_transform = "Standard"
s.render.resolution_x, s.render.resolution_y, s.render.resolution_percentage = 32, 24, 100
s.frame_start, s.frame_end = 1, 1
s.render.image_settings.file_format = "PNG"
text = bpy.data.texts.new(${JSON.stringify(DRIVER_TEXT)})
text.write("import bpy\\nbpy.app.driver_namespace['fh_gain'] = lambda: 1.0\\n")
text.use_module = True
mat = bpy.data.materials.new("Glow")
mat.use_nodes = True
nodes, links = mat.node_tree.nodes, mat.node_tree.links
nodes.clear()
emit = nodes.new("ShaderNodeEmission")
emit.inputs["Color"].default_value = (0.2, 0.4, 0.8, 1.0)
emit.inputs["Strength"].default_value = 0.25
out_node = nodes.new("ShaderNodeOutputMaterial")
links.new(emit.outputs["Emission"], out_node.inputs["Surface"])
fcurve = emit.inputs["Strength"].driver_add("default_value")
fcurve.driver.type = "SCRIPTED"
fcurve.driver.expression = ${JSON.stringify(DRIVER_EXPRESSION)}
bpy.ops.mesh.primitive_plane_add(size=10)
bpy.context.active_object.data.materials.append(mat)
bpy.ops.object.camera_add(location=(0, 0, 5), rotation=(0, 0, 0))
cam = bpy.context.active_object
cam.data.type = "ORTHO"
cam.data.ortho_scale = 4
s.camera = cam
bpy.ops.wm.save_as_mainfile(filepath=out, compress=False, relative_remap=False)
`;

/** Writes the scene at `out` (its folder is made); returns `out`. */
export async function makePythonDriverScene(out: string, home: string): Promise<string> {
  await mkdir(dirname(out), { recursive: true });
  const output = await runBlenderScript(['--python-expr', SCRIPT, '--', out], { home, what: 'Python-driver scene' });
  const saved = await stat(out).catch(() => null);
  if (!saved || saved.size === 0) throw new Error(`Blender did not save the Python-driver scene at ${out}:\n${output}`);
  return out;
}
