import type { TaskState, TaskView } from '../../../electron/controller/api/contract.js';

/**
 * The per-chunk strip of a job: one segment per task, or, for jobs with more tasks than the
 * strip has room for, one segment per run of neighbouring tasks showing the state that most
 * needs attention (failed, then running…). Each segment carries a text label for its tooltip
 * and screen readers, so the strip never speaks by colour alone.
 */
export interface ChunkSegment {
  key: string;
  state: TaskState;
  label: string;
}

/** Attention order: the first state present in a bucket is its colour. */
const ATTENTION: TaskState[] = ['failed', 'running', 'assigned', 'queued', 'canceled', 'succeeded'];

export const STATE_WORDS: Record<TaskState, string> = {
  queued: 'queued',
  assigned: 'starting',
  running: 'running',
  succeeded: 'done',
  failed: 'failed',
  canceled: 'canceled',
};

export function chunkSegments(tasks: readonly TaskView[], maxSegments = 100): ChunkSegment[] {
  if (tasks.length === 0) return [];
  const size = Math.ceil(tasks.length / Math.max(1, maxSegments));
  const segments: ChunkSegment[] = [];
  for (let start = 0; start < tasks.length; start += size) {
    const bucket = tasks.slice(start, start + size);
    const counts = countStates(bucket);
    const state = ATTENTION.find((s) => counts[s] > 0) ?? 'queued';
    const first = bucket[0]!;
    const last = bucket[bucket.length - 1]!;
    if (bucket.length === 1) {
      const progress = first.state === 'running' ? ` (${Math.floor(first.progress * 100)}%)` : '';
      segments.push({ key: first.id, state, label: `${first.label}: ${STATE_WORDS[first.state]}${progress}` });
    } else {
      segments.push({ key: first.id, state, label: `${first.label} … ${last.label}: ${describeCounts(counts)}` });
    }
  }
  return segments;
}

export function countStates(tasks: readonly TaskView[]): Record<TaskState, number> {
  const counts: Record<TaskState, number> = { queued: 0, assigned: 0, running: 0, succeeded: 0, failed: 0, canceled: 0 };
  for (const t of tasks) counts[t.state]++;
  return counts;
}

/** "3 done, 1 running, 6 queued": states present, in attention order reversed to read naturally. */
export function describeCounts(counts: Record<TaskState, number>): string {
  const order: TaskState[] = ['succeeded', 'running', 'assigned', 'queued', 'failed', 'canceled'];
  return order.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${STATE_WORDS[s]}`).join(', ') || 'no tasks';
}
