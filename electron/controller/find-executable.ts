import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/**
 * Finds the tools the controller runs itself (Blender to read odd scenes, ffprobe to read
 * inputs): an explicit path must be an executable file, a bare name is looked up on PATH.
 * Done here rather than with `which`, which minimal images lack.
 */
export function resolveExecutable(given: string): string | null {
  if (isAbsolute(given) || given.includes('/')) return isExecutableFile(resolve(given)) ? resolve(given) : null;
  return onPath(given);
}

export function onPath(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutableFile(join(dir, command))) return join(dir, command);
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
