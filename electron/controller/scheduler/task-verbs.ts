import type { AgentRuntime } from '../agents/agent-runtime.js';
import type { TaskRecord } from '../model/job-model.js';
import { beginAttempt, endAttempt } from './attempt-history.js';
import type { JobRuntime } from './job-runtime.js';
import type { SchedulerEvents } from './scheduler-ports.js';
import type { TaskDeadlines } from './task-deadlines.js';
import { isTerminalTaskState, nextTaskState, type TaskTransition } from './task-state.js';

/**
 * The exactly-once rules, in one file. Every assignment is `(taskId, attempt)`, and a task's
 * fields belong to its state: each verb below changes the state (checked by task-state.ts's
 * table, so a late or duplicated message can never resurrect a finished task) and the fields
 * that go with it together, and keeps the job's counts and the agent's slot in step. What is
 * decided (retry or fail, which agent) is the scheduler's; what a decision does to a task is
 * here. `isCurrentAttempt` is the one test of whether a report, a file or a timer still
 * belongs to the attempt it names: anything else is dropped.
 */

/** Which task states count as current for `isCurrentAttempt`. */
export type CurrentStates =
  /** Out on its agent (assigned or running): the default. */
  | 'active'
  /** Out on its agent or already succeeded: its log lines still belong to it. */
  | 'active-or-succeeded'
  /** Not yet ended (queued included): what is still owed for it is wanted. */
  | 'unfinished'
  /** Any state: the attempt (and agent) alone, for a file already on its way. */
  | 'any';

/**
 * Whether `attempt` of `task` on `agentId` is the task's current one. Checked for every agent
 * report, every file and every timer: a report of an older attempt (the task was requeued and
 * given out again) or from another agent is never acted on.
 */
export function isCurrentAttempt(
  task: TaskRecord | undefined,
  agentId: string | null | undefined,
  attempt: number,
  o: { states?: CurrentStates; anyAgent?: boolean } = {},
): task is TaskRecord {
  if (!task || task.attempt !== attempt) return false;
  if (!o.anyAgent && task.agentId !== agentId) return false;
  switch (o.states ?? 'active') {
    case 'active':
      return task.state === 'assigned' || task.state === 'running';
    case 'active-or-succeeded':
      return task.state === 'assigned' || task.state === 'running' || task.state === 'succeeded';
    case 'unfinished':
      return !isTerminalTaskState(task.state);
    case 'any':
      return true;
  }
}

/**
 * A task loaded from the store that was out on an agent when the controller stopped: back to
 * `queued` with no agent (before its job's counts are built, so no job is told).
 */
export function requeueLoaded(task: TaskRecord): void {
  task.state = nextTaskState(task.state, 'requeue');
  endAttempt(task, 'requeued');
  task.agentId = null;
  task.progress = 0;
}

/** What the verbs need of the scheduler's state (scheduler-state.ts owns one). */
export interface TaskVerbsDeps {
  deadlines: Pick<TaskDeadlines, 'clear'>;
  agents: ReadonlyMap<string, AgentRuntime>;
  events: Pick<SchedulerEvents, 'taskChanged'>;
}

export class TaskVerbs {
  constructor(private readonly deps: TaskVerbsDeps) {}

  /** Handed to an agent as a new attempt: nothing of the last attempt's outputs stays. */
  assign(job: JobRuntime, task: TaskRecord, agentId: string): void {
    // The fields first, the move (and its event) last: a client copies the task when told, so
    // an assignment announced before its agent was set showed a starting task on no agent.
    nextTaskState(task.state, 'assign'); // refused before any field changes
    task.attempt++;
    task.agentId = agentId;
    task.progress = 0;
    task.outputs = [];
    task.collected = [];
    if (task.warnings) {
      delete task.warnings;
      job.warnedTasks--;
    }
    task.startedAt = Date.now();
    delete task.frameEndedAt;
    delete task.frameReportStart;
    delete task.startupMs;
    beginAttempt(task, agentId, this.agentName(agentId), task.startedAt);
    this.move(job, task, 'assign');
  }

  /** The attempt ended with warnings from its tool: kept on the task until it is run again. */
  setWarnings(job: JobRuntime, task: TaskRecord, warnings: readonly string[] | undefined): void {
    if (task.warnings) job.warnedTasks--;
    if (warnings && warnings.length > 0) {
      task.warnings = [...warnings];
      job.warnedTasks++;
    } else delete task.warnings;
  }

  /** The agent reported progress: an assigned task is running from now on. */
  progress(job: JobRuntime, task: TaskRecord, fraction: number): void {
    if (task.state === 'assigned') this.move(job, task, 'start');
    task.progress = fraction;
    this.deps.events.taskChanged(task);
  }

  /**
   * After a reconnection the agent still runs (or holds the outputs of) `attempt`: the task
   * is running there under that attempt (resume, collect). A task out on another agent leaves
   * that agent's slot.
   */
  adopt(job: JobRuntime, task: TaskRecord, agentId: string, attempt: number): void {
    nextTaskState(task.state, task.state === 'queued' ? 'assign' : 'start'); // refused before any field changes
    task.attempt = attempt;
    if (task.state !== 'queued' && task.agentId && task.agentId !== agentId) this.deps.agents.get(task.agentId)?.running.delete(task.id);
    task.agentId = agentId; // before the moves: their events carry it
    beginAttempt(task, agentId, this.agentName(agentId));
    if (task.state === 'queued') this.move(job, task, 'assign');
    if (task.state === 'assigned') this.move(job, task, 'start');
  }

  /** Every output is in place. */
  succeed(job: JobRuntime, task: TaskRecord): void {
    this.deps.agents.get(task.agentId ?? '')?.collecting.delete(task.id);
    endAttempt(task, 'succeeded');
    this.move(job, task, 'succeed');
    task.progress = 1;
    task.endedAt = Date.now();
    task.error = null;
  }

  /**
   * The attempt failed with `error` (counted): the task runs again (`retry`, first in its job's
   * queue) or has failed for good.
   */
  failAttempt(job: JobRuntime, task: TaskRecord, error: string, retry: boolean): void {
    const transition = retry ? 'requeue' : 'fail';
    nextTaskState(task.state, transition); // refused before any field changes
    this.deps.deadlines.clear(task.id);
    task.error = error;
    endAttempt(task, 'failed', error);
    task.failures++;
    task.agentId = null;
    this.move(job, task, transition);
    if (retry) job.requeue(task);
  }

  /**
   * Taken off its agent through no fault of its own (the agent was lost, or the user stopped it
   * there): back to the queue, first in its job's, with no failure counted.
   */
  requeue(job: JobRuntime, task: TaskRecord): void {
    nextTaskState(task.state, 'requeue'); // refused before any field changes
    this.deps.deadlines.clear(task.id);
    endAttempt(task, 'requeued');
    task.agentId = null;
    task.progress = 0;
    this.move(job, task, 'requeue');
    job.requeue(task);
  }

  /** Ended without running to its end: the job was canceled or failed, or (with `error`) what it needs failed. */
  cancel(job: JobRuntime, task: TaskRecord, error?: string): void {
    nextTaskState(task.state, 'cancel'); // refused before any field changes
    if (error !== undefined) task.error = error;
    endAttempt(task, 'canceled');
    this.move(job, task, 'cancel');
  }

  /** The user retries a failed or canceled task: fresh attempts, no agent, back in the queue. */
  retry(job: JobRuntime, task: TaskRecord): void {
    nextTaskState(task.state, 'retry'); // refused before any field changes
    task.failures = 0;
    task.error = null;
    task.progress = 0;
    task.agentId = null;
    task.endedAt = null;
    this.move(job, task, 'retry');
    job.requeue(task);
  }

  /**
   * The job's never-started chunks from position `start` on are planned again (chunk-plan/):
   * they leave the job and `next` takes their place, as queued tasks. Refused unless every
   * task replaced is queued and was never handed out, so a running, finished or retried
   * chunk, and with it every frame already rendered, is never touched.
   */
  replan(job: JobRuntime, start: number, next: readonly TaskRecord[]): void {
    const replaced = job.record.tasks.slice(start);
    const bad = replaced.find((t) => t.state !== 'queued' || t.attempt !== 0 || t.agentId !== null);
    if (bad) throw new Error(`Task ${bad.id} was handed out (${bad.state}, attempt ${bad.attempt}) and cannot be re-planned.`);
    if (next.some((t) => t.state !== 'queued' || t.attempt !== 0)) throw new Error('Re-planned tasks start queued.');
    job.replaceTail(start, next);
    for (const task of next) this.deps.events.taskChanged(task);
  }

  /** The name an agent has now, kept with the attempt it runs. */
  private agentName(agentId: string): string {
    return this.deps.agents.get(agentId)?.name ?? agentId;
  }

  /** The state change under every verb: the table's check, the job's counts, the end of a task's slot and deadline. */
  private move(job: JobRuntime, task: TaskRecord, transition: TaskTransition): void {
    const from = task.state;
    task.state = nextTaskState(from, transition);
    job.moved(from, task.state);
    job.changedTasks.add(task);
    if (isTerminalTaskState(task.state)) {
      this.deps.deadlines.clear(task.id);
      task.endedAt ??= Date.now();
      if (task.agentId) this.deps.agents.get(task.agentId)?.running.delete(task.id);
    }
    this.deps.events.taskChanged(task);
  }
}
