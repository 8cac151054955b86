import { spawn } from 'node:child_process';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { findBlender } from '../../electron/controller/jobs/blender/find-blender.js';

/**
 * The ground truth for issue 16's tests: a scene rendered directly with
 * `blender -b <project>/shot.blend -o <out>/frame_#### -F PNG -f N…` where it lies, every file
 * it names in place. A farm render of the same scene must decode to the same pixels.
 * Compositor File Output nodes write beside the .blend (`<project>/passes/`); those files are
 * moved to `<out>/passes/` so the project stays as generated.
 */

export interface ReferenceRender {
  /** `<out>/frame_0001.png` …, in the order of `frames` */
  frames: string[];
  /** `<out>/passes/<name>`, sorted; empty when the scene has no File Output node */
  passes: string[];
  /** Blender's whole output (for warnings such as `Unable to open` or `ERROR (bke.modifier)`) */
  log: string;
  seconds: number;
}

/**
 * `python`: an optional `--python-expr` run after the file loads (e.g. a test's own path mapping).
 * `scripts`: `-y`, the scene's own Python runs (drivers, registered text blocks); else Blender's
 * default here, auto-run off.
 */
export async function renderReference(blend: string, out: string, frames: number[], o: { python?: string; scripts?: boolean } = {}): Promise<ReferenceRender> {
  const blender = findBlender();
  if (!blender) throw new Error('Blender is not installed; install it (apt-get install blender) or set FARMHAND_BLENDER to run these tests.');
  const home = join(out, '.blender-home');
  await mkdir(join(home, '.cache'), { recursive: true });
  const passesDir = join(dirname(blend), 'passes');
  await rm(passesDir, { recursive: true, force: true });
  const args = ['-b', '-noaudio', ...(o.scripts ? ['-y'] : []), blend, ...(o.python ? ['--python-expr', o.python] : []), '-o', join(out, 'frame_####'), '-F', 'PNG', ...frames.flatMap((f) => ['-f', String(f)])];
  const started = performance.now();
  const { code, log } = await new Promise<{ code: number | null; log: string }>((resolve, reject) => {
    const child = spawn(blender, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: home, XDG_CACHE_HOME: join(home, '.cache') } });
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += c.toString()));
    child.stderr.on('data', (c: Buffer) => (text += c.toString()));
    child.once('error', reject);
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('close', (exit) => {
      clearTimeout(timer);
      resolve({ code: exit, log: text });
    });
  });
  const seconds = (performance.now() - started) / 1000;
  await rm(home, { recursive: true, force: true });
  if (code !== 0) throw new Error(`Blender could not render ${blend} (exit ${code}):\n${log.slice(-4000)}`);
  const written = new Set(await readdir(out));
  const framePaths = frames.map((f) => `frame_${String(f).padStart(4, '0')}.png`);
  const absent = framePaths.filter((f) => !written.has(f));
  if (absent.length > 0) throw new Error(`Blender rendered ${blend} but wrote no ${absent.join(', ')}:\n${log.slice(-4000)}`);
  const passNames = (await readdir(passesDir).catch(() => [] as string[])).sort();
  if (passNames.length > 0) {
    await mkdir(join(out, 'passes'), { recursive: true });
    for (const name of passNames) await rename(join(passesDir, name), join(out, 'passes', name));
    await rm(passesDir, { recursive: true, force: true });
  }
  return { frames: framePaths.map((f) => join(out, f)), passes: passNames.map((n) => join(out, 'passes', n)), log, seconds };
}

/**
 * Runs `fn` with `paths` moved aside (renamed to `<path>.aside`) and puts them back after,
 * even when `fn` throws: a scene's render "with the dependency removed".
 */
export async function withPathsRemoved<T>(paths: string[], fn: () => Promise<T>): Promise<T> {
  const moved: string[] = [];
  try {
    for (const p of paths) {
      await rename(p, `${p}.aside`);
      moved.push(p);
    }
    return await fn();
  } finally {
    for (const p of moved.reverse()) await rename(`${p}.aside`, p);
  }
}
