import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createFfmpegProgressParser, type FfmpegProgress } from './ffmpeg-progress.js';

/** Feeds lines, returning what each progress= line reported. */
function feedAll(parser: ReturnType<typeof createFfmpegProgressParser>, text: string): FfmpegProgress[] {
  return text.split('\n').map((l) => parser.feed(l)).filter((p): p is FfmpegProgress => p !== null);
}

describe('createFfmpegProgressParser', () => {
  test('only progress= lines report; other keys and junk return null', () => {
    const p = createFfmpegProgressParser({ frames: 100 });
    for (const line of ['frame=10', 'fps=25.0', 'bitrate=N/A', '', 'no equals sign', '=5']) assert.equal(p.feed(line), null);
    assert.deepEqual(p.feed('progress=continue'), { fraction: 0.1, framesDone: 10 });
  });

  test('the fraction comes from frames when the task knows how many', () => {
    const p = createFfmpegProgressParser({ frames: 200, durationSeconds: 100 });
    // out_time says 90% but frames win.
    assert.deepEqual(feedAll(p, 'frame=50\nout_time_us=90000000\nprogress=continue'), [{ fraction: 0.25, framesDone: 50 }]);
  });

  test('else from out_time_us (or the misnamed out_time_ms, also microseconds) against the duration', () => {
    const p = createFfmpegProgressParser({ durationSeconds: 10 });
    assert.deepEqual(feedAll(p, 'out_time_us=2500000\nprogress=continue\nout_time_ms=5000000\nprogress=continue'), [{ fraction: 0.25 }, { fraction: 0.5 }]);
  });

  test('N/A and negative values are ignored: the last good value stands', () => {
    const p = createFfmpegProgressParser({ durationSeconds: 10 });
    assert.deepEqual(feedAll(p, 'out_time_us=N/A\nprogress=continue'), [{ fraction: 0 }]);
    assert.deepEqual(feedAll(p, 'out_time_us=4000000\nprogress=continue\nout_time_us=N/A\nout_time_us=-9223372036854775807\nprogress=continue'), [{ fraction: 0.4 }, { fraction: 0.4 }]);
    const f = createFfmpegProgressParser({ frames: 10 });
    assert.deepEqual(feedAll(f, 'frame=N/A\nprogress=continue'), [{ fraction: 0 }]);
  });

  test('padded keys and values are read', () => {
    const p = createFfmpegProgressParser({ frames: 40 });
    assert.deepEqual(feedAll(p, 'frame=   10\r\n  progress = continue '), [{ fraction: 0.25, framesDone: 10 }]);
  });

  test('capped below 1 until progress=end', () => {
    const p = createFfmpegProgressParser({ frames: 10 });
    assert.deepEqual(feedAll(p, 'frame=10\nprogress=continue'), [{ fraction: 0.999, framesDone: 10 }]);
    assert.deepEqual(feedAll(p, 'frame=12\nprogress=continue'), [{ fraction: 0.999, framesDone: 10 }]);
    assert.deepEqual(feedAll(p, 'progress=end'), [{ fraction: 1, framesDone: 10 }]);
    const t = createFfmpegProgressParser({ durationSeconds: 2 });
    assert.deepEqual(feedAll(t, 'out_time_us=2000000\nprogress=continue\nprogress=end'), [{ fraction: 0.999 }, { fraction: 1 }]);
  });

  test('with nothing known: 0 while running, 1 at the end', () => {
    const p = createFfmpegProgressParser({});
    assert.deepEqual(feedAll(p, 'frame=99\nout_time_us=1000\nprogress=continue\nprogress=end'), [{ fraction: 0 }, { fraction: 1 }]);
  });
});
