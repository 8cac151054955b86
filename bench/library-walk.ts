import { spawn } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { row, round, type Row } from './lib/row.js';
import { median } from './lib/stats.js';
import { childEnv, scratchDir } from './lib/scratch.js';

/** What this benchmark does, for BENCHMARKS.md. */
export const about =
  'The submit-time walk that keeps of a linked library only the files of the IDs a shot links (pointers followed through the library\'s SDNA, nested libraries too). Libraries by Blender (test/fixtures/partial-library-scenes.py): a small one (two props, one linked) and a bigger one (202 props, each a 40×40 grid with its own material and 256 KiB texture; 47 MiB .blend), once with one prop linked and once with all. Measured: the walk alone (files already parsed, median of 5), beside hashing the files a first scan hashes (the library and the textures kept).';

const EXTRA_PROPS = 200;
const TEXTURE_BYTES = 256 * 1024;
const FIXTURE = fileURLToPath(new URL('../test/fixtures/partial-library-scenes.py', import.meta.url));

/** Runs inside Blender: `-- <library> <shot>`: a shot linking every object of the library. */
const LINK_ALL = `
import bpy, os, sys
lib, shot = sys.argv[sys.argv.index("--") + 1:][:2]
bpy.ops.wm.read_factory_settings(use_empty=True)
os.makedirs(os.path.dirname(shot), exist_ok=True)
bpy.ops.wm.save_as_mainfile(filepath=shot)
with bpy.data.libraries.load(lib, link=True, relative=True) as (src, dst):
    dst.objects = list(src.objects)
for ob in dst.objects:
    bpy.context.scene.collection.objects.link(ob)
bpy.ops.wm.save_mainfile()
`;

function blender(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('blender', ['-b', '-noaudio', '--factory-startup', '--python-exit-code', '2', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`Blender failed (${code}): ${output.slice(-800)}`));
    });
  });
}

function sha256File(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path).on('data', (chunk) => hash.update(chunk)).on('end', () => resolve()).on('error', reject);
  });
}

export async function run(): Promise<Row[]> {
  const { parseBlendFile } = await import('../electron/controller/jobs/blender/blend-file.js');
  const { namedPaths } = await import('../electron/controller/jobs/blender/blend-dependencies.js');
  const { resolveWrittenPath } = await import('../electron/controller/jobs/blender/dependency-paths.js');
  const { planLinkedReads } = await import('../electron/controller/jobs/blender/linked-library-reads.js');
  type Parsed = ReturnType<typeof parseBlendFile>;
  const scratch = await scratchDir('library-walk');
  try {
    const env = childEnv(scratch.home);
    const small = join(scratch.dir, 'small');
    const big = join(scratch.dir, 'big');
    await blender(['--python', FIXTURE, '--', small], env);
    await blender(['--python', FIXTURE, '--', big, String(EXTRA_PROPS)], env);
    await blender(['--python-expr', LINK_ALL, '--', join(big, 'lib', 'props.blend'), join(big, 'all', 'shot.blend')], env);
    const bytes = Buffer.alloc(TEXTURE_BYTES);
    const extras = Array.from({ length: EXTRA_PROPS }, (_, i) => `lib/tex/extra_${String(i).padStart(3, '0')}.png`);
    const smallTextures = ['lib/tex/used.png', 'lib/tex/unused.png', 'base/tex/chair.png', 'base/tex/lamp.png', 'set/tex/wall.png', 'set/tex/fence.png'];
    for (const [root, files] of [[small, smallTextures], [big, [...smallTextures.slice(0, 2), ...extras]]] as const) {
      for (const file of files) {
        await mkdir(dirname(join(root, file)), { recursive: true });
        await writeFile(join(root, file), randomFillSync(bytes));
      }
    }

    const measure = async (scene: string) => {
      const parsed = new Map<string, Parsed>();
      const read = async (path: string) => {
        let blend = parsed.get(path);
        if (!blend) parsed.set(path, (blend = parseBlendFile(await readFile(path))));
        return blend;
      };
      const isFile = async (path: string) => (await stat(path).catch(() => null))?.isFile() ?? false;
      const options = { read, resolve: (written: string, from: string) => resolveWrittenPath(written, from, []), isFile };
      let plan = await planLinkedReads(scene, options); // parses the files once: not part of the walk
      const runs: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        plan = await planLinkedReads(scene, options);
        runs.push(performance.now() - t0);
      }
      const whole = [...parsed.entries()].reduce((n, [path, blend]) => n + namedPaths(blend, path).length, 0);
      const kept = plan.files.flatMap((f) => namedPaths({ ...f.blend, blocks: f.blocks }, f.path).map((n) => resolveWrittenPath(n.written, f.path, [])));
      const t0 = performance.now();
      for (const path of kept) await sha256File(path);
      const hashMs = performance.now() - t0;
      const blocks = plan.files.map((f) => `${f.blocks.length}/${f.blend.blocks.length}`).join(', ');
      return { ms: median(runs), runs, hashMs, whole, kept: kept.length, blocks, wholeLibraries: plan.wholeLibraries.length };
    };

    const rows: Row[] = [];
    const cases: [string, string][] = [
      ['small library (2 props), 1 linked', join(small, 'shot', 'shot.blend')],
      ['nested libraries (a collection of a set that links from a base)', join(small, 'nested', 'shot.blend')],
      [`bigger library (${EXTRA_PROPS + 2} props, 47 MiB), 1 linked`, join(big, 'shot', 'shot.blend')],
      [`bigger library (${EXTRA_PROPS + 2} props, 47 MiB), all linked`, join(big, 'all', 'shot.blend')],
    ];
    for (const [what, scene] of cases) {
      const m = await measure(scene);
      rows.push(row({
        bench: 'library-walk',
        metric: `walk of linked libraries: ${what}, median of 5`,
        unit: 'ms',
        measured: round(m.ms, 2),
        baseline: round(m.hashMs, 1),
        baselineLabel: 'sha256 of the files kept (a first scan hashes them)',
        note: `paths named ${m.whole} → kept ${m.kept} (${m.whole - m.kept} dropped); blocks kept per file ${m.blocks}; libraries taken whole: ${m.wholeLibraries}; runs (ms): ${m.runs.map((r) => r.toFixed(1)).join(', ')}`,
      }));
    }
    return rows;
  } finally {
    await scratch.cleanup();
  }
}
