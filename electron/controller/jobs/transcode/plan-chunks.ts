import type { MediaInfo } from './media-probe.js';

/**
 * Splits a video into chunks by frame index (never by rounded time: see notes/media.md). Each
 * chunk knows where to seek (half a frame before its first frame, so the seek cannot land on
 * the previous frame nor skip its own) and how long it lasts on the output timeline (the gap
 * to the next chunk's first frame), which the join gives the concat demuxer exactly.
 */

export interface VideoChunk {
  index: number;
  startFrame: number;
  frameCount: number;
  /** Input seek, seconds from the start of the file; 0 for the first chunk. */
  seekSeconds: number;
  durationSeconds: number;
}

export interface ChunkPlanOptions {
  chunks?: number;
  chunkSeconds?: number;
  /** Agents able to encode: the default makes about four chunks per agent. */
  agents: number;
}

/** Shorter chunks than this cost more in process start-up and seeking than they gain. */
export const MIN_CHUNK_SECONDS = 1;
/** A long video gets at least one chunk per this many seconds, so a retry redoes little. */
const DEFAULT_MAX_CHUNK_SECONDS = 120;
/** Full, half, quarter and eighth-size chunks: one of each per agent (see taperedSizes). */
const TAPER_ROUNDS = 4;
const CHUNKS_PER_AGENT = TAPER_ROUNDS;

export function planVideoChunks(media: MediaInfo, o: ChunkPlanOptions): VideoChunk[] {
  const frames = media.frameTimes.length;
  if (frames === 0) throw new Error('The video has no frames to transcode.');
  const count = Math.max(1, Math.min(frames, chunkCount(media, o)));
  const frameDuration = media.frameDurationSeconds;
  const sizes = o.chunks === undefined && o.chunkSeconds === undefined
    ? taperedSizes(frames, count, Math.max(1, o.agents), Math.ceil(MIN_CHUNK_SECONDS / frameDuration))
    : evenSizes(frames, count);
  const plan: VideoChunk[] = [];
  let start = 0;
  for (const [index, frameCount] of sizes.entries()) {
    const next = start + frameCount;
    const startTime = media.frameTimes[start]!;
    const endTime = next < frames ? media.frameTimes[next]! : media.frameTimes[frames - 1]! + frameDuration;
    plan.push({
      index,
      startFrame: start,
      frameCount,
      // Half the real gap when it is shorter than a frame (variable rate): else the seek lands before the previous frame.
      seekSeconds: index === 0 ? 0 : Math.max(0, micro(startTime - Math.min(frameDuration, startTime - media.frameTimes[start - 1]!) / 2) / 1e6),
      // Differences of rounded instants, so the chunks' durations add up to the exact total.
      durationSeconds: (micro(endTime) - micro(startTime)) / 1e6,
    });
    start = next;
  }
  return plan;
}

/** Frame counts that differ by at most one, the longer first (what --chunks and --chunk-seconds ask for). */
function evenSizes(frames: number, count: number): number[] {
  const base = Math.floor(frames / count);
  const extra = frames % count;
  return Array.from({ length: count }, (_, i) => base + (i < extra ? 1 : 0));
}

/**
 * The default plan: full-size chunks first, then one round each of half, quarter and
 * eighth-size chunks, one per agent per round ("factoring", as loop schedulers do it). Agents
 * pull the next chunk when free, so whoever started late (the agent that took the audio) or
 * runs slower picks up small pieces at the end, and all finish close together: the last
 * chunk bounds how long one agent can sit idle while another finishes (measured on a 5-minute
 * clip: a quarter-size last chunk left one core idle for 3–6 s). Each round finer costs a
 * chunk's start-up per agent (~0.3 s), so rounds stop at eighths, and a round is dropped
 * while its chunks would be shorter than the minimum; even sizes when not even quarters fit.
 */
function taperedSizes(frames: number, count: number, agents: number, minFrames: number): number[] {
  for (let rounds = Math.min(TAPER_ROUNDS, Math.floor(count / agents)); rounds >= 3; rounds--) {
    const weights = Array.from({ length: count }, (_, i) => {
      const fromEnd = Math.floor((count - 1 - i) / agents); // 0 = the last round
      return fromEnd < rounds - 1 ? 0.5 ** (rounds - 1 - fromEnd) : 1;
    });
    const total = weights.reduce((a, b) => a + b, 0);
    if ((frames * 0.5 ** (rounds - 1)) / total < minFrames) continue;
    const sizes: number[] = [];
    let cumulative = 0;
    let done = 0;
    for (const weight of weights) {
      cumulative += weight;
      const end = Math.round((frames * cumulative) / total);
      sizes.push(end - done);
      done = end;
    }
    return sizes;
  }
  return evenSizes(frames, count);
}

function chunkCount(media: MediaInfo, o: ChunkPlanOptions): number {
  if (o.chunks !== undefined) return o.chunks;
  const fps = 1 / media.frameDurationSeconds;
  const longest = Math.max(1, Math.floor(media.frameTimes.length / Math.max(1, Math.ceil(fps * MIN_CHUNK_SECONDS))));
  if (o.chunkSeconds !== undefined) return Math.min(longest, Math.ceil(media.durationSeconds / o.chunkSeconds));
  // Four per agent (full, half, quarter and eighth size, see taperedSizes): the unsplittable
  // audio task and uneven agents even out in the small tail; each chunk costs ~0.3 s of ffmpeg
  // start-up and seek, so more chunks would cost more than they balance.
  return Math.min(longest, Math.max(CHUNKS_PER_AGENT * o.agents, Math.ceil(media.durationSeconds / DEFAULT_MAX_CHUNK_SECONDS)));
}

/** ffmpeg parses time strings to whole microseconds; planning in the same unit keeps seams exact. */
function micro(seconds: number): number {
  return Math.round(seconds * 1e6);
}
