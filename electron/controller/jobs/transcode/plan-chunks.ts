import { MediaError } from './media-error.js';
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
  /** Agents able to encode: the default makes about five chunks per agent. */
  agents: number;
}

/** Shorter chunks than this cost more in process start-up and seeking than they gain. */
export const MIN_CHUNK_SECONDS = 1;
/** A long video gets at least one chunk per this many seconds, so a retry redoes little. */
const DEFAULT_MAX_CHUNK_SECONDS = 120;
/** Full, half, quarter, eighth and sixteenth-size chunks: one of each per agent (see taperedSizes). */
const TAPER_ROUNDS = 5;

export function planVideoChunks(media: MediaInfo, o: ChunkPlanOptions): VideoChunk[] {
  const frames = media.frameTimes.length;
  if (frames === 0) throw new MediaError('The video has no frames to transcode.');
  const frameDuration = media.frameDurationSeconds;
  const sizes = o.chunks === undefined && o.chunkSeconds === undefined
    ? defaultSizes(media, Math.max(1, o.agents))
    : evenSizes(frames, Math.max(1, Math.min(frames, requestedCount(media, o))));
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
 * The default plan: full-size chunks first, then one round each of half, quarter, eighth and
 * sixteenth-size chunks, one per agent per round ("factoring", as loop schedulers do it).
 * Agents pull the next chunk when free, so whoever started late (the agent that took the
 * audio) or runs slower picks up small pieces at the end, and all finish close together: the
 * last chunk bounds how long one agent can sit idle while another finishes. Measured on a
 * 5-minute clip over two one-core agents: a quarter-size last chunk left one core idle for
 * 3–6 s, an eighth 0.4–2.2 s (~3 s chunks). Each round finer costs a chunk's start-up per
 * agent (an ffmpeg start, seek and encoder start: ~0.2 s) and halves that idle time, so rounds
 * stop at sixteenths. A round is dropped (with its chunks) while its chunks would be shorter
 * than the minimum, and even sizes are used when not even quarters fit.
 */
function defaultSizes(media: MediaInfo, agents: number): number[] {
  const frames = media.frameTimes.length;
  const most = mostChunks(media);
  const minFrames = Math.ceil(MIN_CHUNK_SECONDS / media.frameDurationSeconds);
  // A long video gets extra full-size chunks: at least one per 120 s, so a retry redoes little.
  const atLeast = Math.ceil(media.durationSeconds / DEFAULT_MAX_CHUNK_SECONDS);
  for (let rounds = TAPER_ROUNDS; rounds >= 3; rounds--) {
    const count = Math.max(rounds * agents, atLeast);
    if (count > most) continue;
    const sizes = taperedSizes(frames, count, agents, rounds);
    if (Math.min(...sizes) >= minFrames) return sizes;
  }
  return evenSizes(frames, Math.max(1, Math.min(frames, most, Math.max(TAPER_ROUNDS * agents, atLeast))));
}

/** `count` chunks: the last `rounds - 1` rounds (one chunk per agent each) halve in size, the rest are full. */
function taperedSizes(frames: number, count: number, agents: number, rounds: number): number[] {
  const weights = Array.from({ length: count }, (_, i) => {
    const fromEnd = Math.floor((count - 1 - i) / agents); // 0 = the last round
    return fromEnd < rounds - 1 ? 0.5 ** (rounds - 1 - fromEnd) : 1;
  });
  const total = weights.reduce((a, b) => a + b, 0);
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

/** The most chunks a video splits into with none shorter than the minimum. */
function mostChunks(media: MediaInfo): number {
  const fps = 1 / media.frameDurationSeconds;
  return Math.max(1, Math.floor(media.frameTimes.length / Math.max(1, Math.ceil(fps * MIN_CHUNK_SECONDS))));
}

/** --chunks, or --chunk-seconds within the minimum. */
function requestedCount(media: MediaInfo, o: ChunkPlanOptions): number {
  if (o.chunks !== undefined) return o.chunks;
  return Math.min(mostChunks(media), Math.ceil(media.durationSeconds / o.chunkSeconds!));
}

/** ffmpeg parses time strings to whole microseconds; planning in the same unit keeps seams exact. */
function micro(seconds: number): number {
  return Math.round(seconds * 1e6);
}
