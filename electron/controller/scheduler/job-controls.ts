import type { Message } from '../../../node-agent/protocol/index.js';
import type { FailFast } from './fail-fast.js';
import type { JobRuntime } from './job-runtime.js';
import type { SchedulerState } from './scheduler-state.js';
import type { OutputSink, SchedulerEvents, TaskStore } from './scheduler-ports.js';
import { isTerminalJobState, isTerminalTaskState } from './task-state.js';

/** What the job controls need of the scheduler: its state, three of its ports and two of its steps. */
export interface JobControlsDeps {
  state: Pick<SchedulerState, 'jobs' | 'agents' | 'deadlines' | 'verbs' | 'jobTouched' | 'reorder'>;
  events: Pick<SchedulerEvents, 'notice' | 'jobRemoved'>;
  store: Pick<TaskStore, 'remove'>;
  outputs: Pick<OutputSink, 'discardIntermediates'>;
  /** Runs a dispatch round soon: a control that lets work start calls it. */
  dispatchSoon(): void;
  /** The task left the farm: stop holding it back for its agent after a restart. */
  forgetHeld(taskId: string): void;
  /** The job was resumed or retried: its agents' first attempts count afresh (fail-fast.ts). */
  failFast?: Pick<FailFast, 'forget'>;
}

/**
 * What the user does to jobs and to the queue as a whole: cancel, pause, resume, hold the
 * queue, reprioritise, retry, delete. These are decisions about jobs, not reactions to agents,
 * so they live apart from the task lifecycle in scheduler.ts and change the shared state only
 * through its steps (a task's verb, a job's save). Callers reach it as `scheduler.jobControls`.
 */
export class JobControls {
  /** The whole queue is on hold (the tray's "Pause queue"): nothing new starts, running tasks finish. */
  private queueHeld = false;

  constructor(private readonly deps: JobControlsDeps) {}

  /** With `failure`, the job fails with that reason instead of being canceled. */
  cancelJob(jobId: string, failure: string | null = null): void {
    const { state } = this.deps;
    const job = state.jobs.get(jobId);
    if (!job || isTerminalJobState(job.state)) return;
    if (failure) job.record.failure = failure;
    else job.record.canceled = true;
    job.jobFieldsChanged = true;
    for (const task of job.record.tasks) {
      if (task.state === 'assigned' || task.state === 'running') this.sendToAgent(task.agentId, { type: 'task.cancel', taskId: task.id, attempt: task.attempt });
      if (!isTerminalTaskState(task.state)) state.verbs.cancel(job, task);
    }
    state.jobTouched(job);
  }

  /**
   * Pause: no new task of the job starts; running ones finish. With `reason`, the controller
   * paused it (fail-fast.ts): the reason is kept with the job until it is resumed.
   */
  pauseJob(jobId: string, reason: string | null = null): JobRuntime | undefined {
    const job = this.deps.state.jobs.get(jobId);
    if (!job) return undefined;
    if (!isTerminalJobState(job.state) && (!job.record.paused || (reason !== null && job.record.pauseReason !== reason))) {
      job.record.paused = true;
      if (reason !== null) job.record.pauseReason = reason;
      job.jobFieldsChanged = true;
      this.deps.state.jobTouched(job);
    }
    return job;
  }

  /** Resume: the job's tasks start again, and a reason the controller paused it with is lifted. */
  resumeJob(jobId: string): JobRuntime | undefined {
    const job = this.deps.state.jobs.get(jobId);
    if (!job) return undefined;
    if (job.record.paused) {
      job.record.paused = false;
      delete job.record.pauseReason;
      this.deps.failFast?.forget(job);
      job.jobFieldsChanged = true;
      this.deps.state.jobTouched(job);
      this.deps.dispatchSoon();
    }
    return job;
  }

  /**
   * Holds the whole queue: no task of any job starts until releaseQueue; running tasks finish.
   * Unlike pausing every job, it leaves each job's own pause alone, so releasing it resumes
   * exactly what was running before. It lasts until released or the controller restarts.
   * Returns false when it was already held.
   */
  holdQueue(): boolean {
    if (this.queueHeld) return false;
    this.queueHeld = true;
    this.deps.events.notice('info', 'The queue is paused: no new task starts until it is resumed; running tasks finish.');
    return true;
  }

  /** Returns false when the queue was not held. */
  releaseQueue(): boolean {
    if (!this.queueHeld) return false;
    this.queueHeld = false;
    this.deps.events.notice('info', 'The queue is resumed.');
    this.deps.dispatchSoon();
    return true;
  }

  get queuePaused(): boolean {
    return this.queueHeld;
  }

  /** Takes effect at the next dispatch: the order of jobs is rebuilt now. */
  setPriority(jobId: string, priority: number): JobRuntime | undefined {
    const job = this.deps.state.jobs.get(jobId);
    if (!job) return undefined;
    job.record.priority = priority;
    job.jobFieldsChanged = true;
    this.deps.state.reorder();
    this.deps.state.jobTouched(job);
    this.deps.dispatchSoon();
    return job;
  }

  /**
   * Retry: every failed or canceled task goes back to the queue with fresh attempts, the job's
   * failure or cancellation is lifted, and agents it had blocked get another chance. Tasks
   * that wait for others stay waiting until those succeed. Returns how many were requeued.
   */
  retryJob(jobId: string): { job: JobRuntime; requeued: number } | undefined {
    const { state } = this.deps;
    const job = state.jobs.get(jobId);
    if (!job) return undefined;
    job.record.canceled = false;
    job.record.failure = null;
    job.record.endedAt = null;
    job.jobFieldsChanged = true;
    job.agentFailures.clear();
    this.deps.failFast?.forget(job);
    job.unrunnableReason = null;
    let requeued = 0;
    for (const task of job.record.tasks) {
      if (task.state !== 'failed' && task.state !== 'canceled') continue;
      state.verbs.retry(job, task);
      requeued++;
    }
    state.reorder();
    state.jobTouched(job);
    this.deps.dispatchSoon();
    return { job, requeued };
  }

  /** Removes a job from the farm (canceling what still runs); its collected outputs stay on disk. */
  async deleteJob(jobId: string): Promise<boolean> {
    const { state, events, outputs, store } = this.deps;
    const job = state.jobs.get(jobId);
    if (!job) return false;
    if (!isTerminalJobState(job.state)) this.cancelJob(jobId);
    for (const task of job.record.tasks) {
      state.deadlines.clear(task.id);
      this.deps.forgetHeld(task.id);
    }
    state.jobs.delete(jobId);
    job.forget();
    state.reorder();
    events.jobRemoved?.(jobId);
    await outputs.discardIntermediates(job.record).catch(() => undefined);
    await store.remove?.(jobId);
    return true;
  }

  private sendToAgent(agentId: string | null, message: Message): void {
    if (agentId) this.deps.state.agents.get(agentId)?.link.send(message);
  }
}
