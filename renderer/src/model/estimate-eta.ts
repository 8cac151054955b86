import type { TaskView } from '../../../electron/controller/api/contract.js';
import { framesOfTask } from './task-frames.js';

/**
 * How long a job still needs, as a range, from what was measured and who can do the work:
 * the work left in frames (queued tasks, plus what running ones have left) at the measured
 * time per frame (a task's time over its frames, so chunks of any size compare), spread over
 * the slots of the agents that can run the job, busy with it or not. The range is the spread
 * of the per-frame times (quartiles) widened by 1/√n for n measurements, so it narrows as
 * tasks finish. Null ("—") before a task has finished or when no agent can run the job: a
 * guess with nothing behind it would only mislead. steady-eta.ts keeps it from jumping.
 */
export interface Eta {
  minMs: number;
  maxMs: number;
}

/** An estimate with the work it was made for (in frames), so the next one can be held to it. */
export interface EtaReading extends Eta {
  workLeft: number;
}

export function estimateEta(tasks: readonly TaskView[], slots: number): EtaReading | null {
  const perFrame: number[] = [];
  const framed: number[] = [];
  for (const t of tasks) {
    const frames = framesOfTask(t.label);
    if (frames !== null) framed.push(frames);
  }
  // A task that is no run of frames weighs as much as a typical chunk.
  const typical = framed.length ? framed.reduce((a, b) => a + b, 0) / framed.length : 1;
  let workLeft = 0;
  let active = 0;
  for (const t of tasks) {
    const frames = framesOfTask(t.label) ?? typical;
    if (t.state === 'succeeded' && t.startedAt !== null && t.endedAt !== null && t.endedAt >= t.startedAt) perFrame.push((t.endedAt - t.startedAt) / frames);
    else if (t.state === 'queued') workLeft += frames;
    else if (t.state === 'assigned' || t.state === 'running') {
      workLeft += frames * (1 - Math.max(0, Math.min(1, t.progress)));
      active += 1;
    }
  }
  const parallel = Math.max(slots, active);
  if (perFrame.length === 0 || parallel === 0) return null;
  if (workLeft === 0) return { minMs: 0, maxMs: 0, workLeft: 0 };
  perFrame.sort((a, b) => a - b);
  const n = perFrame.length;
  const median = quantile(perFrame, 0.5);
  const fast = Math.min(quantile(perFrame, n >= 4 ? 0.25 : 0), median * (1 - 0.5 / Math.sqrt(n)));
  const slow = Math.max(quantile(perFrame, n >= 4 ? 0.75 : 1), median * (1 + 1 / Math.sqrt(n)));
  // The last chunk cannot be shared: the slow end is never below one chunk's time.
  const lastChunk = Math.min(workLeft, typical) * slow;
  return { minMs: (workLeft * fast) / parallel, maxMs: Math.max((workLeft * slow) / parallel, lastChunk), workLeft };
}

function quantile(sorted: number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}
