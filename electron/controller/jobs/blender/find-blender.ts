import { findOnPath, resolveExecutable } from '../../../../node-agent/host/find-executable.js';

/**
 * Finds the Blender the controller uses to read scenes (frame range, format). Order: the
 * explicit option, then FARMHAND_BLENDER, then PATH. The lookup is done here rather than with
 * `which`, which minimal images lack. An explicit path that is not an executable file gives
 * null, and the caller says what to do.
 */
export function findBlender(explicit?: string): string | null {
  const given = explicit ?? (process.env.FARMHAND_BLENDER || undefined);
  if (given !== undefined) {
    return resolveExecutable(given);
  }
  return findOnPath('blender');
}
