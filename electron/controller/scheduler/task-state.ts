import type { JobRecord, JobState, TaskState } from '../model/job-model.js';

/**
 * The task state machine, in one place. Every change of a task's state goes through
 * `moveTask`, which refuses transitions the design does not allow, so a late or duplicated
 * message can never resurrect a finished task.
 *
 *   queued → assigned → running → succeeded
 *   assigned|running → queued      (retryable failure with attempts left, or the agent was lost)
 *   assigned|running → failed      (no attempts left)
 *   queued|assigned|running → canceled
 *   failed|canceled → queued       (user retry)
 */
export type TaskTransition = 'assign' | 'start' | 'succeed' | 'requeue' | 'fail' | 'cancel' | 'retry';

export class InvalidTransitionError extends Error {
  override name = 'InvalidTransitionError';
}

export function nextTaskState(from: TaskState, transition: TaskTransition): TaskState {
  switch (transition) {
    case 'assign':
      return expect(from, ['queued'], transition, 'assigned');
    case 'start':
      return expect(from, ['assigned', 'running'], transition, 'running');
    case 'succeed':
      return expect(from, ['assigned', 'running'], transition, 'succeeded');
    case 'requeue':
      return expect(from, ['assigned', 'running'], transition, 'queued');
    case 'fail':
      return expect(from, ['assigned', 'running'], transition, 'failed');
    case 'cancel':
      return expect(from, ['queued', 'assigned', 'running'], transition, 'canceled');
    case 'retry':
      return expect(from, ['failed', 'canceled'], transition, 'queued');
    default: {
      const never: never = transition;
      throw new InvalidTransitionError(`unknown transition ${String(never)}`);
    }
  }
}

function expect(from: TaskState, allowed: TaskState[], transition: TaskTransition, to: TaskState): TaskState {
  if (!allowed.includes(from)) throw new InvalidTransitionError(`a ${from} task cannot ${transition}`);
  return to;
}

export function isTerminalTaskState(state: TaskState): boolean {
  return state === 'succeeded' || state === 'failed' || state === 'canceled';
}

export type TaskCounts = Record<TaskState, number>;

export function emptyCounts(): TaskCounts {
  return { queued: 0, assigned: 0, running: 0, succeeded: 0, failed: 0, canceled: 0 };
}

/** Job state is derived from its tasks (kept as counts), plus the user's pause. */
export function deriveJobState(job: Pick<JobRecord, 'paused' | 'failure' | 'canceled'>, counts: TaskCounts, total: number): JobState {
  if (job.canceled) return 'canceled';
  if (job.failure) return 'failed';
  if (counts.succeeded === total) return 'succeeded';
  const active = counts.queued + counts.assigned + counts.running;
  if (active === 0) return counts.failed > 0 ? 'failed' : 'canceled';
  if (job.paused) return 'paused';
  if (counts.assigned + counts.running + counts.succeeded + counts.failed > 0) return 'running';
  return 'queued';
}

export function isTerminalJobState(state: JobState): boolean {
  return state === 'succeeded' || state === 'failed' || state === 'canceled';
}
