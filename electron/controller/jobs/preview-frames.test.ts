import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFrameList } from './frame-list.js';
import { previewCount, previewPositions, splitPreview } from './preview-frames.js';

test('preview order: first, last, middle, then quarters, then eighths', () => {
  assert.deepEqual(previewPositions(9), [0, 8, 4, 2, 6, 1, 3, 5, 7]);
  assert.deepEqual(splitPreview(parseFrameList('1-48'), 5).preview, [1, 48, 25, 13, 36]);
});

test('every position appears exactly once, for every length', () => {
  for (let n = 0; n <= 300; n++) {
    const order = previewPositions(n);
    assert.equal(order.length, n, `n=${n}`);
    assert.deepEqual([...order].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i), `n=${n}`);
  }
});

test('the preview frames and the rest together are every frame once; the rest keeps the list order, gaps and all', () => {
  const frames = parseFrameList('100-1x3,200,150-160');
  for (const count of [0, 1, 2, 5, 17, frames.length, frames.length + 3]) {
    const { preview, rest } = splitPreview(frames, count);
    assert.equal(preview.length, Math.min(count, frames.length));
    assert.deepEqual([...preview, ...rest].sort((a, b) => a - b), [...frames].sort((a, b) => a - b));
    assert.deepEqual(rest, frames.filter((f) => !preview.includes(f)));
  }
  // Positions in the list, not frame numbers: a descending list previews its own first frame first.
  assert.deepEqual(splitPreview([10, 9, 8, 7, 6], 3).preview, [10, 6, 8]);
});

test('how many: fills the slots once, at least 5, never more than an eighth of the shot', () => {
  assert.equal(previewCount(48, 1), 5);
  assert.equal(previewCount(48, 4), 5);
  assert.equal(previewCount(250, 12), 12);
  assert.equal(previewCount(250, 100), 32); // an eighth of 250, rounded up
  assert.equal(previewCount(20, 1), 3);
  assert.equal(previewCount(8, 1), 1);
  assert.equal(previewCount(1, 1), 1);
  assert.equal(previewCount(0, 4), 0);
});
