import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DependencyKind } from '../../api/views.js';
import type { DependencyPattern } from './blend-dependencies.js';
import { mapPath, type PathMapRule } from './dependency-paths.js';
import { runBlender } from './scene-probe.js';
import { SceneError } from './scene-error.js';

/**
 * The fallback when the controller's .blend reader cannot read a scene or one of its libraries
 * (a format it does not know, a file too large to hold): Blender itself lists the paths
 * (bpy.utils.blend_paths and the ID collections, which know each path's library), about a
 * second and a half per scene instead of milliseconds. The manifest then says `listedBy: blender`.
 */

const MARKER = 'FARMHAND_DEPENDENCIES ';

/** Runs inside Blender; ID collections first (they know the kind and the naming library), then whatever else blend_paths finds. */
const LIST_SCRIPT = `
import bpy, json, os
out, seen = [], set()
def add(path, kind, id, pattern="file", resolved=None, extra=None):
    if not path or path == "<builtin>" or path in seen:
        return
    lib = getattr(id, "library", None) if id is not None else None
    if resolved is None:
        resolved = os.path.normpath(bpy.path.abspath(path, library=lib)) if path.startswith("//") else path
    if resolved in seen:
        return
    seen.update((path, resolved))
    entry = {"written": path, "resolved": resolved, "kind": kind, "pattern": pattern,
             "from": os.path.normpath(bpy.path.abspath(lib.filepath, library=lib.parent)) if lib else bpy.data.filepath}
    entry.update(extra or {})
    out.append(entry)
def packed(id):
    return bool(getattr(id, "packed_file", None)) or bool(getattr(id, "packed_files", None))
# Paths whose data travels in the .blend: never listed, also not by blend_paths below.
for ids in (bpy.data.images, bpy.data.libraries, bpy.data.sounds, bpy.data.fonts, getattr(bpy.data, "volumes", [])):
    for id in ids:
        if packed(id):
            seen.add(id.filepath)
for t in bpy.data.texts:
    if t.is_in_memory:
        seen.add(t.filepath)
for im in bpy.data.images:
    if im.source in {"FILE", "SEQUENCE", "MOVIE", "TILED"}:
        add(im.filepath, {"SEQUENCE": "image-sequence", "TILED": "udim"}.get(im.source, "image"), im, {"SEQUENCE": "sequence", "TILED": "udim"}.get(im.source, "file"))
for kind, ids in (("library", bpy.data.libraries), ("sound", bpy.data.sounds), ("font", bpy.data.fonts)):
    for id in ids:
        add(id.filepath, kind, id)
for c in bpy.data.movieclips:
    add(c.filepath, "movie-clip", c, "sequence" if c.source == "SEQUENCE" else "file")
for c in getattr(bpy.data, "cache_files", []):
    add(c.filepath, "cache-file", c, "sequence" if c.is_sequence else "file")
for v in getattr(bpy.data, "volumes", []):
    add(v.filepath, "volume", v, "sequence" if v.is_sequence else "file")
for t in bpy.data.texts:
    add(t.filepath, "text", t)
def point_cache(pc, ob):
    if pc is None or not pc.use_disk_cache:
        return
    name = "".join("%02X" % b for b in ob.name.encode("utf8"))
    lib = ob.library
    blend = os.path.basename(lib.filepath if lib else bpy.data.filepath)
    folder = pc.filepath if pc.use_external else "//blendcache_" + (blend[:-6] if len(blend) > 6 else blend)
    prefixes = [pc.name] if pc.name and not pc.use_external else [name]
    resolved = os.path.normpath(bpy.path.abspath(folder, library=lib))
    extra = {"written": folder, "prefixes": prefixes, "index": pc.index}
    if not pc.is_baked and not pc.use_external:
        extra["writable"] = True
    add(folder + "#" + str(pc.index) + "/".join(prefixes), "point-cache", ob, "point-cache", resolved, extra)
def nodes_bakes(m, ob):
    # Geometry Nodes bake folders as the reader lists them (blend-nodes-bakes.ts): packed bakes (4.3+) need none.
    if not hasattr(m, "bake_directory"):
        return
    blend = os.path.basename(ob.library.filepath if ob.library else bpy.data.filepath)
    folder = m.bake_directory or "//blendcache_" + (blend[:-6] if len(blend) > 6 else blend)
    bakes = getattr(m, "bakes", None)
    if bakes is None:
        add(folder, "bake", ob, "folder")
        return
    disk, other = [], [folder] + [b.directory for b in bakes if b.directory]
    for b in bakes:
        target = getattr(b, "bake_target", "INHERIT")
        target = getattr(m, "bake_target", "DISK") if target == "INHERIT" else target
        if target != "PACKED" and not (b.use_custom_path and not b.directory):
            disk.append(b.directory if b.use_custom_path else folder)
    for path in disk:
        add(path, "bake", ob, "folder")
    seen.update(p for p in other if p not in disk)
for ob in bpy.data.objects:
    for m in ob.modifiers:
        if m.type == "MESH_CACHE":
            add(m.filepath, "mesh-cache", ob)
        elif m.type == "FLUID" and m.domain_settings:
            add(m.domain_settings.cache_directory, "bake", ob, "folder")
        elif m.type == "NODES":
            nodes_bakes(m, ob)
        point_cache(getattr(m, "point_cache", None), ob)
    for ps in ob.particle_systems:
        point_cache(ps.point_cache, ob)
ext = {".mp4": "movie-clip", ".mov": "movie-clip", ".mkv": "movie-clip", ".avi": "movie-clip", ".pc2": "mesh-cache", ".mdd": "mesh-cache", ".osl": "script", ".oso": "script", ".ies": "ies", ".blend": "library",
       ".abc": "cache-file", ".usd": "cache-file", ".usdc": "cache-file", ".usda": "cache-file", ".vdb": "volume"}
written = bpy.utils.blend_paths(absolute=False, packed=False, local=False)
absolute = bpy.utils.blend_paths(absolute=True, packed=False, local=False)
for path, resolved in zip(written, absolute if len(absolute) == len(written) else written):
    add(path, ext.get(os.path.splitext(path)[1].lower(), "image"), None, "file", os.path.normpath(resolved) if path.startswith("//") else path)
print(${JSON.stringify(MARKER)} + json.dumps(out), flush=True)
`;

export interface BlenderListedPath {
  written: string;
  /** Resolved by Blender (`//` from the naming library's folder), before any path mapping. */
  resolved: string;
  kind: DependencyKind;
  from: string;
  pattern: DependencyPattern;
  /** Blender may write these files while it renders (an unbaked disk point cache): DependencyEntry.writable. */
  writable?: true;
}

const KINDS = new Set<DependencyKind>(['image', 'image-sequence', 'udim', 'library', 'sound', 'movie-clip', 'font', 'cache-file', 'volume', 'mesh-cache', 'point-cache', 'bake', 'text', 'script', 'ies']);

export async function listDependenciesWithBlender(
  scenePath: string,
  o: { blenderPath: string; scratchHome: string; pathMap: readonly PathMapRule[]; timeoutMs?: number },
): Promise<BlenderListedPath[]> {
  await mkdir(join(o.scratchHome, '.cache'), { recursive: true });
  const timeoutMs = o.timeoutMs ?? 120_000;
  const argv = ['-b', '-noaudio', '--factory-startup', scenePath, '--disable-autoexec', '--python-exit-code', '2', '--python-expr', LIST_SCRIPT];
  const run = await runBlender(o.blenderPath, argv, o.scratchHome, timeoutMs);
  const marked = run.lines.find((line) => line.startsWith(MARKER));
  if (!marked) {
    const why = run.spawnError ?? (run.timedOut ? `it took longer than ${Math.round(timeoutMs / 1000)} s` : `Blender exited with code ${run.code}`);
    throw new SceneError(`Blender could not list the files "${scenePath}" needs (${why}); check that the file opens in Blender.`);
  }
  const raw = JSON.parse(marked.slice(MARKER.length)) as { written: string; resolved: string; kind: string; from: string; pattern: string; prefixes?: string[]; index?: number; writable?: boolean }[];
  return raw.map((r) => ({
    written: r.written,
    resolved: r.written.startsWith('//') ? r.resolved : mapPath(r.written, o.pathMap) ?? r.resolved,
    kind: KINDS.has(r.kind as DependencyKind) ? (r.kind as DependencyKind) : 'image',
    from: r.from || scenePath,
    pattern: patternOf(r),
    ...(r.writable === true ? { writable: true as const } : {}),
  }));
}

function patternOf(r: { pattern: string; prefixes?: string[]; index?: number }): DependencyPattern {
  if (r.pattern === 'sequence' || r.pattern === 'udim' || r.pattern === 'folder') return { type: r.pattern };
  if (r.pattern === 'point-cache') return { type: 'point-cache', prefixes: r.prefixes ?? [], index: r.index ?? -1 };
  return { type: 'file' };
}
