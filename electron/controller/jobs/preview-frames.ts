/**
 * Preview first (`--preview-first`): a render's first tasks are single frames spread over the
 * whole shot — its first, its last, its middle, then the quarters, the eighths, and so on — so
 * a wrangler sees the shot's whole look (a wrong camera, a missing texture at the end, a light
 * that pops in the middle) minutes after submitting, not when the chunks have crawled there.
 * The rest of the frames then fill in, chunked as usual; a chunk of the rest may span the gaps
 * the preview frames leave (chunk-frames.ts keeps the list order across gaps).
 *
 * Positions are taken in the frame list, not by frame number, so a list with steps or gaps
 * (`1-100x5`, `1-10,50-60`) previews its own frames.
 */

/** At least this many preview frames (when the shot allows: see `previewCount`): first, last, middle and two quarters. */
export const MIN_PREVIEW_FRAMES = 5;

/** Preview frames are never more than this fraction of the shot: the rest is chunked, each chunk paying Blender's start-up once. */
export const MAX_PREVIEW_FRACTION = 1 / 8;

/**
 * How many single-frame preview tasks a shot of `frameCount` frames gets on a farm of `slots`
 * capable slots: enough to fill every slot once (so the preview round takes one frame's time
 * on a big farm) and at least `MIN_PREVIEW_FRAMES` (first, last, middle, quarters: enough to
 * judge the look of the whole shot), but never more than an eighth of the shot, since each
 * preview frame pays a whole Blender start-up (about 2 s) that a chunk pays once for many
 * frames. A shot of 8 frames or fewer gets one preview frame (its first); 0 frames, none.
 */
export function previewCount(frameCount: number, slots: number): number {
  const frames = Number.isFinite(frameCount) ? Math.max(0, Math.floor(frameCount)) : 0;
  if (frames === 0) return 0;
  const fill = Math.max(MIN_PREVIEW_FRAMES, Number.isFinite(slots) ? Math.floor(slots) : 1);
  return Math.max(1, Math.min(fill, Math.ceil(frames * MAX_PREVIEW_FRACTION)));
}

/**
 * Positions 0..n-1 in preview order: first, last, middle, then the quarter points, the eighth
 * points, … (each round halves the spacing), each position once; every position appears, so
 * taking the first k gives the k most spread-out frames.
 */
export function previewPositions(n: number): number[] {
  const order: number[] = [];
  if (n <= 0) return order;
  const seen = new Set<number>();
  const add = (p: number) => {
    if (seen.has(p)) return;
    seen.add(p);
    order.push(p);
  };
  add(0);
  add(n - 1);
  // Odd multiples of span/denominator: the middle, then 1/4 and 3/4, then 1/8, 3/8, 5/8, 7/8, …
  for (let denominator = 2; order.length < n && denominator < 2 * n; denominator *= 2) {
    for (let k = 1; k < denominator; k += 2) add(Math.round((k * (n - 1)) / denominator));
  }
  for (let p = 0; order.length < n; p++) add(p); // positions rounding skipped (only for n small against the rounds)
  return order;
}

/** The shot's frames split into the preview frames (in preview order) and the rest (in the list's order). */
export function splitPreview(frames: readonly number[], count: number): { preview: number[]; rest: number[] } {
  const positions = previewPositions(frames.length).slice(0, Math.max(0, Math.min(count, frames.length)));
  const chosen = new Set(positions);
  return {
    preview: positions.map((p) => frames[p]!),
    rest: frames.filter((_, i) => !chosen.has(i)),
  };
}
