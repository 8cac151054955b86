import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeDependencyScenes, WINDOWS_TEXTURE_PATH, type DependencySceneName, type DependencyScenes } from '../fixtures/dependency-scenes.js';
import { renderReference, type ReferenceRender } from '../helpers/reference-render.js';
import { runCommand } from '../helpers/run-command.js';
import { renderDifferences } from '../helpers/same-render.js';
import { makeScratchDir } from '../helpers/scratch.js';

// Issue 16 as a new user meets it: `farmhand render shot.blend` on one machine (the embedded
// local agent only, no discovery), with the built CLI. Each scene's frames, and the File Output
// node's passes, must equal a direct `blender -b` render pixel for pixel, and "Done" must mean it.

const root = new URL('../..', import.meta.url).pathname;
const FARMHAND = join(root, 'bin/farmhand.js');
const FRAMES = [1, 2, 3];
const SCENES: DependencySceneName[] = ['relative-texture', 'linked-library', 'point-cache', 'file-output'];

describe('farmhand render of production scenes on one machine', { timeout: 420_000 }, () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let set: DependencyScenes;
  let env: Record<string, string>;

  before(async () => {
    scratch = await makeScratchDir('fh-cli-scenes');
    set = await makeDependencyScenes(join(scratch.dir, 'root'));
    env = { FARMHAND_HOME: join(scratch.dir, 'home'), HOME: join(scratch.dir, 'home'), XDG_CACHE_HOME: join(scratch.dir, 'home', '.cache'), FARMHAND_FARM_KEY: '' };
  });

  after(async () => {
    await scratch?.cleanup();
  });

  const render = async (blend: string, out: string, extra: string[] = []) => {
    const run = await runCommand([process.execPath, FARMHAND], ['render', blend, '--no-discover', '--frames', '1-3', '--out', out, ...extra], { cwd: scratch.dir, env, timeoutMs: 180_000 });
    assert.equal(run.code, 0, `farmhand render failed:\n${run.stderr}`);
    assert.match(run.stderr, /Done: 3 frame\(s\) in /);
    return run;
  };

  for (const name of SCENES) {
    test(`${name}: "Done" and every frame${name === 'file-output' ? ' and pass' : ''} equals the direct render`, async () => {
      const scene = set.scenes[name];
      const ref: ReferenceRender = await renderReference(scene.blend, join(scratch.dir, 'ref', name), FRAMES);
      const out = join(scratch.dir, 'out', name);
      await render(scene.blend, out);
      assert.deepEqual(await renderDifferences(out, ref, { prefix: 'shot', frames: FRAMES }), []);
    });
  }

  test('windows-path: --map-path finds C:\\textures here, and the frames equal the absolute-texture scene rendered directly', async () => {
    const ref = await renderReference(set.scenes['absolute-texture'].blend, join(scratch.dir, 'ref', 'absolute-for-windows'), FRAMES);
    const out = join(scratch.dir, 'out', 'windows-path');
    await render(set.scenes['windows-path'].blend, out, ['--map-path', `${WINDOWS_TEXTURE_PATH.slice(0, WINDOWS_TEXTURE_PATH.lastIndexOf('\\'))}=${join(set.root, 'abs-assets')}`]);
    assert.deepEqual(await renderDifferences(out, ref, { prefix: 'shot', frames: FRAMES }), []);
  });
});
