import type { AttemptOutcome, TaskAttemptView } from '../api/views.js';
import type { TaskRecord } from '../model/job-model.js';

/**
 * Each task's attempts as they happen: the agent that ran it (by id and by the name it had then,
 * since an agent can be removed or renamed later), when it started and ended, and how it ended.
 * The task's own `agentId` is cleared the moment an attempt fails, so without this a failed
 * task cannot say where it failed; the log viewer's attempt picker names agent and time from it.
 * Bounded: a task retried without end keeps only its latest attempts.
 */
export const MAX_ATTEMPTS_KEPT = 50;

/** Attempt `task.attempt` starts (or, after a reconnection, is found running) on the agent. */
export function beginAttempt(task: TaskRecord, agentId: string, agentName: string, at = Date.now()): void {
  const history = (task.history ??= []);
  const last = history.at(-1);
  if (last && last.attempt === task.attempt && last.agentId === agentId) {
    // The same attempt adopted again after a reconnection: it runs on.
    last.outcome = 'running';
    delete last.error;
    last.endedAt = null;
    return;
  }
  history.push({ attempt: task.attempt, agentId, agentName, startedAt: at, endedAt: null, outcome: 'running' });
  if (history.length > MAX_ATTEMPTS_KEPT) history.splice(0, history.length - MAX_ATTEMPTS_KEPT);
}

/** The running attempt ended; nothing happens when none is running (a queued task canceled). */
export function endAttempt(task: TaskRecord, outcome: Exclude<AttemptOutcome, 'running'>, error?: string | null, at = Date.now()): void {
  const last = task.history?.at(-1);
  if (!last || last.outcome !== 'running') return;
  last.outcome = outcome;
  last.endedAt = at;
  if (error) last.error = error;
}

/** The agent of the latest attempt, for the task's view. */
export function lastAgentOf(task: Pick<TaskRecord, 'history'>): { agentId: string; name: string } | undefined {
  const last = task.history?.at(-1);
  return last ? { agentId: last.agentId, name: last.agentName } : undefined;
}

/** A copy of the history for the API (the record's entries change as attempts end). */
export function historyView(task: Pick<TaskRecord, 'history'>): TaskAttemptView[] {
  return (task.history ?? []).map((a) => ({ ...a }));
}
