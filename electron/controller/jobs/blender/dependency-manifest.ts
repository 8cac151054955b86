import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { DependencyEntry, DependencyKind, DependencyManifest } from '../../api/views.js';
import { readBlendBytes } from './blend-bytes.js';
import type { BlendReads } from './blend-reads.js';
import { namedPaths, type DependencyPattern } from './blend-dependencies.js';
import { BlendReadError, parseBlendFile } from './blend-file.js';
import { listDependenciesWithBlender, type BlenderListedPath } from './blender-dependency-probe.js';
import { DependencyHashCache } from './dependency-hash-cache.js';
import { filesOf } from './dependency-files.js';
import { resolveWrittenPath, type PathMapRule } from './dependency-paths.js';
import { planLinkedReads, type WholeLibrary } from './linked-library-reads.js';
import { SceneError } from './scene-error.js';

/**
 * The dependency manifest of a scene at submit: every external file it and its linked
 * libraries (recursively, each library's `//` paths from its own folder) name, with size and
 * sha256, the missing ones first. Read by the controller's own .blend reader in milliseconds;
 * a file the reader does not understand is listed by the controller's Blender instead, and the
 * manifest says so. The hashes are cached in the farm's data folder (dependency-hash-cache.ts).
 */

/** .blend files above this size are left to Blender, as for the scene's settings. */
const MAX_NATIVE_BYTES = 256 * 1024 * 1024;
/** Files hashed at once: enough to keep a disk busy, few enough not to starve the controller. */
const HASH_CONCURRENCY = 4;
/** Files stat'ed at once: a stat is cheap, and a rescan of a 1,000-texture shot is nothing but stats. */
const STAT_CONCURRENCY = 64;

export interface DependencyScanOptions {
  /** The farm's data folder: the hash cache lives there, Blender's scratch home under it. */
  home: string;
  pathMap?: readonly PathMapRule[];
  /** The controller's Blender, for files the reader cannot read; null = none. */
  blenderPath?: string | null;
  scratchHome?: string;
  /** .blend files above this size are listed by Blender (default 256 MiB, as for the scene's settings). */
  maxNativeBytes?: number;
  /** Shared across scans to count rehashes (tests); a fresh one per scan otherwise. */
  hashCache?: DependencyHashCache;
  /** The submit's shared .blend reads (blend-reads.ts): the scene's settings already read the scene. */
  reads?: BlendReads;
}

/** A path found, before it is stat'ed and hashed. */
export interface FoundPath {
  written: string;
  resolved: string;
  kind: DependencyKind;
  from: string;
  /** Blender may write it while rendering (an unbaked disk point cache): DependencyEntry.writable. */
  writable?: true;
}

export async function scanSceneDependencies(scenePath: string, o: DependencyScanOptions): Promise<DependencyManifest> {
  const scene = resolve(scenePath);
  let listed: BlenderListedPath[];
  let listedBy: DependencyManifest['listedBy'] = 'reader';
  const wholeLibraries: WholeLibrary[] = [];
  try {
    listed = await listWithReader(scene, o.pathMap ?? [], o.maxNativeBytes ?? MAX_NATIVE_BYTES, wholeLibraries, o.reads);
  } catch (error) {
    if (!(error instanceof BlendReadError)) throw error;
    if (!o.blenderPath) {
      throw new SceneError(`The files "${basename(scene)}" needs could not be listed (${error.message}); save it again from Blender, or install Blender on this machine so it can list them.`);
    }
    listed = await listDependenciesWithBlender(scene, { blenderPath: o.blenderPath, scratchHome: o.scratchHome ?? resolve(o.home, 'scratch-home'), pathMap: o.pathMap ?? [] });
    listedBy = 'blender';
    wholeLibraries.length = 0; // Blender lists what it loads: nothing taken whole
  }
  const found = await expandAll(listed);
  const cache = o.hashCache ?? new DependencyHashCache(o.home);
  const entries = await describeAll(found, cache);
  await cache.save();
  const missing = entries.filter((e) => e.missing);
  return {
    entries: [...missing, ...entries.filter((e) => !e.missing)],
    totalBytes: entries.reduce((n, e) => n + (e.size ?? 0), 0),
    missingCount: missing.length,
    listedBy,
    ...(wholeLibraries.length > 0 ? { wholeLibraries } : {}),
  };
}

/**
 * The scene and every library it links (each read once), their paths resolved, in the order
 * found: of a library only what the IDs linked from it reach (linked-library-reads.ts); a
 * library the reader cannot decide for is taken whole and noted in `wholeLibraries`.
 */
async function listWithReader(scene: string, pathMap: readonly PathMapRule[], maxNativeBytes: number, wholeLibraries: WholeLibrary[], reads?: BlendReads): Promise<BlenderListedPath[]> {
  const read = async (blendPath: string) => {
    const size = (await stat(blendPath)).size;
    if (size > maxNativeBytes) throw new BlendReadError(`${basename(blendPath)} is too large to read without Blender`);
    return reads ? reads(blendPath) : parseBlendFile(await readBlendBytes(blendPath));
  };
  const plan = await planLinkedReads(scene, { read, resolve: (written, from) => resolveWrittenPath(written, from, pathMap), isFile });
  wholeLibraries.push(...plan.wholeLibraries);
  const found: BlenderListedPath[] = [];
  for (const file of plan.files) {
    for (const n of namedPaths({ ...file.blend, blocks: file.blocks }, basename(file.path))) found.push({ ...n, resolved: resolveWrittenPath(n.written, file.path, pathMap), from: file.path });
  }
  return found;
}

/** Each listed path made into the files it stands for, each file once. */
async function expandAll(listed: BlenderListedPath[]): Promise<FoundPath[]> {
  const found: FoundPath[] = [];
  const seen = new Set<string>();
  for (const l of listed) {
    for (const file of await expand(l.resolved, l.pattern)) {
      if (seen.has(file)) continue;
      seen.add(file);
      found.push({ written: l.written, resolved: file, kind: l.kind, from: l.from, ...(l.writable ? { writable: true as const } : {}) });
    }
  }
  return found;
}

/**
 * The files a path stands for. A file or a sequence with nothing on disk is one missing entry;
 * a cache or bake folder with nothing in it is nothing (not baked: Blender simulates).
 */
async function expand(resolved: string, pattern: DependencyPattern): Promise<string[]> {
  if (pattern.type === 'file') return [resolved]; // stat'ed once, when described
  const files = await filesOf(resolved, pattern);
  if (files.length > 0) return files;
  return pattern.type === 'sequence' || pattern.type === 'udim' ? [resolved] : [];
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isFile() ?? false;
}

/** Stats every file (many at once), then hashes those the cache does not know (a few at once). */
async function describeAll(found: FoundPath[], cache: DependencyHashCache): Promise<DependencyEntry[]> {
  const infos = await mapLimited(found, STAT_CONCURRENCY, (p) => stat(p.resolved).catch(() => null));
  return mapLimited(found, HASH_CONCURRENCY, async (p, i): Promise<DependencyEntry> => {
    const info = infos[i];
    if (!info?.isFile()) return { ...p, size: null, sha256: null, missing: true };
    try {
      return { ...p, size: info.size, sha256: await cache.sha256(p.resolved, info.size, info.mtimeMs), missing: false };
    } catch {
      return { ...p, size: null, sha256: null, missing: true }; // gone or unreadable between stat and read
    }
  });
}

async function mapLimited<T, R>(items: readonly T[], limit: number, f: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
