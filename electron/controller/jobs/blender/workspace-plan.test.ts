import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { test } from 'node:test';
import type { DependencyEntry } from '../../api/views.js';
import { workspacePlan, WorkspacePlanError } from './workspace-plan.js';

const sha = (c: string) => c.repeat(64);

function entry(written: string, resolved: string, hash: string, size = 10, from = '/art/proj/shots/shot010.blend'): DependencyEntry {
  return { written, resolved, kind: 'image', from, size, sha256: sha(hash), missing: false };
}

test('the scene keeps its real name; relative files keep their layout under the common folder', () => {
  const plan = workspacePlan('/art/proj/shots/shot010.blend', [
    entry('//textures/wood.png', '/art/proj/shots/textures/wood.png', 'a', 100),
    entry('//../lib/props.blend', '/art/proj/lib/props.blend', 'b', 200),
    // The library's own relative texture, resolved from the library's folder by the reader.
    entry('//tex/metal.png', '/art/proj/lib/tex/metal.png', 'c', 300, '/art/proj/lib/props.blend'),
    entry('//blendcache_shot010/cloth_000001_00.bphys', '/art/proj/shots/blendcache_shot010/cloth_000001_00.bphys', 'd', 5),
  ]);
  assert.equal(plan.scenePath, 'shots/shot010.blend');
  assert.deepEqual(plan.files, [
    { path: 'shots/textures/wood.png', sha256: sha('a'), size: 100 },
    { path: 'lib/props.blend', sha256: sha('b'), size: 200 },
    { path: 'lib/tex/metal.png', sha256: sha('c'), size: 300 },
    { path: 'shots/blendcache_shot010/cloth_000001_00.bphys', sha256: sha('d'), size: 5 },
  ]);
  assert.deepEqual(plan.pathMap, []);
  assert.deepEqual(plan.inputFiles.map((i) => [basename(i.path), i.size]), [['wood.png', 100], ['props.blend', 200], ['metal.png', 300], ['cloth_000001_00.bphys', 5]]);
  assert.deepEqual(plan.inputFiles[0], { sha256: sha('a'), size: 100, path: '/art/proj/shots/textures/wood.png' });
});

test('no dependencies: the scene alone under its own name', () => {
  const plan = workspacePlan('/art/proj/My Shot.v2.blend', []);
  assert.deepEqual(plan, { scenePath: 'My Shot.v2.blend', files: [], pathMap: [], inputFiles: [] });
});

test('absolute paths outside the scene\'s folder go under external/ and their folders are mapped, Windows ones lower-cased', () => {
  const plan = workspacePlan('/art/proj/shot.blend', [
    entry('C:\\Textures\\Wood.png', '/mnt/c/Textures/Wood.png', 'a'),
    entry('c:/textures/sub/stone.png', '/mnt/c/textures/sub/stone.png', 'b'),
    entry('\\\\nas\\share\\hdri\\sky.exr', '/mnt/nas/hdri/sky.exr', 'c'),
    entry('/mnt/library/trees.blend', '/mnt/library/trees.blend', 'd'),
  ]);
  assert.equal(plan.scenePath, 'shot.blend');
  assert.deepEqual(plan.files.map((f) => f.path), [
    'external/c/textures/Wood.png',
    'external/c/textures/sub/stone.png',
    'external/nas/share/hdri/sky.exr',
    'external/mnt/library/trees.blend',
  ]);
  assert.deepEqual(plan.pathMap, [
    { from: 'C:\\Textures', to: 'external/c/textures' },
    { from: 'c:/textures/sub', to: 'external/c/textures/sub' },
    { from: '\\\\nas\\share\\hdri', to: 'external/nas/share/hdri' },
    { from: '/mnt/library', to: 'external/mnt/library' },
  ]);
});

test('an absolute path into the scene\'s own folders lands at its relative place and is mapped there', () => {
  const plan = workspacePlan('/art/proj/shot.blend', [
    entry('/art/proj/textures/wood.png', '/art/proj/textures/wood.png', 'a'),
    entry('/art/proj/grain.png', '/art/proj/grain.png', 'b'),
  ]);
  assert.deepEqual(plan.files.map((f) => f.path), ['textures/wood.png', 'grain.png']);
  assert.deepEqual(plan.pathMap, [
    { from: '/art/proj/textures', to: 'textures' },
    { from: '/art/proj/grain.png', to: 'grain.png' },
  ]);
});

test('a file named twice or shared by two paths ships once; missing entries are left out', () => {
  const plan = workspacePlan('/p/shot.blend', [
    entry('//tex/a.png', '/p/tex/a.png', 'a'),
    entry('//tex/a.png', '/p/tex/a.png', 'a', 10, '/p/lib.blend'),
    entry('//tex/copy_of_a.png', '/p/tex/copy_of_a.png', 'a'),
    { written: '//tex/gone.png', resolved: '/p/tex/gone.png', kind: 'image', from: '/p/shot.blend', size: null, sha256: null, missing: true },
  ]);
  assert.deepEqual(plan.files.map((f) => f.path), ['tex/a.png', 'tex/copy_of_a.png']);
  assert.equal(plan.inputFiles.length, 1);
});

test('a name the workspace cannot hold is refused with the file named', () => {
  assert.throws(() => workspacePlan('/p/shot.blend', [entry(`//${'x'.repeat(300)}.png`, `/p/${'x'.repeat(300)}.png`, 'a')]), WorkspacePlanError);
});

test('files listed under an absolute sequence or cache folder land under that folder\'s place, one mapping for it', () => {
  const plan = workspacePlan('/art/proj/shot.blend', [
    { ...entry('C:\\seq\\frame_####.png', '/mnt/c/seq/frame_0001.png', 'a'), kind: 'image-sequence' },
    { ...entry('C:\\seq\\frame_####.png', '/mnt/c/seq/frame_0002.png', 'b'), kind: 'image-sequence' },
    { ...entry('/caches/fluid/', '/caches/fluid/data/fluid_0001.vdb', 'c'), kind: 'bake' },
    { ...entry('/caches/fluid/', '/caches/fluid/mesh/mesh_0001.bobj.gz', 'd'), kind: 'bake' },
    { ...entry('/art/proj/cache_cloth', '/art/proj/cache_cloth/cloth_000001_00.bphys', 'e'), kind: 'point-cache' },
  ]);
  assert.deepEqual(plan.files.map((f) => f.path), [
    'external/c/seq/frame_0001.png',
    'external/c/seq/frame_0002.png',
    'external/caches/fluid/data/fluid_0001.vdb',
    'external/caches/fluid/mesh/mesh_0001.bobj.gz',
    'cache_cloth/cloth_000001_00.bphys',
  ]);
  assert.deepEqual(plan.pathMap, [
    { from: 'C:\\seq', to: 'external/c/seq' },
    { from: '/caches/fluid', to: 'external/caches/fluid' },
    { from: '/art/proj/cache_cloth', to: 'cache_cloth' },
  ]);
});

test('a file Blender may write while it renders (an unbaked disk cache) is placed as a copy; the others as links', () => {
  const plan = workspacePlan('/p/shot.blend', [
    { ...entry('//blendcache_shot/', '/p/blendcache_shot/43756265_000001_00.bphys', 'a'), kind: 'point-cache', writable: true },
    { ...entry('//blendcache_shot/', '/p/blendcache_shot/536B79_000001_00.bphys', 'b'), kind: 'point-cache' },
    entry('//tex/a.png', '/p/tex/a.png', 'c'),
  ]);
  assert.deepEqual(plan.files, [
    { path: 'blendcache_shot/43756265_000001_00.bphys', sha256: sha('a'), size: 10, copy: true },
    { path: 'blendcache_shot/536B79_000001_00.bphys', sha256: sha('b'), size: 10 },
    { path: 'tex/a.png', sha256: sha('c'), size: 10 },
  ]);
});
