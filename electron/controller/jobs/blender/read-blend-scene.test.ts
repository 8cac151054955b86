import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeScratchDir } from '../../../../test/helpers/scratch.js';
import { findOnPath } from '../../../../node-agent/host/find-executable.js';
import { BlendReadError } from './blend-file.js';
import { findBlender } from './find-blender.js';
import { readBlendScene } from './read-blend-scene.js';
import { SceneError } from './scene-error.js';
import { probeBlendScene, readSceneInfo } from './scene-probe.js';

// The direct .blend reader must say exactly what Blender says about the same file: each
// scene below is written by the real Blender and read both ways.

const blender = findBlender();
const exampleScene = new URL('../../../../assets/examples/spinning-cube.blend', import.meta.url).pathname;

/** Runs inside Blender: `-- <dir>`; writes plain, compressed and other-active-scene variants. */
const VARIANTS = `
import bpy, sys
out = sys.argv[sys.argv.index("--") + 1]
bpy.ops.wm.read_factory_settings(use_empty=True)
s = bpy.context.scene
s.name = "Main Shot"
s.render.engine = "BLENDER_EEVEE"
s.render.resolution_x, s.render.resolution_y, s.render.resolution_percentage = 1921, 1081, 37
s.render.fps, s.render.fps_base = 30, 1.001
s.frame_start, s.frame_end, s.frame_step = 10, 250, 3
s.render.image_settings.file_format = "OPEN_EXR"
s.render.filepath = "/abs/out/shot_"
cam = bpy.data.objects.new("Cam 2", bpy.data.cameras.new("c"))
s.collection.objects.link(cam)
s.camera = cam
bpy.data.scenes.new("another10")
bpy.data.scenes.new("Another2")
bpy.ops.wm.save_as_mainfile(filepath=out + "/plain.blend", compress=False)
bpy.ops.wm.save_as_mainfile(filepath=out + "/zstd.blend", compress=True)
s.render.filepath = "//rel/dir/f_"
s.render.image_settings.file_format = "JPEG"
s.frame_start, s.frame_end = -5, 0
bpy.ops.wm.save_as_mainfile(filepath=out + "/relative.blend", compress=False)
`;

describe('readBlendScene (the .blend read without Blender)', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  const home = () => join(scratch.dir, 'home');
  before(async () => {
    scratch = await makeScratchDir('farmhand-read-blend');
    assert.ok(blender, 'Blender is not installed: apt-get install -y blender');
    const run = spawnSync(blender, ['-b', '-noaudio', '--factory-startup', '--python-exit-code', '2', '--python-expr', VARIANTS, '--', scratch.dir], {
      env: { ...process.env, HOME: home(), XDG_CACHE_HOME: join(home(), '.cache') },
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stdout + run.stderr);
  });
  after(() => scratch.cleanup());

  for (const name of ['plain.blend', 'zstd.blend', 'relative.blend']) {
    test(`${name}: the same settings Blender reports`, async () => {
      const path = join(scratch.dir, name);
      const direct = await readBlendScene(path, (await stat(path)).size);
      assert.deepEqual(direct, await probeBlendScene(path, { blenderPath: blender!, scratchHome: home() }));
    });
  }

  test('the settings themselves: NTSC fps, percentage size, step, EXR, camera, every scene', async () => {
    const path = join(scratch.dir, 'plain.blend');
    const info = await readBlendScene(path, (await stat(path)).size);
    assert.equal(info.fps, 30 / Math.fround(1.001));
    assert.deepEqual(info.resolution, [710, 399]);
    assert.deepEqual([info.frameStart, info.frameEnd, info.frameStep], [10, 250, 3]);
    assert.deepEqual([info.engine, info.fileFormat, info.camera], ['BLENDER_EEVEE', 'OPEN_EXR', 'Cam 2']);
    assert.deepEqual(info.scenes, ['another10', 'Another2', 'Main Shot']);
  });

  test('zstd files read the same through the zstd tool and through fzstd (no tool installed)', async () => {
    assert.ok(findOnPath('zstd'), 'the zstd tool is not installed: apt-get install -y zstd');
    for (const path of [join(scratch.dir, 'zstd.blend'), exampleScene]) {
      const size = (await stat(path)).size;
      const [tool, script] = [await readBlendScene(path, size, { zstdTool: findOnPath('zstd') }), await readBlendScene(path, size, { zstdTool: null })];
      assert.deepEqual(tool, script, path);
      assert.ok(tool.frameEnd > tool.frameStart, path);
    }
  });

  test('the shipped example scene (zstd) as Blender reads it', async () => {
    const direct = await readBlendScene(exampleScene, (await stat(exampleScene)).size);
    assert.deepEqual(direct, await probeBlendScene(exampleScene, { blenderPath: blender!, scratchHome: home() }));
  });

  test('a truncated or damaged file is a BlendReadError, never a wrong answer', async () => {
    const whole = await readFile(join(scratch.dir, 'plain.blend'));
    for (const [name, bytes] of [
      ['half.blend', whole.subarray(0, whole.length >> 1)],
      ['header-only.blend', whole.subarray(0, 12)],
      ['bad-length.blend', Buffer.concat([whole.subarray(0, 16), Buffer.from([0xff, 0xff, 0xff, 0x7f]), whole.subarray(20)])],
      ['zstd-half.blend', (await readFile(join(scratch.dir, 'zstd.blend'))).subarray(0, 4000)],
    ] as const) {
      const path = join(scratch.dir, name);
      await writeFile(path, bytes);
      await assert.rejects(readBlendScene(path, bytes.length), BlendReadError, name);
      await assert.rejects(readBlendScene(path, bytes.length, { zstdTool: null }), BlendReadError, `${name}, without the zstd tool`);
    }
  });

  test('readSceneInfo: a damaged file goes to Blender, whose reason the user sees', async () => {
    const path = join(scratch.dir, 'half.blend');
    await assert.rejects(readSceneInfo(path, { blenderPath: blender!, scratchHome: home() }),
      (error: unknown) => error instanceof SceneError && /Blender could not read the scene .*half\.blend/.test(error.message));
  });

  test('readSceneInfo without Blender: the direct reader suffices, and a damaged file says why', async () => {
    const good = await readSceneInfo(join(scratch.dir, 'zstd.blend'), { blenderPath: null, scratchHome: home() });
    assert.equal(good.frameEnd, 250);
    await assert.rejects(readSceneInfo(join(scratch.dir, 'half.blend'), { blenderPath: null, scratchHome: home() }),
      (error: unknown) => error instanceof SceneError && /half\.blend" could not be read \(.*truncated\)/.test(error.message));
  });
});
