import assert from 'node:assert/strict';
import { test } from 'node:test';
import { frameRunLabel, framesLabel } from './frames-label.js';

test('one frame reads "frame 133", more read "frames …"', () => {
  assert.equal(framesLabel('133', 1), 'frame 133');
  assert.equal(framesLabel('1-10', 10), 'frames 1-10');
  assert.equal(framesLabel('5,1-3', 4), 'frames 5,1-3');
});

test('a run of one frame is "frame N", not "frames N-N"', () => {
  assert.equal(frameRunLabel(133, 1), 'frame 133');
  assert.equal(frameRunLabel(0, 48), 'frames 0-47');
});
