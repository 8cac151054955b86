import { spawn } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { row, round, type Row } from './lib/row.js';
import { median } from './lib/stats.js';
import { childEnv, scratchDir } from './lib/scratch.js';

/** What this benchmark does, for BENCHMARKS.md. */
export const about =
  'A scene naming 1,000 textures (`//textures/t_0000.png` …, 2 MiB each, 2 GiB in all; made by Blender with images pointing at files) is scanned at submit the way `farmhand render` does (the dependency manifest: paths from the controller\'s own .blend reader, size, sha256). First scan = an empty hash cache; rescan = the same files again (hashes cached by path, size and mtime). Baselines in the same run: sha256 of the same 2 GiB alone (what a first scan cannot beat by much), and asking Blender for the same list (`bpy.utils.blend_paths`, Blender start included, as a controller without its own reader would).';

const TEXTURES = 1000;
const TEXTURE_BYTES = 2 * 1024 * 1024;

/** Runs inside Blender: `-- <out.blend> <count>`: images that point at files, kept by a fake user, paths relative. */
const SCENE_SCRIPT = `
import bpy, sys
out, count = sys.argv[sys.argv.index("--") + 1:][:2]
bpy.ops.wm.read_factory_settings(use_empty=True)
for i in range(int(count)):
    img = bpy.data.images.new("t_%04d" % i, 1, 1)
    img.source = "FILE"
    img.filepath = "//textures/t_%04d.png" % i
    img.use_fake_user = True
bpy.ops.wm.save_as_mainfile(filepath=out, relative_remap=False)
`;

const LIST_SCRIPT = 'import bpy; print("FARMHAND_PATHS", len(bpy.utils.blend_paths(absolute=True, packed=False, local=False)))';

function runTool(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; output: string; ms: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, ms: performance.now() - started });
    });
  });
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path).on('data', (chunk) => hash.update(chunk)).on('end', () => resolve(hash.digest('hex'))).on('error', reject);
  });
}

/** The scan under test: the dependency manifest of a .blend with a hash cache in `home`. Wired to the controller's manifest builder. */
export type ScanScene = (scenePath: string, home: string) => Promise<{ entries: number; missing: number; bytes: number }>;

export async function runDependencyScan(scan: ScanScene): Promise<Row[]> {
  const scratch = await scratchDir('dependency-scan');
  try {
    const project = join(scratch.dir, 'project');
    await mkdir(join(project, 'textures'), { recursive: true });
    const bytes = Buffer.alloc(TEXTURE_BYTES);
    for (let i = 0; i < TEXTURES; i++) {
      randomFillSync(bytes);
      await writeFile(join(project, 'textures', `t_${String(i).padStart(4, '0')}.png`), bytes);
    }
    const scene = join(project, 'shot.blend');
    const env = childEnv(scratch.home);
    const made = await runTool('blender', ['-b', '-noaudio', '--factory-startup', '--python-expr', SCENE_SCRIPT, '--', scene, String(TEXTURES)], env, 300_000);
    if (made.code !== 0) throw new Error(`Blender could not make the scene: ${made.output.slice(-500)}`);

    // Baseline: the bytes alone, hashed one file after another as a scan would.
    const hashStarted = performance.now();
    for (let i = 0; i < TEXTURES; i++) await sha256File(join(project, 'textures', `t_${String(i).padStart(4, '0')}.png`));
    const hashMs = performance.now() - hashStarted;

    // Baseline: Blender's own listing, three times (it reads only the .blend).
    const blenderMs: number[] = [];
    let listed = 0;
    for (let i = 0; i < 3; i++) {
      const r = await runTool('blender', ['-b', '-noaudio', '--factory-startup', '--disable-autoexec', scene, '--python-expr', LIST_SCRIPT], env, 120_000);
      listed = Number(/FARMHAND_PATHS (\d+)/.exec(r.output)?.[1] ?? 0);
      blenderMs.push(r.ms);
    }

    const cacheHome = join(scratch.dir, 'farm-home');
    await mkdir(cacheHome, { recursive: true });
    const first = performance.now();
    const firstScan = await scan(scene, cacheHome);
    const firstMs = performance.now() - first;
    const rescanMs: number[] = [];
    let rescan = firstScan;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      rescan = await scan(scene, cacheHome);
      rescanMs.push(performance.now() - t0);
    }
    const check = `manifest: ${firstScan.entries} entries, ${firstScan.missing} missing, ${Math.round(firstScan.bytes / 1024 ** 2)} MiB (rescan: ${rescan.entries} entries); Blender listed ${listed} paths`;
    return [
      row({ bench: 'dependency-scan', metric: 'submit-time scan, first (empty hash cache): 1,000 textures, 2 GiB', unit: 's', measured: round(firstMs / 1000, 3), baseline: round(hashMs / 1000, 3), baselineLabel: 'sha256 of the same 2 GiB alone, file by file', goal: { op: '<=', value: 1.1, on: 'ratio', source: 'issue 16: no slower than hashing the bytes (10 % for noise)' }, note: check }),
      row({ bench: 'dependency-scan', metric: 'submit-time scan, rescan (hashes cached by path, size, mtime), median of 5', unit: 'ms', measured: round(median(rescanMs), 1), goal: { op: '<=', value: 200 }, note: `runs (ms): ${rescanMs.map((m) => Math.round(m)).join(', ')}` }),
      row({ bench: 'dependency-scan', metric: 'listing the scene\'s paths: the reader (rescan) vs asking Blender', unit: 'ms', measured: round(median(rescanMs), 1), baseline: round(median(blenderMs), 1), baselineLabel: 'blender -b … bpy.utils.blend_paths, median of 3 (start included)', goal: { op: '<=', value: 0.1, on: 'ratio', source: 'issue 16: ≥ 10× faster than Blender\'s listing' }, note: `Blender runs (ms): ${blenderMs.map((m) => Math.round(m)).join(', ')}` }),
    ];
  } finally {
    await scratch.cleanup();
  }
}

/** The scan as `farmhand render` runs it at submit: the controller's reader, its hash cache in the data folder, no Blender. */
export async function run(): Promise<Row[]> {
  const { scanSceneDependencies } = await import('../electron/controller/jobs/blender/dependency-manifest.js');
  return runDependencyScan(async (scenePath, home) => {
    const m = await scanSceneDependencies(scenePath, { home, blenderPath: null });
    return { entries: m.entries.length, missing: m.missingCount, bytes: m.totalBytes };
  });
}
