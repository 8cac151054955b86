import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/**
 * Finds the Blender the controller uses to read scenes (frame range, format). Order: the
 * explicit option, then FARMHAND_BLENDER, then PATH. The lookup is done here rather than with
 * `which`, which minimal images lack. An explicit path that is not an executable file gives
 * null, and the caller says what to do.
 */
export function findBlender(explicit?: string): string | null {
  const given = explicit ?? (process.env.FARMHAND_BLENDER || undefined);
  if (given !== undefined) {
    if (isAbsolute(given) || given.includes('/')) return isExecutableFile(resolve(given)) ? resolve(given) : null;
    return onPath(given);
  }
  return onPath('blender');
}

function onPath(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutableFile(join(dir, command))) return join(dir, command);
  }
  return null;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
