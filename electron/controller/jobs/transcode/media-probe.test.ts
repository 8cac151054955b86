import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { makeClip } from '../../../../test/helpers/media.js';
import { MediaError } from './media-error.js';
import { findFfprobe, probeMedia } from './media-probe.js';

// Real ffprobe on clips made by real ffmpeg (5.1 here).
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'farmhand-probe-'));
const at = (name: string) => join(dir, name);
const ffprobePath = findFfprobe() ?? 'ffprobe';
const probe = (name: string) => probeMedia(at(name), { ffprobePath });

before(async () => {
  await makeClip(at('ntsc.mp4'), { seconds: 2, rate: '30000/1001', audio: true });
  await makeClip(at('pal.mkv'), { seconds: 2, rate: '25', audio: false });
  await makeClip(at('long.mp4'), { seconds: 4, rate: '25', audio: false });
  await run('ffmpeg', ['-v', 'error', '-y', '-i', at('long.mp4'), '-c', 'copy', '-movflags', '+faststart', at('faststart.mp4')]);
  await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '1', '-c:a', 'aac', at('tone.m4a')]);
  writeFileSync(at('empty.mp4'), '');
  writeFileSync(at('notes.txt'), 'not a video\n');
  writeFileSync(at('notes.mp4'), 'Shot list for reel 3\n- 010 wide, café exterior\n- 020 close-up\n'.repeat(200));
  writeFileSync(at('scene.mp4'), Buffer.concat([Buffer.from('BLENDER-v402REND'), Buffer.alloc(2000, 0)]));
  writeFileSync(at('noise.mp4'), Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 7919 + 13) % 251)));
  for (const name of ['long.mp4', 'faststart.mp4']) {
    const bytes = readFileSync(at(name));
    writeFileSync(at(`half-${name}`), bytes.subarray(0, bytes.length >> 1));
  }
  mkdirSync(at('folder.mp4'));
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe('probeMedia on real clips', () => {
  test('NTSC with audio: the exact rate, every frame, duration and the audio stream', async () => {
    const m = await probe('ntsc.mp4');
    assert.equal(m.frameRate, '30000/1001');
    assert.equal(m.frameDurationSeconds, 1001 / 30000);
    assert.equal(m.frameTimes.length, 60);
    assert.equal(m.frameTimes[0], 0);
    assert.equal(m.frameTimes[30], 1.001);
    assert.ok(Math.abs(m.durationSeconds - 60 * 1001 / 30000) < 1e-5, `duration ${m.durationSeconds}`);
    assert.deepEqual(m.video, { codec: 'h264', width: 320, height: 180, pixelFormat: 'yuv420p' });
    assert.deepEqual(m.audio, { codec: 'aac', sampleRate: 48000, channels: 1 });
    assert.match(m.container, /mp4/);
  });

  test('25 fps Matroska without audio', async () => {
    const m = await probe('pal.mkv');
    assert.equal(m.frameRate, '25/1');
    assert.equal(m.frameTimes.length, 50);
    assert.deepEqual(m.frameTimes.slice(0, 3), [0, 0.04, 0.08]);
    assert.ok(Math.abs(m.durationSeconds - 2) < 1e-6, `duration ${m.durationSeconds}`);
    assert.equal(m.audio, null);
    assert.match(m.container, /matroska/);
  });

  test('frame times are in presentation order even with B-frames', async () => {
    const m = await probe('long.mp4');
    assert.equal(m.frameTimes.length, 100);
    assert.ok(m.frameTimes.every((t, i) => i === 0 || t > m.frameTimes[i - 1]!));
  });
});

describe('probeMedia refuses what is not a complete video, in one sentence naming the file', () => {
  async function refused(name: string, message: string | RegExp): Promise<void> {
    await assert.rejects(probe(name), (e: unknown) => {
      assert.ok(e instanceof MediaError, `${name}: ${String(e)}`);
      assert.equal(e.name, 'MediaError');
      if (typeof message === 'string') assert.equal(e.message, message);
      else assert.match(e.message, message);
      assert.ok(e.message.includes(name), `names the file: ${e.message}`);
      assert.ok(!e.message.includes('\n') && e.message.endsWith('.') && !e.message.slice(0, -1).includes('. '), `one sentence: ${e.message}`);
      return true;
    });
  }

  test('a missing file', () => refused('missing.mp4', `The input "${at('missing.mp4')}" does not exist; check the path.`));
  test('a folder', () => refused('folder.mp4', `The input "${at('folder.mp4')}" is a folder; pass a video file.`));
  test('an empty file', () => refused('empty.mp4', 'The input "empty.mp4" is empty (0 bytes); pass a complete video file.'));
  test('a text file', () => refused('notes.txt', '"notes.txt" is not a video (it holds text); choose a video file.'));
  // ffprobe reads a .mp4 as an MP4 whatever it holds, and finds no index: the bytes, not the name, decide.
  test('a text file named .mp4 is not called truncated', () => refused('notes.mp4', '"notes.mp4" is not a video (it holds text); choose a video file.'));
  test('a Blender scene named .mp4', () => refused('scene.mp4', '"scene.mp4" is not a video (it is a Blender scene); choose a video file.'));
  test('bytes that do not start like an MP4, named .mp4', () =>
    refused('noise.mp4', '"noise.mp4" is not a readable video (its first bytes are not those of an MP4 or any video format ffprobe knows); check the file is complete and is a video.'));
  test('an audio-only file', () => refused('tone.m4a', '"tone.m4a" has no video to transcode (it is audio only); pass a video file.'));

  test('the first half of an MP4 (index at the end, so missing)', () =>
    refused('half-long.mp4', '"half-long.mp4" is not a readable video (its MP4 index is missing, as in a truncated or still-recording file); check the file is complete and is a video.'));

  test('the first half of a +faststart MP4 (index present, frames missing)', () =>
    refused('half-faststart.mp4', /^"half-faststart\.mp4" is truncated \(\d+ of 100 frames are readable\); copy the complete file and try again\.$/));
});

describe('findFfprobe', () => {
  const saved = { FARMHAND_FFPROBE: process.env.FARMHAND_FFPROBE, FARMHAND_FFMPEG: process.env.FARMHAND_FFMPEG };
  after(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  test('an explicit path: used when executable, else null', () => {
    assert.equal(findFfprobe(ffprobePath), ffprobePath);
    assert.equal(findFfprobe(at('no-such-ffprobe')), null);
    assert.equal(findFfprobe(at('notes.txt')), null);
    assert.equal(findFfprobe(dir), null);
  });

  test('a bare name is looked up on PATH', () => {
    assert.equal(findFfprobe('ffprobe'), ffprobePath);
    assert.equal(findFfprobe('no-such-ffprobe-anywhere'), null);
  });

  test('FARMHAND_FFPROBE, then the ffprobe beside FARMHAND_FFMPEG, then PATH', () => {
    const tools = join(dir, 'tools');
    mkdirSync(tools);
    symlinkSync(ffprobePath, join(tools, 'ffprobe'));
    writeFileSync(join(tools, 'custom-probe'), '#!/bin/sh\n');
    chmodSync(join(tools, 'custom-probe'), 0o755);

    delete process.env.FARMHAND_FFPROBE;
    process.env.FARMHAND_FFMPEG = join(tools, 'ffmpeg');
    assert.equal(findFfprobe(), join(tools, 'ffprobe'));
    process.env.FARMHAND_FFPROBE = join(tools, 'custom-probe');
    assert.equal(findFfprobe(), join(tools, 'custom-probe'));
    delete process.env.FARMHAND_FFPROBE;
    process.env.FARMHAND_FFMPEG = join(dir, 'elsewhere', 'ffmpeg');
    assert.equal(findFfprobe(), ffprobePath);
  });
});
