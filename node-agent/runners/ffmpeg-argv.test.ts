import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildAudioArgv, buildChunkArgv, buildFramesToVideoArgv, buildJoinArgv, COMMON_FLAGS, concatListText } from './ffmpeg-argv.js';

const common = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error', '-progress', 'pipe:1', '-stats_period', '1', '-y'];

test('every run shares quiet stderr, progress on stdout and overwrite', () => {
  assert.deepEqual([...COMMON_FLAGS], common);
});

describe('buildChunkArgv', () => {
  const x264 = { codec: 'libx264', crf: 20, preset: 'veryfast', pixelFormat: 'yuv420p' };

  test('a later chunk seeks (microseconds), takes exactly n video frames and resets timestamps', () => {
    assert.deepEqual(buildChunkArgv({ input: '/in/a b.mp4', output: '/w/chunk_0001.nut', seekSeconds: 0.9843166666, frameCount: 30, video: x264 }), [
      ...common, '-ss', '0.984317', '-i', '/in/a b.mp4',
      '-map', '0:v:0', '-an', '-sn', '-dn', '-frames:v', '30', '-fps_mode', 'passthrough',
      '-vf', 'setpts=PTS-STARTPTS',
      '-c:v', 'libx264', '-crf', '20', '-preset', 'veryfast', '-pix_fmt', 'yuv420p',
      '-f', 'nut', '/w/chunk_0001.nut',
    ]);
  });

  test('an input that cannot seek exactly is decoded from the start and trimmed by frame index', () => {
    assert.deepEqual(buildChunkArgv({ input: 'in.ts', output: 'c2.nut', seekSeconds: 3.1, skipFrames: 72, frameCount: 36, video: { codec: 'libx264', scale: [160, 90] } }), [
      ...common, '-i', 'in.ts',
      '-map', '0:v:0', '-an', '-sn', '-dn', '-frames:v', '36', '-fps_mode', 'passthrough',
      '-vf', 'trim=start_frame=72,setpts=PTS-STARTPTS,scale=160:90',
      '-c:v', 'libx264',
      '-f', 'nut', 'c2.nut',
    ]);
  });

  test('the first chunk (seek 0) has no -ss; scale follows setpts; unset encode options are left out', () => {
    assert.deepEqual(buildChunkArgv({ input: 'in.mkv', output: 'c0.nut', seekSeconds: 0, frameCount: 1, video: { codec: 'ffv1', scale: [160, 90] } }), [
      ...common, '-i', 'in.mkv',
      '-map', '0:v:0', '-an', '-sn', '-dn', '-frames:v', '1', '-fps_mode', 'passthrough',
      '-vf', 'setpts=PTS-STARTPTS,scale=160:90',
      '-c:v', 'ffv1',
      '-f', 'nut', 'c0.nut',
    ]);
  });

  test('crf 0 (lossless) is still passed', () => {
    const argv = buildChunkArgv({ input: 'i', output: 'o', seekSeconds: 2, frameCount: 5, video: { codec: 'libx264', crf: 0 } });
    assert.deepEqual(argv.slice(-7), ['-c:v', 'libx264', '-crf', '0', '-f', 'nut', 'o']);
    assert.deepEqual(argv.slice(common.length, common.length + 2), ['-ss', '2.000000']);
  });
});

describe('buildAudioArgv', () => {
  test('the first audio stream only, with a bitrate', () => {
    assert.deepEqual(buildAudioArgv({ input: 'in.mp4', output: '/w/audio.m4a', codec: 'aac', bitrate: '192k' }), [
      ...common, '-i', 'in.mp4', '-map', '0:a:0', '-vn', '-sn', '-dn', '-c:a', 'aac', '-b:a', '192k', '/w/audio.m4a',
    ]);
  });

  test('without a bitrate, no -b:a', () => {
    assert.deepEqual(buildAudioArgv({ input: 'in.mp4', output: 'a.mka', codec: 'flac' }).slice(common.length), [
      '-i', 'in.mp4', '-map', '0:a:0', '-vn', '-sn', '-dn', '-c:a', 'flac', 'a.mka',
    ]);
  });
});

describe('buildJoinArgv', () => {
  test('mp4 with audio: concat list, audio mapped second, stream copy, +faststart', () => {
    assert.deepEqual(buildJoinArgv({ concatList: '/w/list.ffconcat', audio: '/w/audio.m4a', output: '/out/film.mp4' }), [
      ...common, '-f', 'concat', '-safe', '0', '-i', '/w/list.ffconcat', '-i', '/w/audio.m4a',
      '-map', '0:v:0', '-map', '1:a:0', '-c', 'copy', '-movflags', '+faststart', '/out/film.mp4',
    ]);
  });

  test('mkv without audio: video only, no +faststart', () => {
    assert.deepEqual(buildJoinArgv({ concatList: 'list.txt', output: '/out/film.mkv' }), [
      ...common, '-f', 'concat', '-safe', '0', '-i', 'list.txt', '-map', '0:v:0', '-c', 'copy', '/out/film.mkv',
    ]);
  });

  test('.mov and .M4V count as mp4 for +faststart', () => {
    assert.ok(buildJoinArgv({ concatList: 'l', output: 'a.mov' }).includes('+faststart'));
    assert.ok(buildJoinArgv({ concatList: 'l', output: 'A.M4V' }).includes('+faststart'));
    assert.ok(!buildJoinArgv({ concatList: 'l', output: 'a.webm' }).includes('-movflags'));
  });
});

describe('buildFramesToVideoArgv', () => {
  test('frame sequence to mp4: defaults libx264 crf 18, even-size pad, yuv420p, +faststart', () => {
    assert.deepEqual(buildFramesToVideoArgv({ framePattern: '/w/shot_%04d.png', startNumber: 1, frameCount: 250, fps: '24', output: '/out/shot.mp4' }), [
      ...common, '-framerate', '24', '-start_number', '1', '-i', '/w/shot_%04d.png', '-frames:v', '250',
      '-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2', '-c:v', 'libx264', '-crf', '18', '-pix_fmt', 'yuv420p',
      '-movflags', '+faststart', '/out/shot.mp4',
    ]);
  });

  test('codec and crf given, mkv output: no +faststart', () => {
    assert.deepEqual(buildFramesToVideoArgv({ framePattern: 'f_%04d.png', startNumber: 0, frameCount: 3, fps: '30000/1001', output: 'o.mkv', codec: 'libx265', crf: 0 }).slice(common.length), [
      '-framerate', '30000/1001', '-start_number', '0', '-i', 'f_%04d.png', '-frames:v', '3',
      '-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2', '-c:v', 'libx265', '-crf', '0', '-pix_fmt', 'yuv420p', 'o.mkv',
    ]);
  });
});

describe('concatListText', () => {
  test('a header, then each file quoted with its duration to 6 decimals', () => {
    assert.equal(
      concatListText([{ path: '/w/chunk_0000.nut', durationSeconds: 1.001 }, { path: '/w/chunk_0001.nut', durationSeconds: 2 / 3 }]),
      "ffconcat version 1.0\nfile '/w/chunk_0000.nut'\nduration 1.001000\nfile '/w/chunk_0001.nut'\nduration 0.666667\n",
    );
  });

  test("a single quote in a path is written as '\\''", () => {
    assert.equal(concatListText([{ path: "/w/it's here/c.nut", durationSeconds: 0.5 }]), "ffconcat version 1.0\nfile '/w/it'\\''s here/c.nut'\nduration 0.500000\n");
  });

  test('no files, just the header', () => {
    assert.equal(concatListText([]), 'ffconcat version 1.0\n');
  });
});
