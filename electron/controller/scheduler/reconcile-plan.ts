import type { MessageOf, OutputRef } from '../../../node-agent/protocol/index.js';
import type { TaskRecord } from '../model/job-model.js';
import { isTerminalTaskState } from './task-state.js';

/**
 * What to do with each task an agent's hello lists, decided purely from the task records.
 * After a dropped link or a restart either side may know something the other does not:
 * keep what still runs, collect what finished (instead of rendering it again), and cancel
 * or release whatever belongs to an attempt that is no longer current.
 */
export type ReconcileAction =
  /**
   * Requeued when the link dropped but never reassigned, or handed out by a controller that
   * stopped before storing the assignment: the agent simply carries on with its attempt.
   */
  | { kind: 'resume'; task: TaskRecord; attempt: number }
  /** Finished while the two were apart: fetch its outputs (of that attempt). */
  | { kind: 'collect'; task: TaskRecord; attempt: number; outputs: OutputRef[] }
  | { kind: 'cancel'; taskId: string; attempt: number }
  | { kind: 'release'; taskId: string; attempt: number };

export interface TaskLookup {
  (taskId: string): { task: TaskRecord; jobActive: boolean } | undefined;
}

export function planReconcile(hello: MessageOf<'agent.hello'>, lookup: TaskLookup): ReconcileAction[] {
  const actions: ReconcileAction[] = [];
  for (const entry of hello.running) {
    const found = lookup(entry.taskId);
    const sameAttempt = found !== undefined && found.task.attempt === entry.attempt && found.jobActive;
    if (found && takesBack(found, entry.attempt)) actions.push({ kind: 'resume', task: found.task, attempt: entry.attempt });
    else if (!(sameAttempt && found.task.agentId === hello.agentId && !isTerminalTaskState(found.task.state))) {
      actions.push({ kind: 'cancel', taskId: entry.taskId, attempt: entry.attempt });
    }
  }
  for (const held of hello.held) {
    const found = lookup(held.taskId);
    if (!found) continue; // not a task of ours: leave it held for the controller it belongs to
    const current = found.jobActive && !isTerminalTaskState(found.task.state) && (found.task.attempt === held.attempt || takesBack(found, held.attempt));
    actions.push(current ? { kind: 'collect', task: found.task, attempt: held.attempt, outputs: held.outputs } : { kind: 'release', taskId: held.taskId, attempt: held.attempt });
  }
  return actions;
}

/**
 * A queued task the agent has an attempt of that is this one or newer: newer means the
 * controller sent it out and then died before its store heard of it (assignments are saved
 * coalesced, not before sending). The agent's attempt is then the task's latest: taking it
 * back keeps the work instead of canceling it and rendering the same frames again.
 */
function takesBack(found: { task: TaskRecord; jobActive: boolean }, attempt: number): boolean {
  return found.jobActive && found.task.state === 'queued' && attempt >= found.task.attempt;
}
