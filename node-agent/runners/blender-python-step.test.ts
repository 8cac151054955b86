import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeScratchDir } from '../../test/helpers/scratch.js';
import { buildBlenderArgv } from './blender-argv.js';
import { buildPythonStep, fileOutputSnippet, pathMapSnippet } from './blender-python-step.js';

/**
 * The step's Python is run by the machine's python3 against a stand-in `bpy` holding the same
 * collections (Blender itself proves the render in test/integration/blender-path-map.test.ts).
 */
const FAKE_BPY = `
class Data: pass
class Block:
    def __init__(self, filepath): self.filepath = filepath; self.reloaded = False
    def reload(self): self.reloaded = True
class Mod:
    def __init__(self, type, filepath): self.type = type; self.filepath = filepath
class Cache:
    def __init__(self, filepath, use_external): self.filepath = filepath; self.use_external = use_external
class Cloth:
    def __init__(self, cache): self.type = 'CLOTH'; self.point_cache = cache
class Fluid:
    def __init__(self, d): self.type = 'FLUID'; self.fluid_type = 'DOMAIN'; self.domain_settings = Data(); self.domain_settings.cache_directory = d
class Nodes:
    def __init__(self, d): self.type = 'NODES'; self.bake_directory = d
class Psys:
    def __init__(self, cache): self.point_cache = cache
class Obj:
    def __init__(self, mods, psys=()): self.modifiers = mods; self.particle_systems = list(psys)
data = Data()
data.images = [Block('C:\\\\Textures\\\\Wood.png'), Block('//textures/rel.png'), Block('/mnt/tex/stone/a.png'), Block('/mnt/texture.png'), Block('')]
data.sounds = [Block('\\\\\\\\nas\\\\share\\\\audio\\\\x.wav')]
data.movieclips = [Block('c:/textures/clip.mov')]
data.fonts = [Block('<builtin>')]
data.cache_files = [Block('/mnt/tex/sim.abc')]
data.volumes = [Block('D:\\\\other\\\\v.vdb')]
data.objects = [
    Obj([Mod('MESH_CACHE', 'C:\\\\textures\\\\anim.pc2'), Mod('SUBSURF', '')]),
    Obj([Cloth(Cache('/mnt/tex/cloth', True)), Cloth(Cache('/mnt/tex/internal', False)), Fluid('/mnt/tex/fluid'), Nodes('/mnt/tex/gn_bake')], [Psys(Cache('C:\\\\textures\\\\parts', True))]),
]
data.libraries = [Block('/mnt/tex/lib/props.blend'), Block('//lib/rel.blend')]
`;

const REPORT = `
import bpy, json
d = bpy.data
print(json.dumps({
  'images': [b.filepath for b in d.images], 'sounds': [b.filepath for b in d.sounds],
  'clips': [b.filepath for b in d.movieclips], 'fonts': [b.filepath for b in d.fonts],
  'caches': [b.filepath for b in d.cache_files], 'volumes': [b.filepath for b in d.volumes],
  'meshCache': [m.filepath for m in d.objects[0].modifiers],
  'caches2': [d.objects[1].modifiers[0].point_cache.filepath, d.objects[1].modifiers[1].point_cache.filepath,
              d.objects[1].modifiers[2].domain_settings.cache_directory, d.objects[1].modifiers[3].bake_directory,
              d.objects[1].particle_systems[0].point_cache.filepath],
  'libraries': [[b.filepath, b.reloaded] for b in d.libraries],
}))
`;

async function runStep(step: string, report = REPORT): Promise<{ stdout: string; status: number | null }> {
  const { dir, cleanup } = await makeScratchDir('farmhand-pystep');
  try {
    await mkdir(join(dir, 'bpy'));
    await writeFile(join(dir, 'bpy', '__init__.py'), FAKE_BPY);
    await writeFile(join(dir, 'step.py'), `${step}\n${report}`);
    const r = spawnSync('python3', [join(dir, 'step.py')], { cwd: dir, env: { ...process.env, PYTHONPATH: dir }, encoding: 'utf8' });
    return { stdout: r.stdout + r.stderr, status: r.status };
  } finally {
    await cleanup();
  }
}

test('the path map rewrites absolute paths under a prefix into the workspace (longest prefix first), Windows paths case-insensitively with either slash', async () => {
  const step = buildPythonStep([pathMapSnippet([
    { from: '/mnt', to: 'maps/mnt' }, // shorter than /mnt/tex below: the longest prefix wins, whatever the order
    { from: 'C:\\textures', to: 'maps/c_textures' },
    { from: '\\\\nas\\share', to: 'maps/nas_share' },
    { from: '/mnt/tex', to: 'maps/mnt_tex' },
  ], '/agent/ws/job1')!])!;
  const { stdout, status } = await runStep(step);
  assert.equal(status, 0, stdout);
  assert.match(stdout, /farmhand: mapped 12 path\(s\) into the workspace/);
  const report = JSON.parse(stdout.trim().split('\n').at(-1)!);
  assert.deepEqual(report, {
    images: ['/agent/ws/job1/maps/c_textures/Wood.png', '//textures/rel.png', '/agent/ws/job1/maps/mnt_tex/stone/a.png', '/agent/ws/job1/maps/mnt/texture.png', ''],
    sounds: ['/agent/ws/job1/maps/nas_share/audio/x.wav'],
    clips: ['/agent/ws/job1/maps/c_textures/clip.mov'],
    fonts: ['<builtin>'],
    caches: ['/agent/ws/job1/maps/mnt_tex/sim.abc'],
    volumes: ['D:\\other\\v.vdb'],
    meshCache: ['/agent/ws/job1/maps/c_textures/anim.pc2', ''],
    caches2: ['/agent/ws/job1/maps/mnt_tex/cloth', '/mnt/tex/internal', '/agent/ws/job1/maps/mnt_tex/fluid', '/agent/ws/job1/maps/mnt_tex/gn_bake', '/agent/ws/job1/maps/c_textures/parts'],
    libraries: [['/agent/ws/job1/maps/mnt_tex/lib/props.blend', true], ['//lib/rel.blend', false]],
  });
});

test('a Geometry Nodes bake with its own custom folder (Blender 4.1+) is mapped like the modifier\'s folder; a bake without one is left alone', async () => {
  // Blender 4.3 measured (test/fixtures/blender-4): such a bake reads its folder, not the modifier's; 3.x has no `bakes`.
  const scene = `
import bpy
class _Bake:
    def __init__(self, custom, d): self.use_custom_path = custom; self.directory = d
_gn = bpy.Nodes('/elsewhere/mod')
_gn.bakes = [_Bake(True, 'D:\\\\Sims\\\\b'), _Bake(False, '/mnt/bakes/unused'), _Bake(True, '/mnt/bakes/c')]
bpy.data.objects = [bpy.Obj([_gn, bpy.Nodes('/mnt/bakes/mod')])]
`;
  const step = buildPythonStep([pathMapSnippet([{ from: '/mnt/bakes', to: 'external/mnt/bakes' }, { from: 'd:\\sims', to: 'external/d/sims' }], '/agent/ws/job1')!])!;
  const report = 'import json\nprint(json.dumps([[m.bake_directory, [b.directory for b in getattr(m, "bakes", [])]] for m in bpy.data.objects[0].modifiers]))';
  const { stdout, status } = await runStep(`${scene}\n${step}`, report);
  assert.equal(status, 0, stdout);
  assert.match(stdout, /farmhand: mapped 3 path\(s\) into the workspace/);
  assert.deepEqual(JSON.parse(stdout.trim().split('\n').at(-1)!), [
    ['/elsewhere/mod', ['/agent/ws/job1/external/d/sims/b', '/mnt/bakes/unused', '/agent/ws/job1/external/mnt/bakes/c']],
    ['/agent/ws/job1/external/mnt/bakes/mod', []],
  ]);
});

test('a snippet that fails reports an Error: line and the next snippet still runs', async () => {
  const step = buildPythonStep(['raise ValueError("boom")', 'print("second ran")'])!;
  const { stdout, status } = await runStep(step);
  assert.equal(status, 0);
  assert.match(stdout, /^Error: farmhand step 1 failed: boom$/m);
  assert.match(stdout, /^second ran$/m);
});

test('no snippets, no step; the step goes on Blender\'s command line after the scene and before the render', () => {
  assert.equal(buildPythonStep([]), null);
  assert.equal(pathMapSnippet([], '/ws'), null);
  const step = buildPythonStep(['print(1)'])!;
  const argv = buildBlenderArgv({ scenePath: '/ws/shot.blend', outputDir: '/out', outputName: 'shot', format: 'PNG', frames: [1], pythonExpr: step });
  const at = argv.indexOf('--python-expr');
  assert.equal(argv[at + 1], step);
  assert.ok(at > argv.indexOf('/ws/shot.blend') && at < argv.indexOf('-a'), argv.join(' '));
  assert.equal(buildBlenderArgv({ scenePath: '/ws/shot.blend', outputDir: '/out', outputName: 'shot', format: 'PNG', frames: [1] }).includes('--python-expr'), false);
});

const FAKE_COMPOSITOR = `
class Data: pass
class Node:
    def __init__(self, type, base_path=''): self.type = type; self.base_path = base_path
class Tree:
    def __init__(self, nodes, bl_idname='CompositorNodeTree'): self.nodes = nodes; self.bl_idname = bl_idname
class Scene:
    def __init__(self, tree): self.node_tree = tree
data = Data()
bases = ['//passes/', '//comp/fg/', '/mnt/renders/comp/', 'C:\\\\renders\\\\comp\\\\', '//passes/multi_', '//../../x/', '']
data.scenes = [Scene(Tree([Node('OUTPUT_FILE', b) for b in bases] + [Node('COMPOSITE')])), Scene(None)]
data.node_groups = [Tree([Node('OUTPUT_FILE', '//grp/')]), Tree([Node('OUTPUT_FILE', '//shader/')], 'ShaderNodeTree')]
`;

test('File Output base paths are redirected under <task output>/passes/ keeping the node\'s own layout, never out of it (scenes and compositor groups)', async () => {
  const { dir, cleanup } = await makeScratchDir('farmhand-pystep-fo');
  try {
    await mkdir(join(dir, 'bpy'));
    await writeFile(join(dir, 'bpy', '__init__.py'), FAKE_COMPOSITOR);
    const report = 'import bpy, json\nprint(json.dumps([n.base_path for n in bpy.data.scenes[0].node_tree.nodes] + [g.nodes[0].base_path for g in bpy.data.node_groups]))';
    await writeFile(join(dir, 'step.py'), `${buildPythonStep([fileOutputSnippet('/agent/work/t1__1/')])}\n${report}`);
    const r = spawnSync('python3', [join(dir, 'step.py')], { cwd: dir, env: { ...process.env, PYTHONPATH: dir }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /farmhand: 8 File Output node\(s\) write into the task's output folder/);
    const out = '/agent/work/t1__1/passes/';
    assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').at(-1)!), [
      out, `${out}comp/fg/`, `${out}comp/`, `${out}comp/`, `${out}multi_`, `${out}x/`, out, '', `${out}grp/`, '//shader/',
    ]);
  } finally {
    await cleanup();
  }
});
