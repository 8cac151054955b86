import { countFrameList } from './frame-list-count.js';

/**
 * How many frames a task covers, read from its label ("frames 1-10", "frames 1-9x2,12",
 * "frame 133"): a render chunk or a transcode chunk. Null for a task that is not a run of
 * frames (a join, the audio, a no-op): its work is measured per task instead.
 */
export function framesOfTask(label: string): number | null {
  const m = /^frames? (\S+)$/.exec(label);
  if (!m) return null;
  const count = countFrameList(m[1]!);
  return count !== null && count > 0 ? count : null;
}
