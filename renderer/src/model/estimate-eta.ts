import type { TaskView } from '../../../electron/controller/api/contract.js';

/**
 * How long a job still needs, as a range from its own measured task times: the remaining work
 * (queued tasks plus what running ones have left) at the quick and at the slow end of the
 * times seen so far (quartiles once there are enough), spread over the agents working on it
 * now. Null (shown "—") until a task has finished, or when no agent is working on the job:
 * a guess with nothing measured behind it would only mislead.
 */
export interface Eta {
  minMs: number;
  maxMs: number;
}

export function estimateEta(tasks: readonly TaskView[]): Eta | null {
  const durations: number[] = [];
  let remaining = 0;
  const agents = new Set<string>();
  for (const t of tasks) {
    if (t.state === 'succeeded' && t.startedAt !== null && t.endedAt !== null && t.endedAt >= t.startedAt) durations.push(t.endedAt - t.startedAt);
    else if (t.state === 'queued') remaining += 1;
    else if (t.state === 'assigned' || t.state === 'running') {
      remaining += 1 - Math.max(0, Math.min(1, t.progress));
      if (t.agentId) agents.add(t.agentId);
    }
  }
  if (durations.length === 0 || agents.size === 0) return null;
  if (remaining === 0) return { minMs: 0, maxMs: 0 };
  durations.sort((a, b) => a - b);
  const fast = quantile(durations, durations.length >= 4 ? 0.25 : 0);
  const slow = quantile(durations, durations.length >= 4 ? 0.75 : 1);
  // Work runs in rounds of at most one task per agent: round up to whole rounds for the slow end.
  const parallel = agents.size;
  return { minMs: (remaining * fast) / parallel, maxMs: Math.ceil(remaining / parallel) * slow };
}

function quantile(sorted: number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}
