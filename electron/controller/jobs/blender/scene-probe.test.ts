import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeTestScene } from '../../../../test/fixtures/test-scene.js';
import { makeScratchDir } from '../../../../test/helpers/scratch.js';
import { findBlender } from './find-blender.js';
import { SceneError } from './scene-error.js';
import { probeBlendScene } from './scene-probe.js';

const blender = findBlender();
const exampleScene = new URL('../../../../assets/examples/spinning-cube.blend', import.meta.url).pathname;

describe('probeBlendScene', {}, () => {
  test('Blender is installed (apt-get install blender)', () => {
    if (!blender) throw new Error('Blender is not installed: apt-get install -y blender');
  });

  let scratch: { dir: string; cleanup: () => Promise<void> };
  let scene: string;
  let probe: (path: string) => ReturnType<typeof probeBlendScene>;

  before(async () => {
    scratch = await makeScratchDir('farmhand-scene-probe');
    scene = await makeTestScene(scratch.dir);
    probe = (path) => probeBlendScene(path, { blenderPath: blender!, scratchHome: join(scratch.dir, 'home') });
  });
  after(() => scratch.cleanup());

  async function rejectsWithSceneError(path: string, message: string | RegExp): Promise<void> {
    await assert.rejects(probe(path), (error: unknown) => {
      assert.ok(error instanceof SceneError, `expected a SceneError, got ${String(error)}`);
      if (typeof message === 'string') assert.equal(error.message, message);
      else assert.match(error.message, message);
      return true;
    });
  }

  test('reads the generated scene\'s frame range, fps, size, engine and output', async () => {
    assert.deepEqual(await probe(scene), {
      frameStart: 1,
      frameEnd: 8,
      frameStep: 1,
      fps: 24,
      resolution: [64, 36],
      engine: 'CYCLES',
      fileFormat: 'PNG',
      outputPath: join(scratch.dir, 'render', 'frame_'),
      camera: 'Camera',
      scenes: ['Scene'],
      // Issue 17: the file's version (header, FileGlobal) and Cycles' device, never changed: its default.
      fileVersion: { saved: '3.4', minimum: '3.4' },
      cyclesDevice: 'CPU',
    });
  });

  test('fps divides by fps_base and the size applies resolution_percentage', async () => {
    const ntsc = join(scratch.dir, 'ntsc.blend');
    const script = 'import bpy; s = bpy.context.scene; s.render.fps = 30; s.render.fps_base = 1.001; '
      + 's.render.resolution_percentage = 50; s.frame_start = 10; s.frame_end = 40; s.frame_step = 3; '
      + `bpy.ops.wm.save_as_mainfile(filepath=${JSON.stringify(ntsc)})`;
    const home = join(scratch.dir, 'home');
    const run = spawnSync(blender!, ['-b', '-noaudio', '--factory-startup', scene, '--python-exit-code', '2', '--python-expr', script], {
      env: { ...process.env, HOME: home, XDG_CACHE_HOME: join(home, '.cache') },
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stdout);
    const info = await probe(ntsc);
    assert.ok(Math.abs(info.fps - 29.97) < 0.001, `fps ${info.fps}`);
    assert.deepEqual(info.resolution, [32, 18]);
    assert.deepEqual([info.frameStart, info.frameEnd, info.frameStep], [10, 40, 3]);
  });

  test('reads the compressed example scene', async () => {
    const info = await probe(exampleScene);
    assert.deepEqual([info.frameStart, info.frameEnd, info.fps, info.engine, info.fileFormat], [1, 48, 24, 'CYCLES', 'PNG']);
    assert.deepEqual(info.resolution, [320, 180]);
    assert.deepEqual(info.scenes, ['SpinningCube']);
  });

  test('a missing file', async () => {
    const path = join(scratch.dir, 'missing.blend');
    await rejectsWithSceneError(path, `The scene file "${path}" does not exist; check the path.`);
  });

  test('an empty file', async () => {
    const path = join(scratch.dir, 'empty.blend');
    await writeFile(path, '');
    await rejectsWithSceneError(path, `"${path}" is not a Blender .blend file (it is empty); pick a .blend saved by Blender.`);
  });

  test('a text file named .blend', async () => {
    const path = join(scratch.dir, 'x.blend');
    await writeFile(path, 'hello, I am text\n');
    await rejectsWithSceneError(path, `"${path}" is not a Blender .blend file (it does not start with "BLENDER" and is not a compressed .blend); pick a .blend saved by Blender.`);
  });

  test('a folder', async () => {
    const path = join(scratch.dir, 'folder.blend');
    await mkdir(path);
    await rejectsWithSceneError(path, `"${path}" is not a Blender .blend file (it is a folder); pick a .blend saved by Blender.`);
  });

  test('a truncated .blend fails within a few seconds, naming the file and Blender\'s reason', async () => {
    const path = join(scratch.dir, 'truncated.blend');
    const whole = await readFile(scene);
    await writeFile(path, whole.subarray(0, whole.length >> 1));
    const started = performance.now();
    await rejectsWithSceneError(path, `Blender could not read the scene "${path}" (Missing DNA block); the file may be damaged or truncated, so save it again from Blender.`);
    assert.ok(performance.now() - started < 5000, `took ${Math.round(performance.now() - started)} ms`);
  });

  test('a Blender that cannot be started is a SceneError naming the path', async () => {
    await assert.rejects(
      probeBlendScene(scene, { blenderPath: join(scratch.dir, 'no-blender'), scratchHome: join(scratch.dir, 'home') }),
      (error: unknown) => error instanceof SceneError && /no-blender could not be started/.test(error.message),
    );
  });
});
