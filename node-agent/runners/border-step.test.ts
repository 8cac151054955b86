import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blenderBorderPixel, borderFraction, borderSnippet } from './border-step.js';

test('border fractions truncate back to the exact pixel edge in Blender\'s float arithmetic', () => {
  for (const size of [1, 2, 3, 7, 47, 48, 63, 73, 95, 1080, 1920, 4097, 16_384, 65_536]) {
    for (let p = 0; p <= size; p += Math.max(1, Math.floor(size / 200))) {
      assert.equal(blenderBorderPixel(borderFraction(p, size), size), p, `${p} of ${size}`);
    }
    assert.equal(blenderBorderPixel(borderFraction(size, size), size), size);
  }
  assert.equal(borderFraction(0, 95), 0);
  assert.equal(borderFraction(95, 95), 1, 'the frame\'s edges are 0 and 1 exactly (Blender clamps the border to 0..1)');
  // The naive p / size lands one pixel short for some sizes (the float32 product falls just below p).
  const naiveShort = [...Array(2000).keys()].slice(1).some((size) => [...Array(size).keys()].some((p) => blenderBorderPixel(p / size, size) !== p));
  assert.ok(naiveShort, 'p / size alone is not exact for some sizes, which is why the half pixel is added');
});

test('the step sets the region from the bottom, keeps the full frame size, and checks the scene\'s size', () => {
  const step = borderSnippet({ x: 48, y: 0, width: 48, height: 32, frameWidth: 96, frameHeight: 64 });
  const data = JSON.parse(JSON.parse(/_j\.loads\((".*")\)/.exec(step)![1]!)) as Record<string, number>;
  assert.deepEqual([data.x0, data.x1, data.y0, data.y1], [48.5 / 96, 1, 32.5 / 64, 1], 'the top row of regions is the upper half in Blender\'s y');
  assert.match(step, /_r\.use_crop_to_border = False/);
  assert.match(step, /raise RuntimeError\("the scene renders %dx%d here but its tiles were planned for %dx%d; submit the job again"/);
});
