import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { findBlender } from '../../electron/controller/jobs/blender/find-blender.js';
import { runCommand } from '../helpers/run-command.js';
import { makeScratchDir } from '../helpers/scratch.js';
import { makeViewsScene } from '../helpers/views-scenes.js';

// `farmhand render` on one machine (the embedded local agent, no discovery) of a stereo scene
// saved one file per view and of a two-layer scene: "Done" counts frames, not files (a stereo
// frame is two files, a layer's image a pass), and --video of stereo frames says which view it
// shows. Run from the sources (tsx), like controller-tls.test.ts.

const root = fileURLToPath(new URL('../..', import.meta.url));
const CLI = [process.execPath, '--import', 'tsx', join(root, 'electron/cli/farmhand.ts')] as const;

describe('farmhand render of stereo and view-layer scenes', { timeout: 420_000 }, () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let env: Record<string, string>;

  before(async () => {
    if (!findBlender()) throw new Error('Blender is not installed: apt-get install -y blender');
    scratch = await makeScratchDir('fh-cli-views');
    env = { FARMHAND_HOME: join(scratch.dir, 'home'), HOME: join(scratch.dir, 'home'), XDG_CACHE_HOME: join(scratch.dir, 'home', '.cache'), FARMHAND_FARM_KEY: '' };
  });

  after(async () => {
    await scratch?.cleanup();
  });

  const render = async (blend: string, out: string, extra: string[] = []) => {
    const run = await runCommand(CLI, ['render', blend, '--no-discover', '--frames', '1-2', '--out', out, ...extra], { cwd: root, env, timeoutMs: 180_000 });
    assert.equal(run.code, 0, `farmhand render failed:\n${run.stderr}`);
    assert.match(run.stderr, /Done: 2 frame\(s\) in /);
    return run;
  };

  test('stereo, one file per view: "Done: 2 frame(s)" with four files; with --video the warning names the view the video shows', async () => {
    const scene = await makeViewsScene(join(scratch.dir, 'scenes'), 'stereo', join(scratch.dir, 'home'));
    const out = join(scratch.dir, 'out-stereo');
    await render(scene, out);
    assert.deepEqual((await readdir(out)).filter((f) => f.endsWith('.png')).sort(), ['stereo_0001_L.png', 'stereo_0001_R.png', 'stereo_0002_L.png', 'stereo_0002_R.png']);

    const withVideo = await render(scene, join(scratch.dir, 'out-stereo-video'), ['--video']);
    assert.match(withVideo.stderr, /Warning: The scene saves each stereo view to its own file, so the video is made from the left view \(_L files\) only; every view's frames are in the output folder\./);
    assert.ok((await readdir(join(scratch.dir, 'out-stereo-video'))).includes('stereo.mp4'));
  });

  test('two view layers, compositor off: "Done: 2 frame(s)", the other layer\'s images under passes/', async () => {
    const scene = await makeViewsScene(join(scratch.dir, 'scenes'), 'layers', join(scratch.dir, 'home'));
    const out = join(scratch.dir, 'out-layers');
    await render(scene, out);
    const files = (await readdir(out, { recursive: true })).map(String).filter((f) => f.endsWith('.png')).sort();
    assert.deepEqual(files, ['layers_0001.png', 'layers_0002.png', 'passes/Extra_Layer/layers_0001.png', 'passes/Extra_Layer/layers_0002.png']);
  });
});
