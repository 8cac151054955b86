import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { AgentSettings } from '../../electron/controller/agents/agent-settings.js';
import { createFarmService, type FarmService } from '../../electron/controller/api/farm-service.js';
import { makeTestScene } from '../fixtures/test-scene.js';
import { makeClip } from '../helpers/media.js';
import { startLoopbackFarm, type LoopbackFarm } from '../helpers/loopback-farm.js';

// files.probe reads what the submit dialog is filled in from, with the real readers (the .blend
// reader with Blender behind it, ffprobe); farm.info says what the settings view shows. Files
// that cannot become a job are refused with one bad-input sentence naming the file and the fix.

const run = promisify(execFile);

describe('files.probe and farm.info', { timeout: 120_000 }, () => {
  let dir: string;
  let farm: LoopbackFarm;
  let service: FarmService;
  let scene: string;
  let clip: string;

  const refused = async (path: string, pattern: RegExp) => {
    await assert.rejects(service.api['files.probe']({ path }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'bad-input', e.message);
      assert.match(e.message, pattern);
      assert.equal(e.message.split('\n').length, 1, 'one line');
      return true;
    });
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fh-probe-'));
    await mkdir(join(dir, 'scene'));
    [scene, , farm] = await Promise.all([
      makeTestScene(join(dir, 'scene'), { frames: 3, width: 48, height: 27, samples: 1 }),
      makeClip(join(dir, 'clip.mp4'), { seconds: 2, rate: '25', size: '160x90', audio: true }),
      startLoopbackFarm({ agents: [] }),
    ]);
    clip = join(dir, 'clip.mp4');
    service = createFarmService(farm.controller, { outputRoot: join(dir, 'out'), home: join(dir, 'home'), agentSettings: await AgentSettings.open(null) });
  });

  after(async () => {
    await farm?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('a .blend: its frame range, fps, resolution, engine and format', async () => {
    const probe = await service.api['files.probe']({ path: scene });
    assert.equal(probe.kind, 'scene');
    if (probe.kind !== 'scene') return;
    assert.deepEqual(
      { name: probe.name, frames: [probe.frameStart, probe.frameEnd, probe.frameStep], fps: probe.fps, resolution: probe.resolution, engine: probe.engine, format: probe.fileFormat, camera: probe.camera },
      { name: 'test-scene.blend', frames: [1, 3, 1], fps: 24, resolution: [48, 27], engine: 'CYCLES', format: 'PNG', camera: 'Camera' },
    );
    assert.ok(probe.sizeBytes > 0);
  });

  test('a video: duration, fps, frame count and streams', async () => {
    const probe = await service.api['files.probe']({ path: clip });
    assert.equal(probe.kind, 'video');
    if (probe.kind !== 'video') return;
    assert.equal(probe.frameCount, 50);
    assert.equal(probe.fps, 25);
    assert.equal(probe.frameRate, '25/1');
    assert.ok(Math.abs(probe.durationSeconds - 2) < 0.05, `duration ${probe.durationSeconds}`);
    assert.deepEqual([probe.video.codec, probe.video.width, probe.video.height], ['h264', 160, 90]);
    assert.equal(probe.audio?.codec, 'aac');
    // A video with an extension Farmhand does not know is still read as one.
    await copyFile(clip, join(dir, 'clip.bin'));
    assert.equal((await service.api['files.probe']({ path: join(dir, 'clip.bin') })).kind, 'video');
  });

  test('missing files, folders, relative paths, other kinds of file and truncated files get one sentence each', async () => {
    await refused(join(dir, 'nowhere.blend'), /"[^"]*nowhere\.blend" does not exist; check the path/);
    await refused('shots/scene.blend', /must be an absolute path/);
    await refused(dir, /is a folder; pick a Blender scene \(\.blend\) or a video file/);
    await writeFile(join(dir, 'notes.txt'), 'not a scene, not a video\n');
    await refused(join(dir, 'notes.txt'), /"notes\.txt" is neither a Blender scene \(\.blend\) nor a video; pick a \.blend file or a video/);
    await writeFile(join(dir, 'fake.blend'), 'hello');
    await refused(join(dir, 'fake.blend'), /is not a Blender \.blend file/);
    await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=64x36', '-frames:v', '1', join(dir, 'still.png')]);
    await refused(join(dir, 'still.png'), /"still\.png" is (a still picture|neither)/);

    const blend = await readFile(scene);
    await writeFile(join(dir, 'half.blend'), blend.subarray(0, Math.floor(blend.length / 2)));
    await refused(join(dir, 'half.blend'), /half\.blend.*(truncated|damaged)/);
    const video = await readFile(clip);
    await writeFile(join(dir, 'half.mp4'), video.subarray(0, Math.floor(video.length / 2)));
    await refused(join(dir, 'half.mp4'), /half\.mp4.*(truncated|index is missing|not a readable video)/);
  });

  test('farm.info: the farm key, the folders, the version and the tools found here', async () => {
    const info = await service.api['farm.info']({});
    assert.equal(info.farmKey, farm.farmKey);
    assert.equal(info.discovery, false, 'the loopback farm does not discover');
    assert.equal(info.outputRoot, join(dir, 'out'));
    assert.equal(info.dataFolder, join(dir, 'home'));
    assert.match(info.version, /^\d+\.\d+\.\d+/);
    assert.match(info.tools.blender ?? '', /blender$/);
    assert.match(info.tools.ffprobe ?? '', /ffprobe$/);
    assert.match(info.tools.ffmpeg ?? '', /ffmpeg$/);
  });
});
