import { spawn } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { runBlenderScript } from './blender-script.js';

/**
 * A tiny scene whose whole frame is one image texture (emission, orthographic camera, Standard
 * view transform, 1 Cycles sample): a frame shows the texture's colour where the texture was
 * found and Blender's magenta where it was not. The image's path is stored exactly as given
 * (`//textures/wood.png`, `C:\\textures\\wood.png`), whether or not the file exists.
 */

const SCRIPT = `
import bpy, sys, math
out, image_path = sys.argv[sys.argv.index("--") + 1:][:2]
bpy.ops.wm.read_factory_settings(use_empty=True)
s = bpy.context.scene
s.render.engine = "CYCLES"
s.cycles.device = "CPU"
s.cycles.samples = 1
s.cycles.use_denoising = False
s.cycles.use_adaptive_sampling = False
s.view_settings.view_transform = "Standard"
s.render.resolution_x, s.render.resolution_y, s.render.resolution_percentage = 32, 24, 100
s.frame_start, s.frame_end = 1, 2
s.render.image_settings.file_format = "PNG"
img = bpy.data.images.new("wood", 4, 4)
img.source = "FILE"
img.filepath = image_path
mat = bpy.data.materials.new("Tex")
mat.use_nodes = True
nodes, links = mat.node_tree.nodes, mat.node_tree.links
nodes.clear()
tex = nodes.new("ShaderNodeTexImage"); tex.image = img
emit = nodes.new("ShaderNodeEmission")
out_node = nodes.new("ShaderNodeOutputMaterial")
links.new(tex.outputs["Color"], emit.inputs["Color"])
links.new(emit.outputs["Emission"], out_node.inputs["Surface"])
bpy.ops.mesh.primitive_plane_add(size=10)
bpy.context.active_object.data.materials.append(mat)
bpy.ops.object.camera_add(location=(0, 0, 5), rotation=(0, 0, 0))
cam = bpy.context.active_object
cam.data.type = "ORTHO"
cam.data.ortho_scale = 4
s.camera = cam
bpy.ops.wm.save_as_mainfile(filepath=out, compress=False, relative_remap=False)
`;

/** Writes the scene at `out` (its folder is made) naming the texture as `imagePath`. */
export async function makeTexturedScene(out: string, imagePath: string, home: string): Promise<string> {
  await mkdir(dirname(out), { recursive: true });
  const output = await runBlenderScript(['--python-expr', SCRIPT, '--', out, imagePath], { home, what: 'textured scene' });
  const saved = await stat(out).catch(() => null);
  if (!saved || saved.size === 0) throw new Error(`Blender did not save the textured scene at ${out}:\n${output}`);
  return out;
}

/** A solid-colour PNG (8×8) made by ffmpeg, e.g. `0x20c040`. */
export async function makeSolidPng(out: string, color: string): Promise<string> {
  await mkdir(dirname(out), { recursive: true });
  await run(process.env.FARMHAND_FFMPEG || 'ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `color=c=${color}:s=8x8`, '-frames:v', '1', out]);
  return out;
}

/** The centre pixel of an image as [r, g, b], decoded by ffmpeg. */
export async function centrePixel(file: string): Promise<[number, number, number]> {
  const raw = await run(process.env.FARMHAND_FFMPEG || 'ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
  // 32×24 frames (makeTexturedScene): the centre is row 12, column 16.
  const width = 32;
  const at = (12 * width + 16) * 3;
  if (raw.length < at + 3) throw new Error(`${file} has ${raw.length} bytes of pixels, fewer than a 32×24 frame`);
  return [raw[at]!, raw[at + 1]!, raw[at + 2]!];
}

/** Blender's colour for a texture it could not find. */
export function isMagenta([r, g, b]: [number, number, number]): boolean {
  return r > 200 && g < 40 && b > 200;
}

function run(cmd: string, args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`${cmd} failed (exit ${code}): ${err.trim()}`))));
  });
}
