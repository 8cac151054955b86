import { stat } from 'node:fs/promises';
import { readBlendBytes, type BlendBytesOptions } from './blend-bytes.js';
import { BlendReadError, parseBlendFile, type BlendFile } from './blend-file.js';
import { boundedScripts, collectScripts, type SceneScripts } from './blend-scripts.js';
import { resolveWrittenPath } from './dependency-paths.js';
import { planLinkedReads } from './linked-library-reads.js';

/**
 * The scene's Python including what it links: a rig linked from a library brings its drivers
 * (and Blender loads the library's text blocks the shot reaches), so the part of each library
 * the shot reaches (linked-library-reads.ts, as the dependency manifest reads it) is searched
 * like the shot itself; bpy lists the same, since linked IDs are in bpy.data. Without libraries
 * the shot's own list stands. A library the reader cannot read or find adds nothing here (the
 * manifest names it); `//` paths resolve from the file that names them, without path mapping.
 */
export async function scriptsWithLibraries(blend: BlendFile, scenePath: string, o: BlendBytesOptions = {}): Promise<SceneScripts | undefined> {
  const found = { modules: new Set<string>(), drivers: new Set<string>() };
  if (!blend.blocks.some((b) => b.code === 'LI')) {
    collectScripts(blend, blend.blocks, found);
    return boundedScripts(found);
  }
  try {
    const plan = await planLinkedReads(scenePath, {
      read: async (path) => (path === scenePath ? blend : parseBlendFile(await readBlendBytes(path, { ...(o.zstdTool !== undefined ? { zstdTool: o.zstdTool } : {}) }))),
      resolve: (written, from) => resolveWrittenPath(written, from),
      isFile: async (path) => (await stat(path).catch(() => null))?.isFile() ?? false,
    });
    for (const file of plan.files) collectScripts(file.blend, file.blocks, found);
  } catch (error) {
    if (!(error instanceof BlendReadError)) throw error;
    found.modules.clear();
    found.drivers.clear();
    collectScripts(blend, blend.blocks, found); // a library the reader cannot read: the shot's own
  }
  return boundedScripts(found);
}
