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
  /** Requeued when the link dropped but never reassigned: the agent simply carries on. */
  | { kind: 'resume'; task: TaskRecord }
  /** Finished while the two were apart: fetch its outputs. */
  | { kind: 'collect'; task: TaskRecord; outputs: OutputRef[] }
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
    if (sameAttempt && found.task.state === 'queued') actions.push({ kind: 'resume', task: found.task });
    else if (!(sameAttempt && found.task.agentId === hello.agentId && !isTerminalTaskState(found.task.state))) {
      actions.push({ kind: 'cancel', taskId: entry.taskId, attempt: entry.attempt });
    }
  }
  for (const held of hello.held) {
    const found = lookup(held.taskId);
    if (!found) continue; // not a task of ours: leave it held for the controller it belongs to
    const current = found.task.attempt === held.attempt && !isTerminalTaskState(found.task.state) && found.jobActive;
    actions.push(current ? { kind: 'collect', task: found.task, outputs: held.outputs } : { kind: 'release', taskId: held.taskId, attempt: held.attempt });
  }
  return actions;
}
