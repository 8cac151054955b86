import { statfs } from 'node:fs/promises';

/**
 * How big the agent's input cache may grow (`--cache-limit`): bytes (`500MB`, `20GB`, `1.5TB`,
 * `123456`) or a share of the data folder's disk (`25%`, the default), read when the agent starts.
 */
export type CacheLimit = { bytes: number } | { fraction: number };

export const DEFAULT_CACHE_LIMIT: CacheLimit = { fraction: 0.25 };

/** A --cache-limit that cannot be read. */
export class CacheLimitError extends Error {}

const UNITS: Record<string, number> = { '': 1, B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KIB: 1024, MIB: 1024 ** 2, GIB: 1024 ** 3, TIB: 1024 ** 4 };

export function parseCacheLimit(text: string): CacheLimit {
  const t = text.trim().toUpperCase();
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(t);
  if (percent) {
    const fraction = Number(percent[1]) / 100;
    if (fraction > 0 && fraction <= 1) return { fraction };
  }
  const size = /^(\d+(?:\.\d+)?)\s*([KMGT]I?B|B)?$/.exec(t);
  if (size && Object.hasOwn(UNITS, size[2] ?? '')) {
    const bytes = Math.floor(Number(size[1]) * UNITS[size[2] ?? '']!);
    if (bytes > 0) return { bytes };
  }
  throw new CacheLimitError(`The cache limit "${text}" is not a size; give bytes with a unit (e.g. 50GB, 500MB) or a share of the disk (e.g. 25%).`);
}

/** The limit in bytes: a share is taken of the size of the disk holding `dataDir`. */
export async function cacheLimitBytes(limit: CacheLimit, dataDir: string): Promise<number> {
  if ('bytes' in limit) return limit.bytes;
  const fs = await statfs(dataDir);
  return Math.floor(fs.blocks * fs.bsize * limit.fraction);
}
