import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { exposureText, flipbookFps, fpsText, frameRuns, measuredFps, nextRendered, playStart, preloadOrder, scrubberMarks, stepIndex } from '../../renderer/src/model/flipbook.js';

// The frame viewer's decisions that need no browser: steps, the flipbook's next frame and
// start, what is fetched ahead, the scrubber's marks, the pace and the words beside them.

// Frames 1–8 of a job; 1, 2, 3, 6 and 8 rendered.
const frames = [1, 2, 3, 4, 5, 6, 7, 8];
const done = new Set([0, 1, 2, 5, 7]);
const isRendered = (i: number) => done.has(i);

describe('frame viewer logic', () => {
  test('arrows step through every frame, rendered or not, and stop at the ends', () => {
    assert.equal(stepIndex(8, 2, 1), 3);
    assert.equal(stepIndex(8, 0, -1), 0);
    assert.equal(stepIndex(8, 7, 1), 7);
    assert.equal(stepIndex(0, 0, 1), 0);
  });

  test('the flipbook goes to the next rendered frame, skipping the rest, and ends after the last', () => {
    assert.equal(nextRendered(8, isRendered, 2), 5);
    assert.equal(nextRendered(8, isRendered, 5), 7);
    assert.equal(nextRendered(8, isRendered, 7), null);
    assert.equal(playStart(8, isRendered, 1), 1, 'from here when here is rendered');
    assert.equal(playStart(8, isRendered, 3), 0, 'from the first rendered when here is not');
    assert.equal(playStart(8, isRendered, 7), 0, 'from the start again at the last rendered frame');
    assert.equal(playStart(8, () => false, 0), null);
  });

  test('what is fetched: the frame shown, the next rendered ones, then one behind', () => {
    assert.deepEqual(preloadOrder(8, isRendered, 1, 2), [1, 2, 5, 0]);
    assert.deepEqual(preloadOrder(8, isRendered, 3, 10), [5, 7, 2], 'a frame not rendered is not asked for');
  });

  test('the scrubber marks each frame rendered or not, and runs of frames on a long job', () => {
    const marks = scrubberMarks(frames, isRendered);
    assert.deepEqual(marks.map((m) => m.state), ['rendered', 'rendered', 'rendered', 'missing', 'missing', 'rendered', 'missing', 'rendered']);
    assert.equal(marks[3]!.label, 'frame 4: not rendered yet');
    const runs = scrubberMarks(frames, isRendered, 4);
    assert.deepEqual(runs.map((m) => [m.from, m.to, m.state, m.label]), [
      [0, 1, 'rendered', 'frames 1–2: 2 of 2 rendered'],
      [2, 3, 'partial', 'frames 3–4: 1 of 2 rendered'],
      [4, 5, 'partial', 'frames 5–6: 1 of 2 rendered'],
      [6, 7, 'partial', 'frames 7–8: 1 of 2 rendered'],
    ]);
    assert.equal(scrubberMarks(Array.from({ length: 10_000 }, (_, i) => i + 1), () => true).length, 200);
  });

  test('the rendered frames in words, as runs', () => {
    assert.equal(frameRuns(frames, isRendered), '1–3, 6, 8');
    assert.equal(frameRuns(frames, () => false), 'none yet');
    assert.equal(frameRuns(frames, (i) => i % 2 === 0, 2), '1, 3, …');
  });

  test('the pace is the scene\'s fps from the job\'s settings, else 24 and said so; the rate reached is measured', () => {
    assert.deepEqual(flipbookFps({ fps: 30000 / 1001 }), { fps: 30000 / 1001, known: true });
    assert.deepEqual(flipbookFps({}), { fps: 24, known: false });
    assert.deepEqual(flipbookFps({ fps: 'fast' }), { fps: 24, known: false });
    assert.equal(fpsText(30000 / 1001), '29.97 fps');
    assert.equal(measuredFps([0, 40]), null);
    assert.equal(measuredFps([0, 40, 80, 120, 160]), 25);
  });

  test('exposure in words', () => {
    assert.equal(exposureText(0), '0 stops');
    assert.equal(exposureText(1), '+1 stop');
    assert.equal(exposureText(-2.5), '−2.5 stops');
  });
});
