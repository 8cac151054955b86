import { execFile, spawn } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findBlender } from '../electron/controller/jobs/blender/find-blender.js';
import { tileRegions } from '../electron/controller/jobs/blender/tile-regions.js';
import { buildPythonStep } from '../node-agent/runners/blender-python-step.js';
import { borderSnippet } from '../node-agent/runners/border-step.js';
import { buildTilesMergeArgv } from '../node-agent/runners/tiles-merge-argv.js';
import { row, round, type Row } from './lib/row.js';
import { childEnv, scratchDir } from './lib/scratch.js';

/** What this benchmark does, for BENCHMARKS.md. */
export const about =
  'How far a tiled still (`--tiles 4`, 2×2) is from the same frame rendered whole, per channel (R, G, B, A in 8-bit levels; decoded by ffmpeg to raw RGBA): the tiles are rendered by the real Blender with the agent\'s own border step (border-step.ts) and merged with the real merge command (tiles-merge-argv.ts), the whole frame by the same Blender without it. Scene: 96×64 Cycles, transparent film, a sphere and a cube, 128 samples. Cases: adaptive sampling off (the exact case: 0 expected), adaptive sampling on (threshold 0.05, at least 8 samples; how much it changes the frame is shown against the same frame without it) with the regions\' 16 px margin (what Farmhand renders) and without a margin (to show what the margin buys), and the denoiser on (where this Blender has OpenImageDenoise).';

const exec = promisify(execFile);
const SIZE: [number, number] = [96, 64];

const SCENE = `
import bpy, sys, math
out, adaptive, denoise = sys.argv[sys.argv.index("--") + 1:][:3]
bpy.ops.wm.read_factory_settings(use_empty=True)
s = bpy.context.scene
s.render.engine = "CYCLES"
s.cycles.device = "CPU"
s.cycles.samples = 128
s.cycles.use_adaptive_sampling = adaptive == "1"
s.cycles.adaptive_threshold = 0.05
s.cycles.adaptive_min_samples = 8
s.cycles.use_denoising = denoise == "1"
s.render.resolution_x, s.render.resolution_y, s.render.resolution_percentage = ${SIZE[0]}, ${SIZE[1]}, 100
s.render.film_transparent = True
s.render.image_settings.file_format = "PNG"
s.render.image_settings.color_mode = "RGBA"
bpy.ops.mesh.primitive_uv_sphere_add(location=(0.6, 0, 0.2))
bpy.ops.mesh.primitive_cube_add(size=1.2, location=(-1.1, 0.4, -0.2))
bpy.ops.mesh.primitive_plane_add(size=12, location=(0, 0, -1))
bpy.ops.object.camera_add(location=(0, -6, 1.5), rotation=(math.radians(78), 0, 0))
s.camera = bpy.context.active_object
bpy.ops.object.light_add(type="AREA", location=(1, -2, 3))
bpy.context.active_object.data.energy = 400
bpy.ops.wm.save_as_mainfile(filepath=out, compress=False)
`;

async function blender(args: string[], home: string): Promise<string> {
  const exe = findBlender();
  if (!exe) throw new Error('Blender is not installed; install it to run the tiles benchmark.');
  return new Promise((resolve, reject) => {
    const child = spawn(exe, ['-b', ...args], { env: childEnv(home), stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += c.toString()));
    child.stderr.on('data', (c: Buffer) => (text += c.toString()));
    child.once('error', reject);
    child.once('close', () => resolve(text));
  });
}

async function rgba(file: string): Promise<Buffer> {
  return (await exec('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], { encoding: 'buffer', maxBuffer: 1 << 24 })).stdout;
}

/** Max and mean absolute difference per channel (R, G, B, A), and the share of pixels that differ at all. */
function difference(a: Buffer, b: Buffer): { max: number[]; mean: number[]; differing: number } {
  const max = [0, 0, 0, 0];
  const sum = [0, 0, 0, 0];
  let differing = 0;
  for (let p = 0; p < a.length; p += 4) {
    let any = false;
    for (let c = 0; c < 4; c++) {
      const d = Math.abs(a[p + c]! - b[p + c]!);
      if (d > max[c]!) max[c] = d;
      sum[c]! += d;
      if (d) any = true;
    }
    if (any) differing++;
  }
  const pixels = a.length / 4;
  return { max, mean: sum.map((s) => round(s / pixels, 4)), differing: differing / pixels };
}

interface Case { name: string; adaptive: boolean; denoise: boolean; margin: number }

const CASES: Case[] = [
  { name: 'adaptive sampling off', adaptive: false, denoise: false, margin: 16 },
  { name: 'adaptive sampling on, 16 px margin', adaptive: true, denoise: false, margin: 16 },
  { name: 'adaptive sampling on, no margin', adaptive: true, denoise: false, margin: 0 },
  { name: 'denoiser on, 16 px margin', adaptive: false, denoise: true, margin: 16 },
];

export async function run(): Promise<Row[]> {
  const scratch = await scratchDir('farmhand-bench-tiles-');
  const rows: Row[] = [];
  const wholes = new Map<boolean, string>();
  try {
    for (const [i, c] of CASES.entries()) {
      const dir = join(scratch.dir, `case-${i}`);
      const scene = join(dir, 'tiles.blend');
      await mkdir(dir, { recursive: true });
      await blender(['-noaudio', '--factory-startup', '--python-exit-code', '2', '--python-expr', SCENE, '--', scene, c.adaptive ? '1' : '0', c.denoise ? '1' : '0'], scratch.home);
      const log = await blender([scene, '-noaudio', '--factory-startup', '--disable-autoexec', '-o', join(dir, 'whole_####'), '-F', 'PNG', '-x', '1', '-f', '1'], scratch.home);
      if (/Build without OpenImageDenoiser/.test(log)) {
        rows.push(row({ bench: 'tiles', metric: `${c.name}: not measurable here`, unit: 'count', measured: null, note: 'this Blender was built without OpenImageDenoise: a denoised render fails whole or tiled ("Build without OpenImageDenoiser")' }));
        continue;
      }
      const regions = tileRegions(4, SIZE[0], SIZE[1], c.margin)!;
      const tiles: string[] = [];
      for (const [t, region] of regions.entries()) {
        const step = buildPythonStep([borderSnippet({ ...region.render, frameWidth: SIZE[0], frameHeight: SIZE[1] })])!;
        await blender([scene, '-noaudio', '--factory-startup', '--disable-autoexec', '--python-expr', step, '-o', join(dir, `tile${t}_####`), '-F', 'PNG', '-x', '1', '-f', '1'], scratch.home);
        tiles.push(join(dir, `tile${t}_0001.png`));
      }
      const merged = join(dir, 'merged.png');
      await exec('ffmpeg', buildTilesMergeArgv({ inputs: tiles, tiles: regions.map((r) => r.core), output: merged }));
      const whole = join(dir, (await readdir(dir)).find((f) => f.startsWith('whole_'))!);
      const d = difference(await rgba(merged), await rgba(whole));
      wholes.set(c.adaptive, whole);
      if (c.adaptive && wholes.has(false)) {
        const effect = difference(await rgba(whole), await rgba(wholes.get(false)!));
        rows.push(row({ bench: 'tiles', metric: `${c.name}: whole frame vs without adaptive sampling (its effect)`, unit: 'count', measured: Math.max(...effect.max), note: `${round(effect.differing * 100, 2)} % of pixels differ` }));
      }
      const channels = (v: number[]) => `R ${v[0]}, G ${v[1]}, B ${v[2]}, A ${v[3]}`;
      const note = `max per channel ${channels(d.max)}; mean ${channels(d.mean)}; ${round(d.differing * 100, 2)} % of pixels differ`;
      rows.push(row({ bench: 'tiles', metric: `${c.name}: max channel difference`, unit: 'count', measured: Math.max(...d.max), note, ...(c.adaptive || c.denoise ? {} : { goal: { op: '==', value: 0 } }) }));
      rows.push(row({ bench: 'tiles', metric: `${c.name}: mean channel difference`, unit: 'count', measured: round(d.mean.reduce((a, b) => a + b, 0) / 4, 4) }));
    }
  } finally {
    await scratch.cleanup();
  }
  return rows;
}
