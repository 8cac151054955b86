/**
 * How a tiled still (`--tiles N`) cuts its frame: a grid of `cols × rows = N` regions whose
 * edges are whole pixels, so the regions cover the frame exactly once (no gap, no overlap)
 * at any size, odd ones too. The frame's size is Blender's after the resolution percentage
 * (`resolution_x * percentage / 100` in integers, as SceneInfo.resolution holds it). Each
 * region is rendered with a margin around it (clamped to the frame) and cut back to its own
 * rectangle by the merge: the denoiser and adaptive sampling read neighbouring pixels, and
 * the margin gives them the same neighbours a whole render would (measured in the README).
 */

export const MIN_TILES = 2;
export const MAX_TILES = 64;
/** Pixels rendered around each region and cut off again (see above). */
export const TILE_MARGIN_PX = 16;

export interface PixelRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface TileRegion {
  /** The region's own pixels, from the frame's top-left corner: what the merge keeps. */
  core: PixelRect;
  /** What Blender renders: the region and its margin, inside the frame. */
  render: PixelRect;
}

export interface TileGrid {
  cols: number;
  rows: number;
}

/**
 * The grid for `n` tiles: of the factor pairs cols × rows = n that fit the frame (at least one
 * pixel per column and row), the one whose regions are closest to square, so each region's
 * margin costs the least. A prime n is one row or one column.
 */
export function tileGrid(n: number, width: number, height: number): TileGrid | null {
  let best: TileGrid | null = null;
  let bestScore = Infinity;
  for (let cols = 1; cols <= n; cols++) {
    if (n % cols !== 0) continue;
    const rows = n / cols;
    if (cols > width || rows > height) continue;
    const score = Math.abs(Math.log((width / cols) / (height / rows)));
    if (score < bestScore - 1e-12) {
      best = { cols, rows };
      bestScore = score;
    }
  }
  return best;
}

/** Pixel edges splitting `size` into `parts` spans that differ by at most one pixel: `[0, …, size]`. */
export function splitEdges(size: number, parts: number): number[] {
  return Array.from({ length: parts + 1 }, (_, i) => Math.floor((i * size) / parts));
}

/** The regions in reading order (left to right, top to bottom), or null when the frame is too small for n. */
export function tileRegions(n: number, width: number, height: number, margin = TILE_MARGIN_PX): TileRegion[] | null {
  const grid = tileGrid(n, width, height);
  if (!grid) return null;
  const xs = splitEdges(width, grid.cols);
  const ys = splitEdges(height, grid.rows);
  const regions: TileRegion[] = [];
  for (let r = 0; r < grid.rows; r++) {
    for (let c = 0; c < grid.cols; c++) {
      const core = { x: xs[c]!, y: ys[r]!, width: xs[c + 1]! - xs[c]!, height: ys[r + 1]! - ys[r]! };
      const x0 = Math.max(0, core.x - margin);
      const y0 = Math.max(0, core.y - margin);
      const x1 = Math.min(width, core.x + core.width + margin);
      const y1 = Math.min(height, core.y + core.height + margin);
      regions.push({ core, render: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } });
    }
  }
  return regions;
}
