import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateFarmKey } from '../../node-agent/protocol/index.js';
import { makeDependencyScenes, type DependencyScenes, type DependencySceneName } from '../fixtures/dependency-scenes.js';
import { hiddenSourceAvailable, startHiddenSourceAgent } from '../helpers/hidden-source-agent.js';
import { comparePixels, magentaShare } from '../helpers/pixel-diff.js';
import { renderReference, withPathsRemoved, type ReferenceRender } from '../helpers/reference-render.js';
import { renderDifferences } from '../helpers/same-render.js';
import { makeScratchDir } from '../helpers/scratch.js';

// The scenes of issue 16's end-to-end tests, checked for what those tests rely on: each
// renders right where it lies (no magenta where its texture is), each really depends on its
// files (the pixels change when they are moved away), renders are deterministic (two
// reference renders decode to the same pixels), the File Output scene writes both view
// layers' passes, and an agent in its own mount namespace cannot see the scenes' folder.

const FRAMES = [1, 2, 3];

/** Runs `fn` over `items` two at a time. */
async function inPairs<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all([worker(), worker()]);
}

describe('dependency scenes and their reference renders', { timeout: 240_000 }, () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let set: DependencyScenes;
  const refs = new Map<DependencySceneName, ReferenceRender>();

  before(async () => {
    ({ dir, cleanup } = await makeScratchDir('fh-depscenes'));
    set = await makeDependencyScenes(join(dir, 'root'));
  });
  after(async () => {
    await cleanup?.();
  });

  const reference = async (name: DependencySceneName) => {
    const r = await renderReference(set.scenes[name].blend, join(dir, 'ref', name), FRAMES);
    refs.set(name, r);
    return r;
  };
  /** Every frame of `a` differs from the same frame of `b` on at least `share` of its pixels. */
  const allDiffer = async (a: string[], b: string[], share: number) => {
    for (const [i, frame] of a.entries()) {
      const diff = await comparePixels(frame, b[i]!);
      assert.ok(diff.sameSize && diff.differingShare >= share, `${frame} vs ${b[i]}: ${JSON.stringify(diff)}`);
    }
  };
  const relative = (path: string) => path.slice(set.root.length + 1);

  test('the set is written in one Blender run, each project with its files', async (t) => {
    t.diagnostic(`generated in ${set.seconds.toFixed(2)} s: ${JSON.stringify(set.sceneSeconds)}`);
    assert.deepEqual(Object.keys(set.sceneSeconds).sort(), Object.keys(set.scenes).sort(), 'the script built every scene');
    assert.deepEqual((await readdir(set.root)).filter((n) => !n.startsWith('.')).sort(),
      ['abs-assets', 'absolute-texture', 'control', 'file-output', 'image-sequence', 'linked-library', 'mesh-cache', 'point-cache', 'relative-texture', 'windows-path']);
    assert.deepEqual(await readdir(join(set.root, 'relative-texture', 'textures')), ['wood.png']);
    assert.deepEqual((await readdir(join(set.root, 'image-sequence', 'seq'))).sort(), ['tex_0001.png', 'tex_0002.png', 'tex_0003.png']);
    assert.deepEqual((await readdir(join(set.root, 'linked-library', 'lib'))).sort(), ['props.blend', 'textures']);
    assert.deepEqual(await readdir(join(set.root, 'linked-library', 'lib', 'textures')), ['props.png']);
    assert.deepEqual(await readdir(join(set.root, 'mesh-cache', 'caches')), ['wave.pc2']);
    assert.equal((await readdir(join(set.root, 'point-cache', 'blendcache_shot'))).filter((n) => n.endsWith('.bphys')).length, 3);
    for (const s of Object.values(set.scenes)) assert.deepEqual((await readdir(s.dir)).filter((n) => n.endsWith('.blend1')), [], `${s.name} has no backup file`);
    // The paths as the files store them (uncompressed .blend: the strings are in the bytes).
    const stored = async (name: DependencySceneName, path: string) => assert.ok((await readFile(set.scenes[name].blend)).includes(Buffer.from(`${path}\0`)), `${name} stores ${path}`);
    await stored('relative-texture', '//textures/wood.png');
    await stored('absolute-texture', set.absoluteTexture);
    await stored('windows-path', 'C:\\textures\\wood.png');
    await stored('image-sequence', '//seq/tex_0001.png');
    await stored('linked-library', '//lib/props.blend');
    await stored('mesh-cache', '//caches/wave.pc2');
    assert.ok((await readFile(join(set.root, 'linked-library', 'lib', 'props.blend'))).includes(Buffer.from('//textures/props.png\0')));
  });

  test('every scene renders where it lies without magenta (but the Windows path), deterministically', async (t) => {
    // Two Blenders at a time: the renders are independent and Blender's start-up is the cost.
    await inPairs(Object.keys(set.scenes) as DependencySceneName[], async (name) => {
      const r = await reference(name);
      t.diagnostic(`${name}: reference render of ${FRAMES.length} frames in ${r.seconds.toFixed(2)} s`);
    });
    for (const [name, r] of refs) {
      for (const f of r.frames) {
        const share = await magentaShare(f);
        if (name === 'windows-path') assert.ok(share > 0.3, `${f}: C:\\textures\\wood.png is not found on Linux`);
        else assert.equal(share, 0, `${f} shows no missing-image magenta`);
      }
    }
    assert.doesNotMatch(refs.get('mesh-cache')!.log, /ERROR \(bke\.modifier\)/, 'the reference render reads the mesh cache');
    assert.doesNotMatch(refs.get('linked-library')!.log, /Unable to open|missing/i, 'the reference render finds the library');
    // Rendered again, frames and passes decode to the same pixels (what the farm tests assert).
    await renderReference(set.scenes['file-output'].blend, join(dir, 'ref-again'), FRAMES);
    assert.deepEqual(await renderDifferences(join(dir, 'ref-again'), refs.get('file-output')!, { prefix: 'frame', frames: FRAMES }), []);
    const wrong = await renderDifferences(join(dir, 'ref', 'control'), refs.get('file-output')!, { prefix: 'frame', frames: FRAMES });
    assert.deepEqual(wrong.slice(0, 6), ['bg', 'fg'].flatMap((p) => FRAMES.map((f) => `pass ${p}_000${f}.png: not in the output`)));
    assert.deepEqual(wrong.slice(6).map((l) => /^frame_000(\d)\.png: max channel difference \d+ on [\d.]+ % of pixels against /.exec(l)?.[1]), ['1', '2', '3'], wrong.join('\n'));
    // The absolute texture and the relative one are the same picture.
    assert.equal((await comparePixels(refs.get('relative-texture')!.frames[0]!, refs.get('absolute-texture')!.frames[0]!)).maxChannelDiff, 0);
    // Frame N of the sequence shows tex N; the mesh cache moves the mesh; the particles fly.
    const seq = refs.get('image-sequence')!.frames;
    await allDiffer([seq[0]!, seq[1]!], [seq[1]!, seq[2]!], 0.2);
    await allDiffer([refs.get('mesh-cache')!.frames[0]!], [refs.get('mesh-cache')!.frames[2]!], 0.05);
    await allDiffer([refs.get('point-cache')!.frames[0]!], [refs.get('point-cache')!.frames[2]!], 0.01);
  });

  test('each scene depends on its files: without them the pixels change', async (t) => {
    const names = ['relative-texture', 'absolute-texture', 'image-sequence', 'linked-library', 'mesh-cache', 'point-cache'] as const;
    for (const name of names) assert.ok(refs.has(name), 'the reference renders ran');
    // Each pair moves aside only its own scenes' folders, so two can render at once.
    await inPairs(names, async (name) => {
      const scene = set.scenes[name];
      const missing = await withPathsRemoved(scene.dependencies, () => renderReference(scene.blend, join(dir, 'missing', name), FRAMES));
      t.diagnostic(`${name}: without ${scene.dependencies.map(relative).join(', ')} rendered in ${missing.seconds.toFixed(2)} s`);
      await allDiffer(refs.get(name)!.frames, missing.frames, 0.05);
      if (name === 'relative-texture' || name === 'absolute-texture' || name === 'image-sequence') {
        for (const f of missing.frames) assert.ok(await magentaShare(f) > 0.3, `${f} is magenta without its image`);
      }
      if (name === 'mesh-cache') assert.match(missing.log, /ERROR \(bke\.modifier\)/);
    });
  });

  test("a linked library's texture resolves from the library's own folder", async () => {
    const scene = set.scenes['linked-library'];
    const missing = await withPathsRemoved([join(scene.dir, 'lib', 'textures')], () => renderReference(scene.blend, join(dir, 'missing', 'lib-textures'), [1]));
    assert.ok(await magentaShare(missing.frames[0]!) > 0.05, 'without lib/textures the linked prop is magenta');
  });

  test('the Windows-path scene, its path mapped, equals the absolute-texture scene', async () => {
    // The test's own mapping, standing in for the agent's: the same picture as absolute-texture.
    const map = `import bpy\nfor i in bpy.data.images:\n    if i.filepath.replace("\\\\", "/").lower() == "c:/textures/wood.png": i.filepath = ${JSON.stringify(set.absoluteTexture)}`;
    const mapped = await renderReference(set.scenes['windows-path'].blend, join(dir, 'ref', 'windows-mapped'), [1], { python: map });
    assert.deepEqual(await comparePixels(mapped.frames[0]!, refs.get('absolute-texture')!.frames[0]!), { sameSize: true, maxChannelDiff: 0, differingShare: 0 });
  });

  test('the File Output scene writes both view layers as passes beside its main frames', async () => {
    const r = refs.get('file-output')!;
    assert.deepEqual(r.passes.map((p) => p.slice(p.lastIndexOf('/') + 1)),
      ['bg_0001.png', 'bg_0002.png', 'bg_0003.png', 'fg_0001.png', 'fg_0002.png', 'fg_0003.png']);
    assert.deepEqual(await readdir(set.scenes['file-output'].dir), ['shot.blend'], 'the passes were moved out of the project');
    const fg = r.passes.filter((p) => p.includes('/fg_'));
    const bg = r.passes.filter((p) => p.includes('/bg_'));
    await allDiffer(fg, bg, 0.3);
    // The main output is the fg layer through the Composite node.
    for (const [i, f] of r.frames.entries()) assert.equal((await comparePixels(f, fg[i]!)).maxChannelDiff, 0);
  });

  test('an agent in its own mount namespace cannot see the scenes', async (t) => {
    assert.ok(hiddenSourceAvailable(), 'this test needs root and unshare (util-linux) for its mount namespace');
    const started = performance.now();
    const agent = await startHiddenSourceAgent({ hide: [set.root], farmKey: generateFarmKey(), dir: join(dir, 'agent') });
    try {
      t.diagnostic(`hidden-source agent listening in ${((performance.now() - started) / 1000).toFixed(2)} s at ${agent.url}`);
      assert.match(agent.proc.text(), /blender 3\.\d/, 'the agent found Blender inside its namespace');
      assert.deepEqual(await agent.listInside(set.root), []);
      assert.ok((await readdir(set.root)).length >= 10, 'outside, the scenes are still there');
      const seen = spawnSync('nsenter', ['--target', String(agent.pid), '--mount', '--', 'test', '-e', set.scenes['relative-texture'].blend], { timeout: 5000 });
      assert.equal(seen.status, 1, 'inside, the scene does not exist');
      assert.deepEqual((await agent.listInside(agent.dataDir)).length > 0, true, 'the agent has its own data dir');
    } finally {
      await agent.stop();
    }
    assert.ok((await readdir(set.root)).length >= 10, 'stopping the agent leaves the scenes alone');
  });
});
