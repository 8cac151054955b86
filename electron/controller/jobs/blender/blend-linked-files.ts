import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { readBlendBytes, type BlendBytesOptions } from './blend-bytes.js';
import type { BlendReads } from './blend-reads.js';
import { namedPaths } from './blend-dependencies.js';
import { BlendReadError, parseBlendFile, type BlendBlock, type BlendFile } from './blend-file.js';
import { resolveWrittenPath } from './dependency-paths.js';
import { planLinkedReads, type BlendToList } from './linked-library-reads.js';

/**
 * The libraries a shot links, for the scene facts that follow links: a rig linked from a library
 * brings its drivers, a linked character its cloth. The part of each library the shot reaches is
 * read as the dependency manifest reads it (linked-library-reads.ts); bpy shows the same, since
 * linked IDs are in bpy.data and linked objects in `scene.objects`. `//` paths resolve from the
 * file that names them, without path mapping. A library the reader cannot read leaves the shot's
 * own facts (the manifest names the library).
 */

export interface LinkedFile {
  blend: BlendFile;
  path: string;
}

export interface LinkedFiles {
  /** The shot first, then each library, each with the blocks the shot reaches. */
  files: BlendToList[];
  /** The library file a library block (`LI`) of `from` names, when it was read. */
  libraryOf(from: BlendFile, library: BlendBlock): LinkedFile | undefined;
}

export async function readLinkedFiles(blend: BlendFile, scenePath: string, o: BlendBytesOptions & { reads?: BlendReads } = {}): Promise<LinkedFiles | undefined> {
  if (!blend.blocks.some((b) => b.code === 'LI')) return undefined;
  let files: BlendToList[];
  try {
    files = (await planLinkedReads(scenePath, {
      read: async (path) => (path === scenePath ? blend : o.reads ? o.reads(path) : parseBlendFile(await readBlendBytes(path, { ...(o.zstdTool !== undefined ? { zstdTool: o.zstdTool } : {}) }))),
      resolve: (written, from) => resolveWrittenPath(written, from),
      isFile: async (path) => (await stat(path).catch(() => null))?.isFile() ?? false,
    })).files;
  } catch (error) {
    if (error instanceof BlendReadError) return undefined;
    throw error;
  }
  const pathOf = new Map(files.map((f) => [f.blend, f.path]));
  const byPath = new Map(files.map((f) => [f.path, f]));
  return {
    files,
    libraryOf(from, library) {
      const fromPath = pathOf.get(from);
      if (fromPath === undefined) return undefined;
      const written = namedPaths({ ...from, blocks: [library] }, basename(fromPath)).find((n) => n.kind === 'library')?.written;
      const file = written === undefined ? undefined : byPath.get(resolveWrittenPath(written, fromPath));
      return file ? { blend: file.blend, path: file.path } : undefined;
    },
  };
}
