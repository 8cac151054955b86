import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeClip, streamDuration, videoFrameCount } from '../../test/helpers/media.js';
import { findOnPath } from '../host/find-executable.js';
import { runFfmpegSpec, type FfmpegTaskOptions } from './ffmpeg-task.js';

// Real ffmpeg on generated 4 s clips (100 frames at 25 fps): how each ffmpeg task type checks
// what it made. Chunks and audio are judged by ffmpeg's final report (no ffprobe run); the
// join is read back by ffprobe.
const ffmpegPath = findOnPath('ffmpeg') ?? 'ffmpeg';
const video = { codec: 'libx264', preset: 'ultrafast', crf: 23 };
let dir: string;
let clip: string;
let silent: string;

function run(spec: FfmpegTaskOptions['spec'], inputs: string[], workDir = dir) {
  return runFfmpegSpec({ spec, inputs, workDir, ffmpegPath, signal: new AbortController().signal, onProgress: () => undefined, onLog: () => undefined });
}

describe('ffmpeg tasks check their outputs', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'farmhand-ffmpeg-task-'));
    clip = join(dir, 'clip.mp4');
    silent = join(dir, 'silent.mp4');
    await Promise.all([makeClip(clip, { seconds: 4, rate: '25', audio: true }), makeClip(silent, { seconds: 4, rate: '25', audio: false })]);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('a chunk with all its frames succeeds, and ffmpeg\'s count is the file\'s', async () => {
    const result = await run({ type: 'transcode-chunk', seekSeconds: 1.98, frameCount: 40, video, outputName: 'chunk_0002.nut' }, [clip]);
    assert.equal(result.outputs.length, 1);
    assert.equal(await videoFrameCount(result.outputs[0]!), 40);
    assert.equal(result.described?.get(result.outputs[0]!)?.name, 'chunk_0002.nut');
  });

  test('a chunk that runs past the end of its input fails with the numbers, though ffmpeg exits 0', async () => {
    // From 3 s, 25 frames are left of the 100: ffmpeg writes those and reports success.
    await assert.rejects(run({ type: 'transcode-chunk', seekSeconds: 2.98, frameCount: 50, video, outputName: 'chunk_0003.nut' }, [clip]), /^TaskFailedError: chunk_0003\.nut has 25 frames, expected 50\.$/);
  });

  test('a chunk past the end of its input fails: no frames at all', async () => {
    await assert.rejects(run({ type: 'transcode-chunk', seekSeconds: 9, frameCount: 10, video, outputName: 'chunk_0009.nut' }, [clip]), /chunk_0009\.nut has 0 frames, expected 10\./);
  });

  test('audio of a clip with sound succeeds; of a clip without, fails with ffmpeg\'s words', async () => {
    const result = await run({ type: 'transcode-audio', codec: 'aac', bitrate: '96k', outputName: 'audio.m4a' }, [clip]);
    const seconds = await streamDuration(result.outputs[0]!, 'a');
    assert.ok(seconds !== null && Math.abs(seconds - 4) < 0.05, `audio lasts ${seconds} s`);
    await assert.rejects(run({ type: 'transcode-audio', codec: 'aac', outputName: 'audio2.m4a' }, [silent]), /^TaskFailedError: ffmpeg exited with code \d+: .*(matches no streams|Stream map)/);
  });

  test('the join is read back by ffprobe: a frame count that does not add up fails it', async () => {
    const a = await run({ type: 'transcode-chunk', seekSeconds: 0, frameCount: 50, video, outputName: 'a.nut' }, [silent]);
    const b = await run({ type: 'transcode-chunk', seekSeconds: 1.98, frameCount: 50, video, outputName: 'b.nut' }, [silent]);
    const inputs = [a.outputs[0]!, b.outputs[0]!];
    const joined = await run({ type: 'transcode-join', chunkDurations: [2, 2], hasAudio: false, outputName: 'joined.mp4', expectFrames: 100, expectDurationSeconds: 4 }, inputs, await mkdtemp(join(dir, 'join-')));
    assert.equal(await videoFrameCount(joined.outputs[0]!), 100);
    await assert.rejects(run({ type: 'transcode-join', chunkDurations: [2, 2], hasAudio: false, outputName: 'joined.mp4', expectFrames: 101, expectDurationSeconds: 4.04 }, inputs, await mkdtemp(join(dir, 'join-'))), /joined\.mp4 has 100 frames, expected 101\./);
  });
});
