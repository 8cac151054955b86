import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * What the controller knows about free space: how much a folder's disk has left, whether an
 * error means the disk is full, and how that is said to the user. A full disk is the
 * controller's own condition, never an agent's fault, so it is recognised by errno code
 * (ENOSPC, or EDQUOT for a user's quota) wherever a write fails, and named in one sentence.
 */

/** Bytes written "MB" to the user: decimal, as disk tools and file managers count. */
const MB = 1_000_000;

/** Errno codes that mean "no room": the disk is full, or the user's quota on it is. */
export function isDiskFullCode(code: unknown): boolean {
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** True when `error`, or the error it wraps (`cause`), failed for lack of room. */
export function isDiskFullError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (isDiskFullCode((e as NodeJS.ErrnoException).code)) return true;
  }
  return false;
}

/**
 * Bytes an unprivileged process may still write on the disk holding `path` (statfs's
 * bavail). A folder that does not exist yet is measured at its nearest existing parent,
 * which is where it will be made.
 */
export async function freeBytes(path: string): Promise<number> {
  for (let at = path, tries = 0; tries < 64; tries++) {
    try {
      const s = await statfs(at);
      return s.bavail * s.bsize;
    } catch (error) {
      const parent = dirname(at);
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === at) throw error;
      at = parent;
    }
  }
  throw new Error(`Could not measure the free space for ${path}.`);
}

/** "12 MB", "0.4 MB": whole megabytes, one decimal under 10 so a nearly full disk does not read 0. */
export function megabytes(bytes: number): string {
  const mb = bytes / MB;
  return `${mb < 10 ? Math.floor(mb * 10) / 10 : Math.floor(mb)} MB`;
}

export type DiskKind = 'output' | 'data';

/** The pause sentence: "the output disk /path is full (N MB free); the job resumes when there is room". */
export function diskFullSentence(kind: DiskKind, path: string, free: number): string {
  return `the ${kind} disk ${path} is full (${megabytes(free)} free); the job resumes when there is room`;
}
