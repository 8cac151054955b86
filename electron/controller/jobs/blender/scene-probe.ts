import { spawn } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readBlendStart, type BlendStart } from './blend-bytes.js';
import { BlendReadError } from './blend-file.js';
import { readBlendScene } from './read-blend-scene.js';
import type { BlendReads } from './blend-reads.js';
import { FILE_VERSION_PY } from './blend-file-version.js';
import { CYCLES_DEVICE_PY } from './blend-cycles-device.js';
import { MAX_SCRIPT_ENTRIES, SCRIPTS_PY } from './blend-scripts.js';
import { MAX_SIMULATIONS, SIMULATIONS_PY } from './blend-simulations.js';
import { SceneError } from './scene-error.js';
import type { SceneInfo, SimulationKind } from '../../api/views.js';

/**
 * Reads a scene's own settings (frame range, fps, size, engine, output) with the local Blender
 * before a job is compiled, and refuses a file that is not a readable .blend before any task
 * exists. Cheap checks come first (existence, magic bytes) so the common mistakes need no
 * Blender; a damaged .blend is left to Blender, which says why in an `Error:` line and exits
 * within about a second. Blender's exit code alone is not trusted: the answer is the one
 * marked JSON line the script prints.
 */

/** What the probe answers; the API shows it too (files.probe), so it is defined with the contract. */
export type { SceneInfo };

const MARKER = 'FARMHAND_SCENE_INFO ';

/** Runs inside Blender; kept here as a string so the compiled controller needs no extra files. */
const INFO_SCRIPT = `
import bpy, json
${FILE_VERSION_PY}
${CYCLES_DEVICE_PY}
${SCRIPTS_PY}
${SIMULATIONS_PY}
def farmhand_fact(f, *args):
    # A fact Blender cannot tell (an API this version lacks) is left out, never the scene's settings.
    try:
        return f(*args)
    except Exception as e:
        print("farmhand: %s: %r" % (f.__name__, e))
        return None
s = bpy.context.scene
r = s.render
pct = r.resolution_percentage
views = [{"name": v.name, "suffix": v.file_suffix} for v in r.views
         if v.use and (r.views_format == "MULTIVIEW" or v.name in ("left", "right"))]
print(${JSON.stringify(MARKER)} + json.dumps({
    "frameStart": s.frame_start,
    "frameEnd": s.frame_end,
    "frameStep": s.frame_step,
    "fps": r.fps / r.fps_base,
    "resolution": [r.resolution_x * pct // 100, r.resolution_y * pct // 100],
    "engine": r.engine,
    "fileFormat": r.image_settings.file_format,
    "outputPath": bpy.path.abspath(r.filepath),
    "camera": s.camera.name if s.camera else None,
    "scenes": [x.name for x in bpy.data.scenes],
    "viewFiles": views if r.use_multiview and r.image_settings.views_format == "INDIVIDUAL" and len(views) > 1 else [],
    "fileVersion": farmhand_fact(farmhand_file_version, bpy.data.filepath),
    "cyclesDevice": farmhand_fact(farmhand_cycles_device, s),
    "scripts": farmhand_fact(farmhand_scripts),
    "simulations": farmhand_fact(farmhand_simulations, s),
}), flush=True)
`;

/** `.blend` magic: plain, or saved with "Compress" (gzip before Blender 3.0, zstd since). */
/**
 * The scene's settings for a job: cheap checks, then the .blend read directly (milliseconds),
 * then Blender only for a file the direct reader does not understand or finds damaged, so the
 * user gets Blender's own reason. Without Blender on this machine, the direct reader's reason.
 */
export async function readSceneInfo(scenePath: string, o: { blenderPath: string | null; scratchHome: string; reads?: BlendReads }): Promise<SceneInfo> {
  const path = resolve(scenePath);
  const { size, start } = await checkLooksLikeBlend(scenePath, path);
  try {
    return await readBlendScene(path, size, o.reads ? { reads: o.reads } : { start });
  } catch (error) {
    if (!(error instanceof BlendReadError)) throw error;
    if (o.blenderPath) return probeBlendScene(scenePath, { blenderPath: o.blenderPath, scratchHome: o.scratchHome });
    throw new SceneError(`The scene "${scenePath}" could not be read (${error.message}); save it again from Blender, or install Blender on this machine so it can read it.`);
  }
}

/** The scene's settings as Blender itself reports them (about a second: Blender starts). */
export async function probeBlendScene(
  scenePath: string,
  o: { blenderPath: string; scratchHome: string; timeoutMs?: number },
): Promise<SceneInfo> {
  const path = resolve(scenePath);
  await checkLooksLikeBlend(scenePath, path);
  await mkdir(join(o.scratchHome, '.cache'), { recursive: true });
  // --python-exit-code must come before --python-expr: Blender applies arguments in order.
  const argv = ['-b', '-noaudio', '--factory-startup', path, '--disable-autoexec',
    '--python-exit-code', '2', '--python-expr', INFO_SCRIPT];
  const timeoutMs = o.timeoutMs ?? 60_000;
  const run = await runBlender(o.blenderPath, argv, o.scratchHome, timeoutMs);
  if (run.spawnError) {
    throw new SceneError(`Blender at ${o.blenderPath} could not be started (${run.spawnError}); check the --blender path.`);
  }
  if (run.timedOut) {
    throw new SceneError(`Blender did not finish reading "${scenePath}" within ${Math.round(timeoutMs / 1000)} s; check that the file opens in Blender, or pass --frames to skip reading it.`);
  }
  const marked = run.lines.find((line) => line.startsWith(MARKER));
  if (marked) return parseInfo(marked.slice(MARKER.length), scenePath);
  const lastError = run.lines.filter((line) => line.startsWith('Error: ')).pop()?.slice('Error: '.length);
  const reason = lastError ? readReason(lastError) : run.signal ? `Blender was killed by ${run.signal}` : `Blender exited with code ${run.code}`;
  throw new SceneError(`Blender could not read the scene "${scenePath}" (${reason}); the file may be damaged or truncated, so save it again from Blender.`);
}

/** Existence, kind and magic bytes; returns the file's size. */
async function checkLooksLikeBlend(shown: string, path: string): Promise<{ size: number; start: BlendStart }> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new SceneError(`The scene file "${shown}" does not exist; check the path.`);
  const notBlend = (why: string) => new SceneError(`"${shown}" is not a Blender .blend file (${why}); pick a .blend saved by Blender.`);
  if (info.isDirectory()) throw notBlend('it is a folder');
  if (!info.isFile()) throw notBlend('it is not a regular file');
  if (info.size === 0) throw notBlend('it is empty');
  const start = await readBlendStart(path);
  if (start === null) throw notBlend('it does not start with "BLENDER" and is not a compressed .blend');
  return { size: info.size, start };
}

/** The file starts like a .blend: `BLENDER`, or the gzip or zstd magic of a compressed one. */
export async function hasBlendMagic(path: string): Promise<boolean> {
  return (await readBlendStart(path)) !== null;
}

/** `Failed to read blend file '/x.blend': Missing DNA block` → `Missing DNA block`: the path is already named. */
function readReason(error: string): string {
  const afterPath = /'[^']*':\s*(.+)$/.exec(error);
  return (afterPath ? afterPath[1]! : error.replace(/\s+in file '[^']*'/, '')).replace(/\.$/, '');
}

function parseInfo(json: string, shown: string): SceneInfo {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(json) as Record<string, unknown>;
  } catch {
    throw new SceneError(`Blender printed unreadable scene settings for "${shown}"; report this as a Farmhand bug.`);
  }
  const num = (key: string) => (typeof raw[key] === 'number' ? raw[key] : NaN);
  const str = (key: string) => (typeof raw[key] === 'string' ? raw[key] : '');
  const resolution = Array.isArray(raw.resolution) ? raw.resolution.map(Number) : [];
  const info: SceneInfo = {
    frameStart: num('frameStart'),
    frameEnd: num('frameEnd'),
    frameStep: num('frameStep'),
    fps: num('fps'),
    resolution: [resolution[0] ?? NaN, resolution[1] ?? NaN],
    engine: str('engine'),
    fileFormat: str('fileFormat'),
    outputPath: str('outputPath'),
    camera: typeof raw.camera === 'string' ? raw.camera : null,
    scenes: Array.isArray(raw.scenes) ? raw.scenes.map(String) : [],
  };
  const viewFiles = Array.isArray(raw.viewFiles) ? raw.viewFiles.slice(0, 64).map((v: { name?: unknown; suffix?: unknown }) => ({ name: String(v?.name ?? ''), suffix: String(v?.suffix ?? '') })) : [];
  if (viewFiles.length > 1) info.viewFiles = viewFiles;
  const fileVersion = raw.fileVersion as { saved?: unknown; minimum?: unknown } | null | undefined;
  if (typeof fileVersion?.saved === 'string') info.fileVersion = { saved: fileVersion.saved, minimum: typeof fileVersion.minimum === 'string' ? fileVersion.minimum : null };
  if (raw.cyclesDevice === 'CPU' || raw.cyclesDevice === 'GPU') info.cyclesDevice = raw.cyclesDevice;
  const scripts = raw.scripts as { modules?: unknown; drivers?: unknown } | null | undefined;
  const strings = (v: unknown) => (Array.isArray(v) ? v.slice(0, MAX_SCRIPT_ENTRIES).map(String) : []);
  if (scripts) info.scripts = { modules: strings(scripts.modules), drivers: strings(scripts.drivers) };
  if (Array.isArray(raw.simulations) && raw.simulations.length > 0) {
    info.simulations = raw.simulations.slice(0, MAX_SIMULATIONS).map((s: { kind?: unknown; owner?: unknown }) => ({ kind: String(s?.kind) as SimulationKind, owner: String(s?.owner ?? '') }));
  }
  const numbers = [info.frameStart, info.frameEnd, info.frameStep, info.fps, ...info.resolution];
  if (numbers.some((n) => !Number.isFinite(n))) {
    throw new SceneError(`Blender printed incomplete scene settings for "${shown}"; report this as a Farmhand bug.`);
  }
  return info;
}

export interface BlenderRun {
  lines: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  spawnError?: string;
}

/** Runs Blender in its own process group so a timeout stops everything it started. */
export function runBlender(blenderPath: string, argv: string[], scratchHome: string, timeoutMs: number): Promise<BlenderRun> {
  return new Promise((done) => {
    const child = spawn(blenderPath, argv, {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HOME: scratchHome, XDG_CACHE_HOME: join(scratchHome, '.cache') },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }, timeoutMs);
    const finish = (run: Omit<BlenderRun, 'lines' | 'timedOut'>) => {
      clearTimeout(timer);
      const lines = [out, err].flatMap((chunks) => Buffer.concat(chunks).toString('utf8').split(/\r?\n/));
      done({ ...run, timedOut, lines });
    };
    child.once('error', (error) => finish({ code: null, signal: null, spawnError: error.message }));
    child.once('close', (code, signal) => finish({ code, signal }));
  });
}
