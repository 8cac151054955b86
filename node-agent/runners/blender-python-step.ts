import type { PathMap } from '../protocol/index.js';

/**
 * The Python Blender runs after loading the scene and before rendering, passed on its command
 * line (`--python-expr`, which runs even with --disable-autoexec): the agent's own code, never
 * the file's scripts, and the .blend is not rewritten. The step is a list of snippets run in
 * order, each in its own try block so one failing reports and the render still goes on; other
 * parts (File Output redirection) add their snippet to the list.
 */

/** One piece of the step: Python statements (top level, no indentation needed). */
export type PythonSnippet = string;

/** The `--python-expr` text that runs the snippets in order, or null when there is nothing to run. */
export function buildPythonStep(snippets: readonly PythonSnippet[]): string | null {
  const parts = snippets.filter((s) => s.trim() !== '');
  if (parts.length === 0) return null;
  const blocks = parts.map((snippet, i) => [
    'try:',
    ...snippet.split('\n').map((line) => `    ${line}`),
    'except Exception as error:',
    `    print("Error: farmhand step ${i + 1} failed: %s" % error, flush=True)`,
  ].join('\n'));
  return ['import bpy', ...blocks].join('\n');
}

/** A Python string literal holding `text` exactly (JSON's escapes are all valid in Python). */
export function pythonString(text: string): string {
  return JSON.stringify(text);
}

/**
 * Maps absolute paths the scene names outside its folder (`C:\textures`, `\\nas\share`,
 * `/mnt/tex`) to where the files are in the workspace: every image, library, sound, movie clip,
 * font, cache file and volume filepath, every mesh-cache modifier's, external point cache's
 * (modifiers, particles), fluid domain's and Geometry Nodes bake folder (the modifier's, and a
 * bake's own custom folder, 4.1+), that starts with a
 * `from` prefix is rewritten to `<workspace>/<to>/<rest>` (the longest prefix wins). Windows paths (a drive letter or
 * a leading `\\`) compare case-insensitively with either slash; libraries are reloaded after.
 */
export function pathMapSnippet(pathMap: readonly PathMap[], workspaceRoot: string): PythonSnippet | null {
  if (pathMap.length === 0) return null;
  const data = JSON.stringify({ root: workspaceRoot, map: pathMap.map((m) => [m.from, m.to]) });
  return `import json as _j
_d = _j.loads(${pythonString(data)})
_d['map'].sort(key=lambda m: -len(m[0]))
_bs = chr(92)
def _win(p):
    return (len(p) > 1 and p[1] == ':') or p.startswith(_bs + _bs)
def _norm(p, win):
    p = p.replace(_bs, '/')
    return p.lower() if win else p
def _map(p):
    if not p or p.startswith('//'):
        return None
    for src, dst in _d['map']:
        win = _win(src)
        s = _norm(src, win).rstrip('/')
        q = _norm(p, win)
        if q == s or q.startswith(s + '/'):
            rest = p.replace(_bs, '/')[len(s):].lstrip('/')
            return _d['root'].rstrip('/') + '/' + dst + ('/' + rest if rest else '')
    return None
_n = 0
for _coll in (bpy.data.images, bpy.data.sounds, bpy.data.movieclips, bpy.data.fonts, bpy.data.cache_files, bpy.data.volumes):
    for _b in _coll:
        _p = _map(getattr(_b, 'filepath', ''))
        if _p:
            _b.filepath = _p
            _n += 1
def _set(owner, attr):
    global _n
    _p = _map(getattr(owner, attr, '') or '')
    if _p:
        setattr(owner, attr, _p)
        _n += 1
for _o in bpy.data.objects:
    for _m in _o.modifiers:
        if _m.type == 'MESH_CACHE':
            _set(_m, 'filepath')
        _pc = getattr(_m, 'point_cache', None)
        if _pc is not None and getattr(_pc, 'use_external', False):
            _set(_pc, 'filepath')
        if _m.type == 'FLUID' and getattr(_m, 'fluid_type', '') == 'DOMAIN':
            _set(_m.domain_settings, 'cache_directory')
        if _m.type == 'NODES':
            _set(_m, 'bake_directory')
            for _bk in getattr(_m, 'bakes', []):
                if getattr(_bk, 'use_custom_path', False):
                    _set(_bk, 'directory')
    for _ps in getattr(_o, 'particle_systems', []):
        _pc = _ps.point_cache
        if getattr(_pc, 'use_external', False):
            _set(_pc, 'filepath')
for _l in bpy.data.libraries:
    _p = _map(_l.filepath)
    if _p:
        _l.filepath = _p
        _l.reload()
        _n += 1
print("farmhand: mapped %d path(s) into the workspace" % _n, flush=True)`;
}

/** The subfolder of the task's output folder that compositor File Output nodes write into. */
export const PASSES_FOLDER = 'passes';

/**
 * Points every compositor File Output node (each scene's node tree and compositor node groups)
 * at `<outputDir>/passes/`, so its files land where the agent collects them rather than in the
 * workspace (`//passes/` resolves beside the scene). The node's own layout is kept below that:
 * `//passes/` → `passes/`, `//comp/fg/` → `passes/comp/fg/`, an absolute `/mnt/renders/comp/`
 * → `passes/comp/` (its last folder), a Windows path likewise; `.` and `..` segments are
 * dropped, so nothing points out of the folder. A base without a trailing slash (a multilayer
 * EXR's file prefix) keeps its last segment as the prefix.
 */
export function fileOutputSnippet(outputDir: string): PythonSnippet {
  const data = JSON.stringify({ out: outputDir.replace(/\/+$/, ''), passes: PASSES_FOLDER });
  return `import json as _j
_d = _j.loads(${pythonString(data)})
_bs = chr(92)
def _redirect(base):
    b = (base or '').replace(_bs, '/')
    absolute = False
    if b.startswith('//'):
        b = b[2:]
    elif len(b) > 1 and b[1] == ':':
        b, absolute = b[2:], True
    elif b.startswith('/'):
        absolute = True
    folder = b.endswith('/') or b == ''
    parts = [p for p in b.split('/') if p not in ('', '.', '..')]
    if absolute:
        parts = parts[-1:] if folder else parts[-2:]
    if parts and parts[0] == _d['passes']:
        parts = parts[1:]
    tail = '/'.join(parts)
    return _d['out'] + '/' + _d['passes'] + '/' + tail + ('/' if folder and tail else '')
def _trees():
    for _s in bpy.data.scenes:
        if _s.node_tree is not None:
            yield _s.node_tree
    for _g in bpy.data.node_groups:
        if _g.bl_idname == 'CompositorNodeTree':
            yield _g
_n = 0
for _t in _trees():
    for _node in _t.nodes:
        if _node.type == 'OUTPUT_FILE':
            _node.base_path = _redirect(_node.base_path)
            _n += 1
print("farmhand: %d File Output node(s) write into the task's output folder" % _n, flush=True)`;
}
