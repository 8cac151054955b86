import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunkFrames } from './chunk-frames.js';
import { formatFrameList, parseFrameList } from './frame-list.js';

test('the Flamenco example: 1..10,20..25,40 in chunks of 4, across the gaps', () => {
  const chunks = chunkFrames(parseFrameList('1-10,20-25,40'), 4);
  assert.deepEqual(chunks, [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 20, 21], [22, 23, 24, 25], [40]]);
  assert.deepEqual(chunks.map(formatFrameList), ['1-4', '5-8', '9,10,20,21', '22-25', '40']);
});

test('chunks keep the list order, descending too', () => {
  assert.deepEqual(chunkFrames([10, 9, 8, 7, 6], 2), [[10, 9], [8, 7], [6]]);
  assert.deepEqual(chunkFrames([47, 3, 5], 2), [[47, 3], [5]]);
});

test('a chunk larger than the list is the whole list', () => {
  assert.deepEqual(chunkFrames([1, 2, 3], 10), [[1, 2, 3]]);
  assert.deepEqual(chunkFrames([1, 2, 3], 3), [[1, 2, 3]]);
});

test('chunk 1 is one frame per task', () => {
  assert.deepEqual(chunkFrames([5, 6, 7], 1), [[5], [6], [7]]);
});

test('an uneven tail is a shorter last chunk', () => {
  const chunks = chunkFrames(parseFrameList('1-250'), 100);
  assert.deepEqual(chunks.map((c) => c.length), [100, 100, 50]);
  assert.deepEqual(chunks.flat(), parseFrameList('1-250'));
});

test('no frames, no chunks', () => {
  assert.deepEqual(chunkFrames([], 4), []);
});

test('chunks are copies: changing one leaves the frames alone', () => {
  const frames = [1, 2, 3];
  chunkFrames(frames, 2)[0]!.push(99);
  assert.deepEqual(frames, [1, 2, 3]);
});

test('a chunk size that is not a whole number of 1 or more is refused, naming it', () => {
  for (const bad of [0, -4, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => chunkFrames([1, 2], bad), (error: unknown) => {
      assert.ok(error instanceof RangeError);
      assert.equal(error.message, `Chunk size ${bad} is not a whole number of frames of 1 or more; choose a chunk size like 10.`);
      return true;
    });
  }
});
