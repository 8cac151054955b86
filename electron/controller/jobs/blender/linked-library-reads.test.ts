import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { runBlenderScript } from '../../../../test/helpers/blender-script.js';
import { makeScratchDir } from '../../../../test/helpers/scratch.js';
import type { DependencyManifest } from '../../api/views.js';
import { parseBlendFile } from './blend-file.js';
import { scanSceneDependencies } from './dependency-manifest.js';
import { resolveWrittenPath } from './dependency-paths.js';
import { planLinkedReads } from './linked-library-reads.js';
import { MissingFilesError } from './missing-files-error.js';
import { prepareRender } from './render-submission.js';

// A shot that links one prop of a library needs that prop's files only, as Blender loads only
// the linked IDs and what they point at. Scenes by Blender 3.4 (test/fixtures/partial-library-scenes.py).

const FIXTURE = fileURLToPath(new URL('../../../../test/fixtures/partial-library-scenes.py', import.meta.url));
const TEXTURES = ['lib/tex/used.png', 'lib/tex/unused.png', 'base/tex/chair.png', 'base/tex/lamp.png', 'set/tex/wall.png', 'set/tex/fence.png', 'renamed-lib/tex/used.png', 'renamed-lib/tex/unused.png'];

/** Runs inside Blender: `-- <shot> …`; prints each shot's files as Blender lists them after opening it. */
const BLENDER_LISTING = `
import bpy, json, os, sys
for shot in sys.argv[sys.argv.index("--") + 1:]:
    bpy.ops.wm.open_mainfile(filepath=shot)
    paths = sorted(os.path.normpath(p) for p in bpy.utils.blend_paths(absolute=True, packed=False, local=False))
    images = sorted(os.path.normpath(bpy.path.abspath(i.filepath, library=i.library)) for i in bpy.data.images)
    print("FARMHAND_LISTED " + json.dumps({"shot": shot, "paths": paths, "images": images}), flush=True)
`;

describe('a linked library: only the files of the IDs the shot links', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  const at = (path: string) => join(scratch.dir, path);
  /** Blender's own listing after opening each shot, relative to the scratch folder. */
  const byBlender = new Map<string, { paths: string[]; images: string[] }>();
  const rows = (m: DependencyManifest) => m.entries.map((e) => [e.kind, relative(scratch.dir, e.resolved), relative(scratch.dir, e.from), e.missing]).sort((a, b) => String(a[1]).localeCompare(String(b[1])));

  before(async () => {
    scratch = await makeScratchDir('farmhand-linked-reads');
    await runBlenderScript(['--python', FIXTURE, '--', scratch.dir], { home: at('home'), what: 'partial library scenes' });
    for (const t of TEXTURES) {
      await mkdir(dirname(at(t)), { recursive: true });
      await writeFile(at(t), `${t}\n`);
    }
    const output = await runBlenderScript(['--python-expr', BLENDER_LISTING, '--', at('shot/shot.blend'), at('nested/shot.blend')], { home: at('home'), what: 'listing' });
    for (const m of output.matchAll(/^FARMHAND_LISTED (.*)$/gm)) {
      const r = JSON.parse(m[1]!) as { shot: string; paths: string[]; images: string[] };
      const rel = (ps: string[]) => ps.map((p) => relative(scratch.dir, p)).sort();
      byBlender.set(relative(scratch.dir, r.shot), { paths: rel(r.paths), images: rel(r.images) });
    }
    assert.equal(byBlender.size, 2, output.slice(-3000));
  });
  after(() => scratch.cleanup());

  test('a shot linking one of two props lists that prop\'s texture only, as Blender loads it', async () => {
    const m = await scanSceneDependencies(at('shot/shot.blend'), { home: at('farm') });
    assert.deepEqual(rows(m), [
      ['library', 'lib/props.blend', 'shot/shot.blend', false],
      ['image', 'lib/tex/used.png', 'lib/props.blend', false],
    ]);
    assert.equal(m.wholeLibraries, undefined);
    assert.deepEqual(byBlender.get('shot/shot.blend'), { paths: ['lib/props.blend', 'lib/tex/used.png'], images: ['lib/tex/used.png'] });
    assert.deepEqual(m.entries.map((e) => relative(scratch.dir, e.resolved)).sort(), byBlender.get('shot/shot.blend')!.paths);
  });

  test('nested: a collection linked from a library that links from another takes the wall and the chair, not the fence or the lamp, as Blender does', async () => {
    const m = await scanSceneDependencies(at('nested/shot.blend'), { home: at('farm') });
    assert.deepEqual(rows(m), [
      ['library', 'base/base.blend', 'nested/shot.blend', false],
      ['image', 'base/tex/chair.png', 'base/base.blend', false],
      ['library', 'set/set.blend', 'nested/shot.blend', false],
      ['image', 'set/tex/wall.png', 'set/set.blend', false],
    ]);
    assert.equal(m.wholeLibraries, undefined);
    assert.deepEqual(byBlender.get('nested/shot.blend')!.images, ['base/tex/chair.png', 'set/tex/wall.png']);
    assert.deepEqual(m.entries.map((e) => relative(scratch.dir, e.resolved)).sort(), byBlender.get('nested/shot.blend')!.paths);
    // The library opened as a scene of its own still needs all of its files.
    const set = await scanSceneDependencies(at('set/set.blend'), { home: at('farm') });
    assert.deepEqual(set.entries.map((e) => relative(scratch.dir, e.resolved)).sort(), ['base/base.blend', 'base/tex/chair.png', 'base/tex/lamp.png', 'set/tex/fence.png', 'set/tex/wall.png']);
  });

  test('the submit goes through without the textures the shot does not use, and is refused without the one it uses', async () => {
    const ctx = { outputRoot: at('out'), home: at('farm-submit'), pngFramesForVideo: true };
    const submit = (scene: string) => prepareRender({ type: 'render', scenePath: at(scene), video: false, priority: 50, tags: [] }, ctx).compile(() => 1);
    const hidden: string[] = [];
    const hide = async (t: string) => {
      await rename(at(t), at(`${t}.away`));
      hidden.push(t);
    };
    try {
      await hide('lib/tex/unused.png');
      await hide('base/tex/lamp.png');
      await hide('set/tex/fence.png');
      const flat = await submit('shot/shot.blend');
      assert.deepEqual([flat.dependencies?.missingCount, flat.job.warnings ?? []], [0, []]);
      const nested = await submit('nested/shot.blend');
      assert.deepEqual([nested.dependencies?.missingCount, nested.dependencies?.entries.length], [0, 4]);

      await hide('lib/tex/used.png');
      await hide('base/tex/chair.png');
      const refused = await submit('shot/shot.blend').then(() => null, (e: unknown) => e);
      assert.ok(refused instanceof MissingFilesError);
      assert.equal(refused.message, 'The scene "shot.blend" needs 1 file(s) that are missing: //tex/used.png; put them back, or pass --allow-missing to render anyway.');
      const refusedNested = await submit('nested/shot.blend').then(() => null, (e: unknown) => e);
      assert.ok(refusedNested instanceof MissingFilesError);
      assert.equal(refusedNested.message, 'The scene "shot.blend" needs 1 file(s) that are missing: //tex/chair.png; put them back, or pass --allow-missing to render anyway.');
    } finally {
      for (const t of hidden) await rename(at(`${t}.away`), at(t));
    }
  });

  test('a library that no longer holds the linked prop is taken whole, and the manifest says why', async () => {
    const m = await scanSceneDependencies(at('renamed/shot.blend'), { home: at('farm') });
    assert.deepEqual(rows(m), [
      ['library', 'renamed-lib/props.blend', 'renamed/shot.blend', false],
      ['image', 'renamed-lib/tex/unused.png', 'renamed-lib/props.blend', false],
      ['image', 'renamed-lib/tex/used.png', 'renamed-lib/props.blend', false],
    ]);
    assert.deepEqual(m.wholeLibraries, [{ path: at('renamed-lib/props.blend'), reason: 'it does not hold object "Used", which the linking file asks for' }]);
  });

  test('a walk over its bound takes the library whole, and says so (the number of files looked at is bounded too)', async () => {
    const read = async (path: string) => parseBlendFile(await readFile(path));
    const isFile = async (path: string) => (await stat(path).catch(() => null))?.isFile() ?? false;
    const resolve = (written: string, from: string) => resolveWrittenPath(written, from, []);
    const bounded = await planLinkedReads(at('shot/shot.blend'), { read, resolve, isFile, maxWalkSteps: 10 });
    assert.deepEqual(bounded.wholeLibraries, [{ path: at('lib/props.blend'), reason: 'its data has more than 10 pointers to follow' }]);
    const library = bounded.files.find((f) => f.path === at('lib/props.blend'))!;
    assert.equal(library.blocks.length, library.blend.blocks.length);
    // Over the bound of files looked at, every library is whole, nested ones too, and listed.
    const rounds = await planLinkedReads(at('nested/shot.blend'), { read, resolve, isFile, maxRounds: 1 });
    assert.deepEqual(rounds.wholeLibraries.map((w) => [relative(scratch.dir, w.path), w.reason]).sort(), [
      ['base/base.blend', 'its libraries link each other too many times over'],
      ['set/set.blend', 'its libraries link each other too many times over'],
    ]);
    assert.deepEqual(rounds.files.map((f) => [relative(scratch.dir, f.path), f.blocks.length === f.blend.blocks.length]).sort(), [
      ['base/base.blend', true], ['nested/shot.blend', true], ['set/set.blend', true],
    ]);
    const walked = await planLinkedReads(at('shot/shot.blend'), { read, resolve, isFile });
    const part = walked.files.find((f) => f.path === at('lib/props.blend'))!;
    assert.ok(part.blocks.length > 0 && part.blocks.length < part.blend.blocks.length / 4, `${part.blocks.length} of ${part.blend.blocks.length} blocks`);
  });
});

describe('a linked object reaching other data thirteen ways: the reader lists what Blender lists', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  const at = (path: string) => join(scratch.dir, path);
  const references = fileURLToPath(new URL('../../../../test/fixtures/library-references.py', import.meta.url));
  /** Each shot's files as Blender lists them after opening it, relative to the scratch folder. */
  const byBlender = new Map<string, string[]>();

  before(async () => {
    scratch = await makeScratchDir('farmhand-library-references');
    await runBlenderScript(['--python', references, '--', scratch.dir], { home: at('home'), what: 'library references' });
    const targets = ['t_bool', 't_gn', 't_gnprop', 't_part', 't_drv', 't_prop', 't_con', 't_coll', 't_group', 't_parent', 't_obmat', 't_arm', 't_disp', 'decoy'];
    await mkdir(at('lib/tex'), { recursive: true });
    for (const t of targets) await writeFile(at(`lib/tex/${t}.png`), `${t}\n`);
    const shots = (await readdir(at('shots'))).sort().map((s) => at(`shots/${s}/shot.blend`));
    const output = await runBlenderScript(['--python-expr', BLENDER_LISTING, '--', ...shots], { home: at('home'), what: 'listing' });
    for (const m of output.matchAll(/^FARMHAND_LISTED (.*)$/gm)) {
      const r = JSON.parse(m[1]!) as { shot: string; paths: string[] };
      byBlender.set(relative(scratch.dir, r.shot), r.paths.map((p) => relative(scratch.dir, p)).sort());
    }
    assert.equal(byBlender.size, 14, output.slice(-3000));
  });
  after(() => scratch.cleanup());

  test('each shot: the library and exactly the textures Blender loads (one per referring object, all for the linked scene)', async () => {
    const shots = [...byBlender.keys()].sort();
    const listed = new Map<string, string[]>();
    for (const shot of shots) {
      const m = await scanSceneDependencies(at(shot), { home: at('farm') });
      assert.equal(m.wholeLibraries, undefined, shot);
      listed.set(shot, m.entries.map((e) => relative(scratch.dir, e.resolved)).sort());
    }
    assert.deepEqual(Object.fromEntries(listed), Object.fromEntries(byBlender));
    assert.deepEqual(listed.get('shots/u_drv/shot.blend'), ['lib/lib.blend', 'lib/tex/t_drv.png']);
    assert.equal(listed.get('shots/scene/shot.blend')?.length, 15);
  });
});
