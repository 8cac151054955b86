import { opendirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isExecutableFile } from './host/find-executable.js';
import type { BlenderInstall, GpuDevice } from './protocol/messages.js';

/**
 * Where an agent's Blenders are, when it has several (a studio keeps the versions its shows
 * were made with): every `--blender PATH` in the order given, then the installs found in each
 * `--blender-dir DIR`, one per subfolder holding a Blender executable
 * (`DIR/blender-3.4.1-linux-x64/blender`), subfolders in name order. The first is the agent's
 * default (a task that names no version). Neither option: the one Blender of FARMHAND_BLENDER
 * or PATH, as before.
 */
export interface BlenderSources {
  paths?: readonly string[];
  dirs?: readonly string[];
}

/** The most Blenders an agent advertises (the contract's bound on Capabilities.blenders). */
export const MAX_BLENDERS = 16;

/** Entries read from one `--blender-dir`: a folder of installs holds a few dozen, not thousands. */
export const MAX_DIR_ENTRIES = 1000;

/** Where the executable sits inside one install folder, per platform (Linux tarball, Windows zip, macOS app). */
const EXECUTABLE_IN_INSTALL: Record<string, readonly string[]> = {
  win32: ['blender.exe'],
  darwin: ['Blender.app/Contents/MacOS/Blender', 'Contents/MacOS/Blender', 'blender'],
};
const DEFAULT_EXECUTABLE: readonly string[] = ['blender'];

/**
 * The Blender paths to probe, in order: the `--blender` paths as given (resolved later like any
 * tool path), then each directory's installs. A directory that is missing or holds none is a
 * warning, never a stop: the agent runs with the Blenders it has. Undefined: no option given
 * (the caller looks at FARMHAND_BLENDER and PATH).
 */
export function blenderCandidates(sources: BlenderSources, warnings: string[], platform: NodeJS.Platform = process.platform): string[] | undefined {
  const paths = sources.paths ?? [];
  const dirs = sources.dirs ?? [];
  if (paths.length === 0 && dirs.length === 0) return undefined;
  const found = [...paths];
  for (const dir of dirs) {
    const scan = scanBlenderDir(dir, platform);
    if (scan.problem) warnings.push(scan.problem);
    found.push(...scan.installs);
  }
  return found;
}

/** The Blender executables of `dir`'s subfolders, in name order (`blender-3.6.5-…` before `blender-4.1.0-…`). */
export function scanBlenderDir(dir: string, platform: NodeJS.Platform = process.platform): { installs: string[]; problem?: string } {
  const root = resolve(dir);
  const names: string[] = [];
  let truncated = false;
  try {
    const handle = opendirSync(root);
    try {
      for (let entry = handle.readSync(); entry !== null; entry = handle.readSync()) {
        if (names.length >= MAX_DIR_ENTRIES) {
          truncated = true;
          break;
        }
        if (entry.isDirectory() || (entry.isSymbolicLink() && isDirectory(join(root, entry.name)))) names.push(entry.name);
      }
    } finally {
      handle.closeSync();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'was not found' : code === 'ENOTDIR' ? 'is not a folder' : `could not be read (${code ?? (error as Error).message})`;
    return { installs: [], problem: `--blender-dir ${dir} ${why}; this agent uses the other Blenders it was given.` };
  }
  names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const inside = EXECUTABLE_IN_INSTALL[platform] ?? DEFAULT_EXECUTABLE;
  const installs = names
    .map((name) => inside.map((rel) => join(root, name, rel)).find(isExecutableFile))
    .filter((path): path is string => path !== undefined);
  if (installs.length === 0) {
    return { installs, problem: `--blender-dir ${dir} holds no Blender install (a subfolder with a ${inside[0]} executable, like blender-4.1.0-linux-x64/${inside[0]}); pass the executable with --blender instead.` };
  }
  return truncated ? { installs, problem: `--blender-dir ${dir} has more than ${MAX_DIR_ENTRIES} entries; only the first ${MAX_DIR_ENTRIES} were looked at.` } : { installs };
}

/** A probed Blender: where it is (the real file, for telling two names of one file apart) and what it said. */
export interface ProbedBlender {
  path: string;
  realPath: string;
  version: string;
  /** The GPUs Cycles sees through it (the device probe); none until probed. */
  devices?: GpuDevice[];
}

/**
 * The Blenders the agent advertises, from the probed ones in candidate order: one file named
 * twice counts once, and of two installs reporting the same version the first is kept (routing
 * goes by version only, so the second could never be chosen on purpose). At most MAX_BLENDERS.
 * Each left-out one is a log line.
 */
export function distinctBlenders(probed: readonly ProbedBlender[], warnings: string[]): BlenderInstall[] {
  const kept: ProbedBlender[] = [];
  for (const b of probed) {
    const twin = kept.find((k) => k.realPath === b.realPath || k.version === b.version);
    if (twin) {
      const same = twin.realPath === b.realPath ? 'is the same file as' : `reports the same version (${b.version}) as`;
      warnings.push(`Blender at ${b.path} ${same} ${twin.path}, which is used; it is left out.`);
      continue;
    }
    if (kept.length === MAX_BLENDERS) {
      warnings.push(`Blender at ${b.path} is left out: an agent advertises at most ${MAX_BLENDERS} Blenders.`);
      continue;
    }
    kept.push(b);
  }
  return kept.map((b) => ({ path: b.path, version: b.version, devices: b.devices ?? [] }));
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
