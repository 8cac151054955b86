import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MediaInfo } from './media-probe.js';
import { planVideoChunks, type VideoChunk } from './plan-chunks.js';

/** A MediaInfo as probeMedia builds it, from frame times and the stream's rate. */
function media(frameTimes: number[], rate: string): MediaInfo {
  const [n, d] = rate.split('/').map(Number) as [number, number];
  const frameDurationSeconds = d / n;
  return {
    durationSeconds: frameTimes.at(-1)! + frameDurationSeconds - Math.min(0, frameTimes[0]!),
    frameRate: rate,
    frameDurationSeconds,
    frameTimes,
    startTimeSeconds: 0,
    video: { codec: 'h264', width: 320, height: 180, pixelFormat: 'yuv420p' },
    audio: null,
    container: 'matroska,webm',
    exactSeek: true,
  };
}

/** Constant rate: frame i at i·d/n, rounded to microseconds as ffprobe prints it. */
function cfr(frames: number, rate: string): MediaInfo {
  const [n, d] = rate.split('/').map(Number) as [number, number];
  return media(Array.from({ length: frames }, (_, i) => Math.round((i * d * 1e6) / n) / 1e6), rate);
}

const us = (s: number) => Math.round(s * 1e6);
const counts = (plan: VideoChunk[]) => plan.map((c) => c.frameCount);

describe('planVideoChunks: frames', () => {
  test('chunks cover every frame exactly once, in order', () => {
    for (const [frames, chunks] of [[100, 7], [60, 2], [61, 60], [1, 1], [1000, 13]] as const) {
      const plan = planVideoChunks(cfr(frames, '25/1'), { chunks, agents: 1 });
      assert.equal(plan.length, chunks);
      const covered = plan.flatMap((c) => Array.from({ length: c.frameCount }, (_, i) => c.startFrame + i));
      assert.deepEqual(covered, Array.from({ length: frames }, (_, i) => i), `${frames} frames in ${chunks}`);
      assert.deepEqual(plan.map((c) => c.index), plan.map((_, i) => i));
    }
  });

  test('frame counts differ by at most one, the longer chunks first', () => {
    assert.deepEqual(counts(planVideoChunks(cfr(100, '25/1'), { chunks: 7, agents: 1 })), [15, 15, 14, 14, 14, 14, 14]);
    assert.deepEqual(counts(planVideoChunks(cfr(90, '25/1'), { chunks: 3, agents: 1 })), [30, 30, 30]);
  });

  test('--chunks larger than the frame count is clamped to one frame per chunk', () => {
    assert.deepEqual(counts(planVideoChunks(cfr(5, '25/1'), { chunks: 50, agents: 1 })), [1, 1, 1, 1, 1]);
  });

  test('a video without frames is refused', () => {
    assert.throws(() => planVideoChunks(media([], '25/1'), { chunks: 2, agents: 1 }), /no frames/);
  });
});

describe('planVideoChunks: times', () => {
  test('the first chunk seeks 0, later ones half a frame before their first frame', () => {
    const plan = planVideoChunks(cfr(100, '25/1'), { chunks: 4, agents: 1 });
    assert.deepEqual(plan.map((c) => c.startFrame), [0, 25, 50, 75]);
    assert.deepEqual(plan.map((c) => c.seekSeconds), [0, 0.98, 1.98, 2.98]);
    assert.deepEqual(plan.map((c) => c.durationSeconds), [1, 1, 1, 1]);
  });

  test('NTSC 30000/1001: seeks and durations from the real frame times, to the microsecond', () => {
    const plan = planVideoChunks(cfr(60, '30000/1001'), { chunks: 2, agents: 1 });
    // Frame 30 is at 30 × 1001/30000 = 1.001 s; half a frame is 0.0166833 s.
    assert.deepEqual(plan, [
      { index: 0, startFrame: 0, frameCount: 30, seekSeconds: 0, durationSeconds: 1.001 },
      { index: 1, startFrame: 30, frameCount: 30, seekSeconds: 0.984317, durationSeconds: 1.001 },
    ]);
  });

  test('durations add up exactly (in microseconds) to first frame → end of last frame', () => {
    const offset = media(cfr(500, '24000/1001').frameTimes.map((t) => t + 0.5), '24000/1001');
    for (const m of [cfr(1000, '30000/1001'), cfr(777, '24/1'), offset]) {
      for (const chunks of [2, 3, 7, 13]) {
        const plan = planVideoChunks(m, { chunks, agents: 1 });
        const total = plan.reduce((sum, c) => sum + us(c.durationSeconds), 0);
        const span = us(m.frameTimes.at(-1)! + m.frameDurationSeconds) - us(m.frameTimes[0]!);
        assert.equal(total, span, `${m.frameRate}, ${chunks} chunks`);
        // Each chunk lasts exactly to the next chunk's first frame.
        plan.slice(0, -1).forEach((c, i) => assert.equal(us(c.durationSeconds), us(m.frameTimes[plan[i + 1]!.startFrame]!) - us(m.frameTimes[c.startFrame]!)));
      }
    }
  });

  test('variable frame rate: durations follow the real gaps between chunk starts', () => {
    const m = media([0, 0.04, 0.08, 0.2, 0.24, 0.5, 0.54, 0.58], '25/1');
    const plan = planVideoChunks(m, { chunks: 4, agents: 1 });
    assert.deepEqual(plan.map((c) => c.startFrame), [0, 2, 4, 6]);
    assert.deepEqual(plan.map((c) => c.durationSeconds), [0.08, 0.16, 0.3, 0.08]);
    assert.deepEqual(plan.map((c) => c.seekSeconds), [0, 0.06, 0.22, 0.52]);
  });

  test('variable frame rate with gaps under half a nominal frame: the seek stays after the previous frame', () => {
    // As ffprobe reports a real VFR file: r_frame_rate 24/1, but a burst of frames 1/120 s apart.
    const times = [...Array.from({ length: 40 }, (_, i) => i / 24), ...Array.from({ length: 20 }, (_, i) => 40 / 24 + i / 120)];
    const m = media(times.map((t) => Math.round(t * 1e3) / 1e3), '24/1');
    const plan = planVideoChunks(m, { chunks: 12, agents: 1 });
    for (const c of plan.slice(1)) {
      const previous = m.frameTimes[c.startFrame - 1]!;
      const own = m.frameTimes[c.startFrame]!;
      assert.ok(c.seekSeconds > previous && c.seekSeconds < own, `chunk ${c.index}: seek ${c.seekSeconds} not in (${previous}, ${own})`);
    }
  });
});

describe('planVideoChunks: how many chunks', () => {
  test('chunkSeconds sets the count, but no chunk is shorter than 1 s', () => {
    const tenSeconds = cfr(250, '25/1');
    assert.deepEqual(counts(planVideoChunks(tenSeconds, { chunkSeconds: 3, agents: 1 })), [63, 63, 62, 62]);
    assert.equal(planVideoChunks(tenSeconds, { chunkSeconds: 0.5, agents: 1 }).length, 10);
    assert.equal(planVideoChunks(tenSeconds, { chunkSeconds: 100, agents: 1 }).length, 1);
  });

  test('by default about five chunks per agent, fewer where the smallest would be under 1 s', () => {
    assert.equal(planVideoChunks(cfr(7500, '25/1'), { agents: 2 }).length, 10);
    assert.equal(planVideoChunks(cfr(1500, '25/1'), { agents: 1 }).length, 5);
    // Sixteenths of 1500 frames over 3 agents would be 16 frames: four rounds.
    assert.equal(planVideoChunks(cfr(1500, '25/1'), { agents: 3 }).length, 12);
  });

  test('the default plan tapers: full, half, quarter, eighth and sixteenth chunks, one round per agent, so agents finish together', () => {
    assert.deepEqual(counts(planVideoChunks(cfr(7500, '25/1'), { agents: 2 })), [1935, 1936, 968, 967, 484, 484, 242, 242, 121, 121]);
    assert.deepEqual(counts(planVideoChunks(cfr(1500, '25/1'), { agents: 1 })), [774, 387, 194, 97, 48]);
    // Sixteenths under a second: the plan stops at eighths.
    assert.deepEqual(counts(planVideoChunks(cfr(1500, '25/1'), { agents: 2 })), [400, 400, 200, 200, 100, 100, 50, 50]);
    // Eighths under a second too: it stops at quarters, with a round fewer of chunks.
    assert.deepEqual(counts(planVideoChunks(cfr(600, '25/1'), { agents: 2 })), [171, 172, 86, 85, 43, 43]);
    // Quarter chunks under a second too: even sizes instead.
    assert.deepEqual(counts(planVideoChunks(cfr(200, '25/1'), { agents: 2 })), [25, 25, 25, 25, 25, 25, 25, 25]);
    // An explicit count is honoured as even chunks.
    assert.deepEqual(counts(planVideoChunks(cfr(1500, '25/1'), { chunks: 6, agents: 2 })), [250, 250, 250, 250, 250, 250]);
  });

  test('at 29.97 fps no default chunk is shorter than 1 s either', () => {
    const plan = planVideoChunks(cfr(2997, '30000/1001'), { agents: 64 });
    assert.ok(Math.min(...counts(plan)) >= 30, `smallest chunk ${Math.min(...counts(plan))} frames`);
  });

  test('by default a long video gets at least one chunk per 120 s', () => {
    assert.equal(planVideoChunks(cfr(600 * 25, '25/1'), { agents: 1 }).length, 5);
    assert.equal(planVideoChunks(cfr(601 * 25, '25/1'), { agents: 1 }).length, 6);
    assert.equal(planVideoChunks(cfr(601 * 25, '25/1'), { agents: 8 }).length, 40);
    // Longer than five rounds' worth: extra full-size chunks before the taper.
    assert.deepEqual(counts(planVideoChunks(cfr(1800 * 25, '25/1'), { agents: 2 })), [5070, 5071, 5070, 5071, 5070, 5071, 5070, 2535, 2535, 1268, 1268, 633, 634, 317, 317]);
  });

  test('by default a short video is not split below 1 s a chunk', () => {
    const plan = planVideoChunks(cfr(75, '25/1'), { agents: 4 });
    assert.deepEqual(counts(plan), [25, 25, 25]);
    assert.equal(planVideoChunks(cfr(12, '25/1'), { agents: 4 }).length, 1);
  });
});
