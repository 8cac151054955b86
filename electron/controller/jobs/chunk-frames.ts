/**
 * Splitting a frame list into chunks, one Blender task each. Pure, like Flamenco's frame
 * chunker: chunks follow the list's own order, so `1..10,20..25,40` with chunk 4 gives
 * `1-4`, `5-8`, `9,10,20,21`, `22-25`, `40`; a chunk may span a gap in the list.
 */

/** The most frames one chunk may have (the task spec's limit, and `--chunk`'s). */
export const MAX_CHUNK_FRAMES = 10_000;

/** The largest default chunk: see `defaultChunkSize`. A user may still ask for more. */
export const MAX_DEFAULT_CHUNK = 50;

/** Chunks per agent that `defaultChunkSize` aims for. */
export const CHUNKS_PER_AGENT = 4;

export function chunkFrames(frames: readonly number[], chunkSize: number): number[][] {
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(`Chunk size ${chunkSize} is not a whole number of frames of 1 or more; choose a chunk size like 10.`);
  }
  const chunks: number[][] = [];
  for (let i = 0; i < frames.length; i += chunkSize) chunks.push(frames.slice(i, i + chunkSize));
  return chunks;
}

/**
 * Frames per chunk when the user gives none.
 *
 * Each chunk is one Blender process, which costs about 0.8 s to start before it loads the scene,
 * so one frame per task wastes time on every frame; that pulls towards big chunks. But the job is
 * only done when its last chunk is, and chunks are the unit of retry: a few big chunks leave
 * agents idle while one finishes the tail, and a failure redoes many frames. Aiming for about
 * `CHUNKS_PER_AGENT` (4) chunks per agent keeps every agent busy and lets fast agents take
 * the extra chunks of slow ones, while each chunk still has several frames once the job is long.
 *
 * The result is clamped to 1..`MAX_DEFAULT_CHUNK` (50): beyond 50 frames the start-up cost is
 * already under 2% of even a one-second frame, and smaller chunks give steadier progress.
 * Short jobs get chunks of 1 frame: with fewer frames than agents × 4, spreading them out
 * matters more than the start-up cost, since a frame nearly always takes longer than 0.8 s.
 */
export function defaultChunkSize(frameCount: number, agentCount: number): number {
  const agents = Number.isFinite(agentCount) ? Math.max(1, Math.floor(agentCount)) : 1;
  const frames = Number.isFinite(frameCount) ? Math.max(0, Math.floor(frameCount)) : 0;
  const size = Math.ceil(frames / (agents * CHUNKS_PER_AGENT));
  return Math.min(MAX_DEFAULT_CHUNK, Math.max(1, size));
}
