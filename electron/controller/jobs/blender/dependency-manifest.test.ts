import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeScratchDir } from '../../../../test/helpers/scratch.js';
import { probeFile } from '../../api/probe-file.js';
import type { DependencyEntry, DependencyManifest } from '../../api/views.js';
import { InputError } from '../../input-error.js';
import { cliFailure } from '../../../cli/cli-failure.js';
import { DependencyHashCache, HASH_CACHE_FILE } from './dependency-hash-cache.js';
import { scanSceneDependencies } from './dependency-manifest.js';
import { findBlender } from './find-blender.js';
import { MissingFilesError, missingFilesSentence } from './missing-files-error.js';
import { prepareRender } from './render-submission.js';

// The manifest of scenes Blender itself wrote: every kind of external file a production shot
// names, read back by the controller's own reader (plain and zstd files, a linked library with
// its own relative texture), hashed with a cache, and refused at submit when a file is missing.

const blender = findBlender();

/** Runs inside Blender: `-- <root>`. The library first (compressed), then the shot linking it. */
const SCENES = `
import bpy, sys, os
root = sys.argv[sys.argv.index("--") + 1]
shot, lib = os.path.join(root, "shot"), os.path.join(root, "lib")
bpy.ops.wm.read_factory_settings(use_empty=True)
img = bpy.data.images.new("libtex", 4, 4)
img.source = "FILE"
img.filepath = "//tex/lib.png"
mat = bpy.data.materials.new("PropMat")
mat.use_fake_user = True
mat.use_nodes = True
mat.node_tree.nodes.new("ShaderNodeTexImage").image = img
bpy.ops.wm.save_as_mainfile(filepath=os.path.join(lib, "props.blend"), compress=True, relative_remap=False)
bpy.ops.wm.read_factory_settings(use_empty=True)
s = bpy.context.scene
s.render.resolution_x, s.render.resolution_y = 64, 48
bpy.ops.wm.save_as_mainfile(filepath=os.path.join(shot, "scene.blend"), compress=False)
def image(name, path, source="FILE"):
    i = bpy.data.images.new(name, 4, 4)
    i.source = source
    i.filepath = path
    i.use_fake_user = True
image("rel", "//textures/rel.png")
image("abs", os.path.join(root, "elsewhere", "abs.png"))
image("seq", "//seq/frame_0001.png", "SEQUENCE")
image("udim", "//udim/tex.<UDIM>.png", "TILED")
image("missing", "//textures/missing.png")
image("win", "C:\\\\Tex\\\\win.png")
image("unc", "\\\\\\\\nas\\\\share\\\\unc.png")
p = bpy.data.images.new("packed", 4, 4)
p.use_fake_user = True
p.filepath_raw = "//textures/packed.png"
p.file_format = "PNG"
p.save()
p.pack()
os.remove(os.path.join(shot, "textures", "packed.png"))
with bpy.data.libraries.load(os.path.join(lib, "props.blend"), link=True, relative=True) as (src, dst):
    dst.materials = ["PropMat"]
mesh = bpy.data.meshes.new("m")
mesh.from_pydata([(0, 0, 0), (1, 0, 0), (0, 1, 0)], [], [(0, 1, 2)])
ob = bpy.data.objects.new("Tri", mesh)
s.collection.objects.link(ob)
ob.data.materials.append(bpy.data.materials["PropMat"])
mc = ob.modifiers.new("mc", "MESH_CACHE")
mc.cache_format = "PC2"
mc.filepath = "//cache/anim.pc2"
pc = ob.modifiers.new("sb", "SOFT_BODY").point_cache
pc.use_disk_cache = True
pc.name = "softcache"
pc.frame_end = 2
bpy.data.texts.load(os.path.join(shot, "scripts", "ext.py"))
bpy.data.texts.new("in_memory_only").use_fake_user = True
sh = bpy.data.materials.new("Sh")
sh.use_fake_user = True
sh.use_nodes = True
osl = sh.node_tree.nodes.new("ShaderNodeScript")
osl.mode = "EXTERNAL"
osl.filepath = "//osl/s.osl"
ies = sh.node_tree.nodes.new("ShaderNodeTexIES")
ies.mode = "EXTERNAL"
ies.filepath = "//ies/l.ies"
bpy.ops.wm.save_as_mainfile(filepath=os.path.join(shot, "scene.blend"), compress=False)
with bpy.context.temp_override(scene=s, active_object=ob, point_cache=pc):
    assert bpy.ops.ptcache.bake(bake=True) == {"FINISHED"}
bpy.ops.wm.save_as_mainfile(filepath=os.path.join(shot, "scene.blend"), compress=False)
bpy.ops.wm.save_as_mainfile(filepath=os.path.join(shot, "scene_z.blend"), compress=True, copy=True)
`;

/** Files on disk before Blender runs (the text block is loaded from its file). */
const FILES = [
  'shot/textures/rel.png', 'elsewhere/abs.png', 'shot/seq/frame_0001.png', 'shot/seq/frame_0002.png', 'shot/seq/frame_0003.png',
  'shot/seq/other_0001.png', 'shot/udim/tex.1001.png', 'shot/udim/tex.1002.png', 'lib/tex/lib.png', 'shot/cache/anim.pc2',
  'shot/scripts/ext.py', 'shot/osl/s.osl', 'shot/ies/l.ies', 'mapped/win.png', 'nas-share/unc.png',
];

describe('the dependency manifest (read at submit, without Blender)', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  const at = (path: string) => join(scratch.dir, path);
  const pathMap = () => [{ from: 'c:\\tex', to: at('mapped') }, { from: '\\\\NAS\\share', to: at('nas-share') }];
  /** Entries as [kind, written, resolved (relative to the scratch folder), naming file, missing], in manifest order. */
  const rows = (m: DependencyManifest) => m.entries.map((e) => [e.kind, e.written, relative(scratch.dir, e.resolved), relative(scratch.dir, e.from), e.missing]);

  before(async () => {
    scratch = await makeScratchDir('farmhand-dependencies');
    assert.ok(blender, 'Blender is not installed: apt-get install -y blender');
    for (const [i, file] of FILES.entries()) {
      await mkdir(dirname(at(file)), { recursive: true });
      await writeFile(at(file), `${file} ${'x'.repeat(i)}\n`);
    }
    const home = at('home');
    const run = spawnSync(blender, ['-b', '-noaudio', '--factory-startup', '--python-exit-code', '2', '--python-expr', SCENES, '--', scratch.dir], {
      env: { ...process.env, HOME: home, XDG_CACHE_HOME: join(home, '.cache') },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(run.status, 0, run.stdout + run.stderr);
  });
  after(() => scratch.cleanup());

  const expectedShot = (blend: string) => [
    ['image', '//textures/missing.png', 'shot/textures/missing.png', `shot/${blend}`, true],
    ['image', '//textures/rel.png', 'shot/textures/rel.png', `shot/${blend}`, false],
    ['image', at('elsewhere/abs.png'), 'elsewhere/abs.png', `shot/${blend}`, false],
    ['image-sequence', '//seq/frame_0001.png', 'shot/seq/frame_0001.png', `shot/${blend}`, false],
    ['image-sequence', '//seq/frame_0001.png', 'shot/seq/frame_0002.png', `shot/${blend}`, false],
    ['image-sequence', '//seq/frame_0001.png', 'shot/seq/frame_0003.png', `shot/${blend}`, false],
    ['udim', '//udim/tex.<UDIM>.png', 'shot/udim/tex.1001.png', `shot/${blend}`, false],
    ['udim', '//udim/tex.<UDIM>.png', 'shot/udim/tex.1002.png', `shot/${blend}`, false],
    ['image', 'C:\\Tex\\win.png', 'mapped/win.png', `shot/${blend}`, false],
    ['image', '\\\\nas\\share\\unc.png', 'nas-share/unc.png', `shot/${blend}`, false],
    // bpy.data.texts.load keeps the path absolute; the text made in Blender (in the .blend only) is not listed.
    ['text', at('shot/scripts/ext.py'), 'shot/scripts/ext.py', `shot/${blend}`, false],
    ['library', '//../lib/props.blend', 'lib/props.blend', `shot/${blend}`, false],
  ];
  const sorted = (r: unknown[][]) => [r[0], ...r.slice(1).sort((a, b) => String(a[2]).localeCompare(String(b[2])))];

  test('lists every kind a shot names, resolved from the folder of the file that names it, missing first, packed data not at all', async () => {
    const m = await scanSceneDependencies(at('shot/scene.blend'), { home: at('farm-a'), pathMap: pathMap() });
    assert.equal(m.listedBy, 'reader');
    assert.equal(m.missingCount, 1);
    const expected = [
      ...expectedShot('scene.blend'),
      ['mesh-cache', '//cache/anim.pc2', 'shot/cache/anim.pc2', 'shot/scene.blend', false],
      // Blender's own bake: the folder is named after this file (less ".blend"), the files after the cache.
      ['point-cache', '//blendcache_scene', 'shot/blendcache_scene/softcache_000001_00.bphys', 'shot/scene.blend', false],
      ['point-cache', '//blendcache_scene', 'shot/blendcache_scene/softcache_000002_00.bphys', 'shot/scene.blend', false],
      ['script', '//osl/s.osl', 'shot/osl/s.osl', 'shot/scene.blend', false],
      ['ies', '//ies/l.ies', 'shot/ies/l.ies', 'shot/scene.blend', false],
      // The library's own texture: its `//` is the library's folder, and it is named by the library.
      ['image', '//tex/lib.png', 'lib/tex/lib.png', 'lib/props.blend', false],
    ];
    assert.deepEqual(sorted(rows(m)), sorted(expected));
    for (const e of m.entries.filter((x) => !x.missing)) {
      const bytes = await readFile(e.resolved);
      assert.equal(e.size, bytes.length, e.resolved);
      assert.equal(e.sha256, createHash('sha256').update(bytes).digest('hex'), e.resolved);
    }
    assert.deepEqual([m.entries[0]!.size, m.entries[0]!.sha256], [null, null]);
    assert.equal(m.totalBytes, m.entries.reduce((n, e) => n + (e.size ?? 0), 0));
  });

  test('a zstd-compressed copy lists the same files, and its disk cache is looked for under its own name', async () => {
    const m = await scanSceneDependencies(at('shot/scene_z.blend'), { home: at('farm-z'), pathMap: pathMap() });
    assert.equal((await readFile(at('shot/scene_z.blend'))).readUInt32LE(0), 0xfd2fb528, 'Blender wrote zstd');
    const expected = [
      ...expectedShot('scene_z.blend'),
      ['mesh-cache', '//cache/anim.pc2', 'shot/cache/anim.pc2', 'shot/scene_z.blend', false],
      ['script', '//osl/s.osl', 'shot/osl/s.osl', 'shot/scene_z.blend', false],
      ['ies', '//ies/l.ies', 'shot/ies/l.ies', 'shot/scene_z.blend', false],
      ['image', '//tex/lib.png', 'lib/tex/lib.png', 'lib/props.blend', false],
    ];
    assert.deepEqual(sorted(rows(m)), sorted(expected));
  });

  test('without path mapping, a Windows path is missing as written, and the sentence says how to map it', async () => {
    const m = await scanSceneDependencies(at('shot/scene.blend'), { home: at('farm-b') });
    assert.deepEqual(m.entries.filter((e) => e.missing).map((e) => [e.written, e.resolved]).sort(), [
      ['//textures/missing.png', at('shot/textures/missing.png')],
      ['C:\\Tex\\win.png', 'C:\\Tex\\win.png'],
      ['\\\\nas\\share\\unc.png', '\\\\nas\\share\\unc.png'],
    ]);
    assert.match(missingFilesSentence(at('shot/scene.blend'), m),
      /^The scene "scene\.blend" needs 3 file\(s\) that are missing: [^;]+; put them back, map Windows paths with --map-path FROM=TO, or pass --allow-missing to render anyway\.$/);
    assert.ok(missingFilesSentence(at('shot/scene.blend'), m).includes('C:\\Tex\\win.png'));
  });

  test('a rescan takes hashes from the cache in the data folder (path, size and mtime), and a changed mtime rehashes', async () => {
    const home = at('farm-cache');
    const rel = at('shot/textures/rel.png');
    const atime = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
    const mtime = new Date(Date.UTC(2026, 0, 2, 3, 4, 6)); // whole seconds: restored exactly below
    await utimes(rel, atime, mtime);
    const first = new DependencyHashCache(home);
    const before1 = await scanSceneDependencies(at('shot/scene.blend'), { home, pathMap: pathMap(), hashCache: first });
    const present = before1.entries.filter((e) => !e.missing).length;
    assert.equal(first.hashedFiles, present);
    assert.ok((await stat(join(home, HASH_CACHE_FILE))).size > 0);

    // Same size and mtime, other bytes: a rescan must not read the file (it answers the cached hash).
    const original = await readFile(rel);
    await writeFile(rel, Buffer.from(original.toString('latin1').toUpperCase(), 'latin1'));
    await utimes(rel, atime, mtime);
    const second = new DependencyHashCache(home);
    const again = await scanSceneDependencies(at('shot/scene.blend'), { home, pathMap: pathMap(), hashCache: second });
    assert.equal(second.hashedFiles, 0);
    const relSha = (m: DependencyManifest) => m.entries.find((e) => e.resolved === rel)!.sha256;
    assert.equal(relSha(again), createHash('sha256').update(original).digest('hex'));

    await utimes(rel, atime, new Date(mtime.getTime() + 5000));
    const third = new DependencyHashCache(home);
    const changed = await scanSceneDependencies(at('shot/scene.blend'), { home, pathMap: pathMap(), hashCache: third });
    assert.equal(third.hashedFiles, 1);
    assert.equal(relSha(changed), createHash('sha256').update(await readFile(rel)).digest('hex'));
    await writeFile(rel, original);
  });

  test('where the reader cannot read a file, Blender lists the same files, and the manifest says so', async () => {
    const reader = await scanSceneDependencies(at('shot/scene.blend'), { home: at('farm-a'), pathMap: pathMap() });
    // Files above the reader's size limit go to Blender: here, every file.
    const byBlender = await scanSceneDependencies(at('shot/scene.blend'), { home: at('farm-a'), pathMap: pathMap(), blenderPath: blender!, scratchHome: at('home'), maxNativeBytes: 1 });
    assert.equal(byBlender.listedBy, 'blender');
    // Blender shows Windows paths with forward slashes; everything else is the same, in any order.
    const key = (m: DependencyManifest) => m.entries.map((e) => JSON.stringify([e.kind, e.written.replace(/\\/g, '/'), e.resolved, e.from, e.size, e.sha256, e.missing])).sort();
    assert.deepEqual(key(byBlender), key(reader));
    assert.equal(byBlender.missingCount, 1);
    assert.equal(byBlender.entries[0]!.written, '//textures/missing.png');
  });

  test('without Blender, a file the reader cannot read is refused in one sentence', async () => {
    const refused = await scanSceneDependencies(at('shot/scene.blend'), { home: at('farm-a'), blenderPath: null, maxNativeBytes: 1 }).then(() => null, (e: unknown) => e);
    assert.ok(refused instanceof InputError);
    assert.equal(refused.message, 'The files "scene.blend" needs could not be listed (scene.blend is too large to read without Blender); save it again from Blender, or install Blender on this machine so it can list them.');
  });

  test('the submit refuses missing files in one sentence (exit 2), and --allow-missing submits with a warning', async () => {
    const ctx = { outputRoot: at('out'), home: at('farm-submit'), pngFramesForVideo: true };
    const request = { type: 'render' as const, scenePath: at('shot/scene.blend'), video: false, priority: 50, tags: [], pathMap: pathMap() };
    const refused = await prepareRender(request, ctx).compile(() => 1).then(() => null, (error: unknown) => error);
    assert.ok(refused instanceof MissingFilesError && refused instanceof InputError);
    assert.equal(refused.message, 'The scene "scene.blend" needs 1 file(s) that are missing: //textures/missing.png; put them back, or pass --allow-missing to render anyway.');
    assert.deepEqual(cliFailure(refused), { exitCode: 2, text: `farmhand: ${refused.message}` });

    const { job, dependencies } = await prepareRender({ ...request, allowMissing: true }, ctx).compile(() => 1);
    assert.deepEqual(job.warnings, ['Submitted with 1 missing file(s): //textures/missing.png; frames that use them will render wrong.']);
    assert.equal(dependencies?.missingCount, 1);
    assert.equal(dependencies?.entries.length, 18);
  });

  test('Video Sequencer strips: every image of an image strip and the movie of a movie strip', async () => {
    const home = at('home');
    await mkdir(at('edit/frames'), { recursive: true });
    for (const n of [1, 2, 3]) await writeFile(at(`edit/frames/f_000${n}.png`), `frame ${n}`);
    const ffmpeg = spawnSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=32x24:rate=5', '-t', '1', '-pix_fmt', 'yuv420p', at('edit/clip.mp4')], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(ffmpeg.status, 0, ffmpeg.stderr);
    const script = `
import bpy, sys
out = sys.argv[sys.argv.index("--") + 1]
bpy.ops.wm.read_factory_settings(use_empty=True)
bpy.ops.wm.save_as_mainfile(filepath=out)
ed = bpy.context.scene.sequence_editor_create()
im = ed.sequences.new_image("imgs", "//frames/f_0001.png", 1, 1)
im.elements.append("f_0002.png")
im.elements.append("f_0003.png")
ed.sequences.new_movie("mv", "//clip.mp4", 2, 1)
bpy.ops.wm.save_as_mainfile(filepath=out)
`;
    const run = spawnSync(blender!, ['-b', '-noaudio', '--factory-startup', '--python-exit-code', '2', '--python-expr', script, '--', at('edit/edit.blend')], {
      env: { ...process.env, HOME: home, XDG_CACHE_HOME: join(home, '.cache') }, encoding: 'utf8', timeout: 60_000,
    });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    const m = await scanSceneDependencies(at('edit/edit.blend'), { home: at('farm-edit') });
    assert.deepEqual(rows(m), [
      ['image-sequence', '//frames/f_0001.png', 'edit/frames/f_0001.png', 'edit/edit.blend', false],
      ['image-sequence', '//frames/f_0002.png', 'edit/frames/f_0002.png', 'edit/edit.blend', false],
      ['image-sequence', '//frames/f_0003.png', 'edit/frames/f_0003.png', 'edit/edit.blend', false],
      ['movie-clip', '//clip.mp4', 'edit/clip.mp4', 'edit/edit.blend', false],
    ]);
  });

  test('an unnamed disk cache is found by its object\'s name in hex, and a fluid domain by its cache folder', async () => {
    const home = at('home');
    const files = ['sim/blendcache_sim/436C6F7468_000001_00.bphys', 'sim/blendcache_sim/436C6F7468_000002_00.bphys', 'sim/blendcache_sim/4F74686572_000001_00.bphys',
      'sim/fluid/config/config_0001.uni', 'sim/fluid/data/fluid_data_0001.vdb'];
    const script = `
import bpy, sys
out = sys.argv[sys.argv.index("--") + 1]
bpy.ops.wm.read_factory_settings(use_empty=True)
s = bpy.context.scene
bpy.ops.wm.save_as_mainfile(filepath=out)
def obj(name):
    me = bpy.data.meshes.new(name)
    me.from_pydata([(0, 0, 0), (1, 0, 0), (0, 1, 0)], [], [(0, 1, 2)])
    ob = bpy.data.objects.new(name, me)
    s.collection.objects.link(ob)
    return ob
cloth = obj("Cloth").modifiers.new("c", "CLOTH")
cloth.point_cache.use_disk_cache = True
fl = obj("Domain").modifiers.new("f", "FLUID")
fl.fluid_type = "DOMAIN"
fl.domain_settings.cache_directory = "//fluid"
bpy.ops.wm.save_as_mainfile(filepath=out)
`;
    await mkdir(at('sim'), { recursive: true });
    const run = spawnSync(blender!, ['-b', '-noaudio', '--factory-startup', '--python-exit-code', '2', '--python-expr', script, '--', at('sim/sim.blend')], {
      env: { ...process.env, HOME: home, XDG_CACHE_HOME: join(home, '.cache') }, encoding: 'utf8', timeout: 60_000,
    });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    // Written after Blender ran: saving an unbaked cloth clears its cache files on disk.
    for (const f of files) {
      await mkdir(dirname(at(f)), { recursive: true });
      await writeFile(at(f), f);
    }
    const m = await scanSceneDependencies(at('sim/sim.blend'), { home: at('farm-sim') });
    // "Cloth" is 436C6F7468; the other object's cache files ("Other") are not this cache's.
    const all = (r: unknown[][]) => r.map((x) => JSON.stringify(x)).sort();
    assert.deepEqual(all(rows(m)), all([
      ['point-cache', '//blendcache_sim', 'sim/blendcache_sim/436C6F7468_000001_00.bphys', 'sim/sim.blend', false],
      ['point-cache', '//blendcache_sim', 'sim/blendcache_sim/436C6F7468_000002_00.bphys', 'sim/sim.blend', false],
      ['bake', '//fluid', 'sim/fluid/config/config_0001.uni', 'sim/sim.blend', false],
      ['bake', '//fluid', 'sim/fluid/data/fluid_data_0001.vdb', 'sim/sim.blend', false],
    ]));
  });

  test('the sentence names the first ten missing files and counts the rest', () => {
    const entries = Array.from({ length: 13 }, (_, i) => ({ written: `//t/${i}.png`, resolved: `/s/t/${i}.png`, kind: 'image' as const, from: '/s/a.blend', size: null, sha256: null, missing: true }));
    assert.equal(missingFilesSentence('/s/a.blend', { entries, totalBytes: 0, missingCount: 13, listedBy: 'reader' }),
      `The scene "a.blend" needs 13 file(s) that are missing: ${entries.slice(0, 10).map((e) => e.written).join(', ')} and 3 more; put them back, or pass --allow-missing to render anyway.`);
  });

  test('files.probe gives the manifest of a scene', async () => {
    const probe = await probeFile(at('shot/scene.blend'), { home: at('farm-probe') });
    assert.equal(probe.kind, 'scene');
    if (probe.kind !== 'scene') return;
    assert.equal(probe.dependencies?.listedBy, 'reader');
    assert.equal(probe.dependencies?.entries[0]?.written, '//textures/missing.png');
    assert.equal(probe.dependencies?.missingCount, 3); // no path mapping here: the two Windows paths are missing too
  });
});
