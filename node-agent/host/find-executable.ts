import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/**
 * Finding a tool, the same way for the controller (Blender to read odd scenes, ffprobe,
 * ffmpeg for thumbnails) and the agent (the tools it offers): an explicit path must be an
 * executable file, a bare name (`blender-3.6`) is looked up on PATH. Done here rather than
 * with `which`, which minimal images lack.
 */
export function resolveExecutable(given: string): string | null {
  if (isAbsolute(given) || given.includes('/')) return isExecutableFile(resolve(given)) ? resolve(given) : null;
  return findOnPath(given);
}

/** The first executable file named `command` in the PATH's folders, or null. */
export function findOnPath(command: string, pathEnv = process.env.PATH ?? ''): string | null {
  for (const dir of pathEnv.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

export function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
