import type { BlenderInstall } from './messages.js';

/**
 * Which of an agent's Blenders runs a task: the one rule both ends apply, so the controller
 * sends a task only where the agent will find the Blender it was sent for.
 *
 * - `pin` (`--blender-version X.Y`): only that major.minor; the highest patch of it.
 * - `atLeast` (the version that saved the file): never an older major.minor, because an
 *   older Blender opens a newer file with "expect loss of data", or not at all (3.4 segfaults
 *   on a 4.3 file). Among the rest the same major.minor is preferred, then the nearest newer.
 * - Neither: the agent's first Blender.
 *
 * Null when none fits: the job waits with the reason instead of rendering wrong.
 */
export interface BlenderWant {
  atLeast?: string;
  pin?: string;
}

export function chooseBlender(installs: readonly BlenderInstall[], want: BlenderWant | undefined): BlenderInstall | null {
  if (installs.length === 0) return null;
  if (!want || (want.atLeast === undefined && want.pin === undefined)) return installs[0]!;
  const byVersion = [...installs].sort((a, b) => compareVersions(a.version, b.version));
  if (want.pin !== undefined) {
    const pinned = byVersion.filter((i) => majorMinor(i.version) === want.pin);
    if (pinned.length === 0) return null;
    if (want.atLeast !== undefined && compareVersions(want.pin, want.atLeast) < 0) return null;
    return pinned[pinned.length - 1]!;
  }
  const floor = want.atLeast!;
  const able = byVersion.filter((i) => compareVersions(majorMinor(i.version), floor) >= 0);
  if (able.length === 0) return null;
  const same = able.filter((i) => majorMinor(i.version) === floor);
  return same.length > 0 ? same[same.length - 1]! : able[0]!;
}

/** `4.3.2` → `4.3`. */
export function majorMinor(version: string): string {
  const [major = '0', minor = '0'] = version.split('.');
  return `${Number.parseInt(major, 10)}.${Number.parseInt(minor, 10)}`;
}

/** Numeric comparison of dotted versions (`4.10` > `4.9`); missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split('.').map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
