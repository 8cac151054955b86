import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitEdges, tileGrid, tileRegions, type PixelRect } from './tile-regions.js';

/** Each pixel of the frame is covered by exactly one core rectangle. */
function coverage(width: number, height: number, rects: PixelRect[]): number[] {
  const hits = new Array<number>(width * height).fill(0);
  for (const r of rects) for (let y = r.y; y < r.y + r.height; y++) for (let x = r.x; x < r.x + r.width; x++) hits[y * width + x]!++;
  return hits;
}

/** Blender's resolution after the percentage, in integers (`render_init_from_main`). */
const scaled = (size: number, percent: number) => Math.floor((size * percent) / 100);

test('the grid is the factor pair closest to square regions, within the frame', () => {
  assert.deepEqual(tileGrid(4, 96, 64), { cols: 2, rows: 2 });
  assert.deepEqual(tileGrid(6, 96, 64), { cols: 3, rows: 2 });
  assert.deepEqual(tileGrid(2, 96, 64), { cols: 2, rows: 1 });
  assert.deepEqual(tileGrid(2, 64, 96), { cols: 1, rows: 2 });
  assert.deepEqual(tileGrid(7, 96, 64), { cols: 7, rows: 1 });
  assert.deepEqual(tileGrid(16, 1920, 1080), { cols: 4, rows: 4 });
  assert.deepEqual(tileGrid(8, 3, 100), { cols: 1, rows: 8 }, 'a narrow frame takes rows');
  assert.equal(tileGrid(9, 2, 2), null, 'a frame smaller than the grid has none');
});

test('edges split a size into spans one pixel apart at most', () => {
  assert.deepEqual(splitEdges(95, 2), [0, 47, 95]);
  assert.deepEqual(splitEdges(7, 3), [0, 2, 4, 7]);
  assert.deepEqual(splitEdges(64, 4), [0, 16, 32, 48, 64]);
});

test('regions cover every pixel exactly once for odd sizes, percentages and every N', () => {
  for (const [w, h, pct] of [[95, 63, 100], [95, 63, 77], [96, 64, 50], [1921, 1081, 33], [17, 5, 100], [101, 3, 100]] as const) {
    const width = scaled(w, pct);
    const height = scaled(h, pct);
    for (let n = 2; n <= 64; n++) {
      const regions = tileRegions(n, width, height);
      if (!regions) continue;
      assert.equal(regions.length, n);
      const hits = coverage(width, height, regions.map((r) => r.core));
      assert.ok(hits.every((c) => c === 1), `${width}x${height} in ${n}: every pixel once`);
      for (const { core, render } of regions) {
        assert.ok(render.x <= core.x && render.y <= core.y && render.x + render.width >= core.x + core.width && render.y + render.height >= core.y + core.height, 'the render holds the region');
        assert.ok(render.x >= 0 && render.y >= 0 && render.x + render.width <= width && render.y + render.height <= height, 'inside the frame');
      }
    }
  }
});

test('the margin is added inside the frame only', () => {
  const regions = tileRegions(4, 96, 64, 16)!;
  assert.deepEqual(regions.map((r) => r.core), [
    { x: 0, y: 0, width: 48, height: 32 }, { x: 48, y: 0, width: 48, height: 32 },
    { x: 0, y: 32, width: 48, height: 32 }, { x: 48, y: 32, width: 48, height: 32 },
  ]);
  assert.deepEqual(regions[0]!.render, { x: 0, y: 0, width: 64, height: 48 });
  assert.deepEqual(regions[3]!.render, { x: 32, y: 16, width: 64, height: 48 });
  assert.deepEqual(tileRegions(4, 96, 64, 0)![1]!.render, { x: 48, y: 0, width: 48, height: 32 });
});
