import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { findBlender } from '../../electron/controller/jobs/blender/find-blender.js';
import { makeSolidPng, makeTexturedScene } from './textured-scene.js';

/**
 * A scene that renders but makes Blender report a modifier error: the textured scene (its
 * texture at an absolute path that exists) with a mesh-cache modifier on its 4-vertex plane
 * reading a PC2 of 1 point. Blender 3.4.1 prints, twice:
 * `ERROR (bke.modifier): …BKE_modifier_set_error: Object: "Plane", Modifier: "MC", Vertex count mismatch`.
 */
export const MODIFIER_WARNING = 'The modifier "MC" on object "Plane" failed: Vertex count mismatch.';

/** Writes `<dir>/meshcache/shot.blend` and the files it reads (`<dir>/tex/wood.png`, `<dir>/anim.pc2`); returns the scene. */
export async function makeModifierWarningScene(dir: string, home: string): Promise<string> {
  // PC2: signature, version 1, 1 point, start frame 1, sample rate 1, 2 samples, then the points.
  const pc2 = Buffer.alloc(12 + 20 + 24);
  pc2.write('POINTCACHE2\0', 0, 'latin1');
  pc2.writeInt32LE(1, 12); pc2.writeInt32LE(1, 16); pc2.writeFloatLE(1, 20); pc2.writeFloatLE(1, 24); pc2.writeInt32LE(2, 28);
  const pc2Path = join(dir, 'anim.pc2');
  await writeFile(pc2Path, pc2);
  const texture = await makeSolidPng(join(dir, 'tex/wood.png'), '0x20c040');
  const absolute = await makeTexturedScene(join(dir, 'absolute/shot.blend'), texture, home);
  return editScene(absolute, join(dir, 'meshcache/shot.blend'), `o = bpy.data.objects["Plane"]
m = o.modifiers.new("MC", "MESH_CACHE")
m.cache_format = "PC2"
m.filepath = ${JSON.stringify(pc2Path)}`, home);
}

/** Opens `scene` in Blender, runs `python` (with `bpy` imported) and saves the result as `out`; returns `out`. */
export async function editScene(scene: string, out: string, python: string, home: string): Promise<string> {
  const expr = `import bpy
${python}
bpy.ops.wm.save_as_mainfile(filepath=${JSON.stringify(out)}, compress=False, relative_remap=False)`;
  await mkdir(dirname(out), { recursive: true });
  await new Promise<void>((resolve, reject) => {
    const child = spawn(findBlender()!, ['-b', scene, '-noaudio', '--factory-startup', '--python-exit-code', '2', '--python-expr', expr], {
      stdio: 'ignore', env: { ...process.env, HOME: home, XDG_CACHE_HOME: join(home, '.cache') },
    });
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`Blender could not edit the scene (exit ${code})`))));
  });
  return out;
}
