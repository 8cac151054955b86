import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isSafeWorkspacePath } from '../protocol/workspace-path.js';

/**
 * Every other file a render saved under its task's output folder: compositor File Output
 * passes (redirected to `passes/` by the Python step), extra view layers and views. They travel
 * under their names relative to the folder, `/`-separated, so they land in the job's output
 * folder with the same layout. Only regular files count (a symbolic link could point anywhere);
 * a name the wire would not carry (over 255 characters, or not a safe relative path) is left
 * behind and named to the caller.
 */

/** At most this many files per task, main frames included: the wire's bound on one report. */
export const MAX_TASK_OUTPUTS = 10_000;
const MAX_NAME_CHARS = 255;
/** Folders deeper than this are not walked (a node's own layout is a few levels at most). */
const MAX_DEPTH = 16;

export class TooManyOutputsError extends Error {
  override name = 'TooManyOutputsError';
}

export interface ExtraOutputs {
  /** Absolute paths, sorted by their relative name. */
  paths: string[];
  /** Relative names that could not travel. */
  skipped: string[];
}

/** The files under `root` other than `main` (absolute paths), at most `limit` of them. */
export async function findExtraOutputs(root: string, main: ReadonlySet<string>, limit: number): Promise<ExtraOutputs> {
  const found: { name: string; path: string }[] = [];
  const skipped: string[] = [];
  const walk = async (dir: string, prefix: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const name = prefix + entry.name;
      if (entry.isDirectory()) {
        if (depth < MAX_DEPTH) await walk(path, `${name}/`, depth + 1);
        else skipped.push(`${name}/`);
        continue;
      }
      if (!entry.isFile() || main.has(path)) continue;
      if (name.length > MAX_NAME_CHARS || !isSafeWorkspacePath(name)) {
        skipped.push(name);
        continue;
      }
      if (found.length >= limit) {
        throw new TooManyOutputsError(`Blender wrote more than ${limit} extra files under the task's output folder; render fewer frames per task or fewer File Output slots.`);
      }
      found.push({ name, path });
    }
  };
  if (await lstat(root).then((s) => s.isDirectory(), () => false)) await walk(root, '', 0);
  found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { paths: found.map((f) => f.path), skipped };
}
