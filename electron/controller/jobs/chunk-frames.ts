/**
 * Splitting a frame list into chunks of a fixed size (`--chunk N`), one Blender task each. Pure, like Flamenco's frame
 * chunker: chunks follow the list's own order, so `1..10,20..25,40` with chunk 4 gives
 * `1-4`, `5-8`, `9,10,20,21`, `22-25`, `40`; a chunk may span a gap in the list.
 */

/** The most frames one chunk may have (the task spec's limit, and `--chunk`'s). */
export const MAX_CHUNK_FRAMES = 10_000;

export function chunkFrames(frames: readonly number[], chunkSize: number): number[][] {
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(`Chunk size ${chunkSize} is not a whole number of frames of 1 or more; choose a chunk size like 10.`);
  }
  const chunks: number[][] = [];
  for (let i = 0; i < frames.length; i += chunkSize) chunks.push(frames.slice(i, i + chunkSize));
  return chunks;
}

// Chunk sizes when the user gives none come from the planner (chunk-plan/plan-chunks.ts).
