import type { AgentRuntime } from '../agents/agent-runtime.js';
import type { TaskRecord } from '../model/job-model.js';
import type { JobRuntime } from './job-runtime.js';
import { TaskDeadlines } from './task-deadlines.js';
import { isTerminalJobState } from './task-state.js';
import { TaskVerbs } from './task-verbs.js';
import type { OutputSink, SchedulerEvents, TaskStore } from './scheduler-ports.js';

/** Per-agent settings the user chose on the controller (they outlive the agent's connection). */
export interface AgentOverrides {
  enabled?: boolean;
  tags?: string[];
}

/**
 * What the scheduler knows (every job, task and agent) and the steps every change of it goes
 * through. The task lifecycle (scheduler.ts) and the user's controls (job-controls.ts,
 * agent-controls.ts) share it, so a task that ends always leaves its agent's slot and its
 * deadline, and a changed job is always saved and announced the same way, whoever changed it.
 */
export class SchedulerState {
  readonly jobs = new Map<string, JobRuntime>();
  /** Jobs in dispatch order: priority (high first), then age (old first); rebuilt by reorder. */
  order: readonly JobRuntime[] = [];
  readonly tasks = new Map<string, TaskRecord>();
  readonly agents = new Map<string, AgentRuntime>();
  /** The user's per-agent choices, applied whenever the agent (re)connects. */
  readonly agentOverrides = new Map<string, AgentOverrides>();
  readonly deadlines = new TaskDeadlines();
  /** The one way a task changes state, with the fields that go with it (task-verbs.ts). */
  readonly verbs: TaskVerbs;

  constructor(
    private readonly store: TaskStore,
    private readonly events: SchedulerEvents,
    private readonly outputs: OutputSink,
    /** The job just ended (done, failed or canceled): called once per end, before it is saved and announced. */
    private readonly jobEnded: (job: JobRuntime) => void = () => {},
  ) {
    this.verbs = new TaskVerbs({ deadlines: this.deadlines, agents: this.agents, events });
  }

  /** Saves and announces a changed job; a job that just ended gets its end time. */
  jobTouched(job: JobRuntime): void {
    const summary = job.summary();
    if (isTerminalJobState(summary.state) && job.record.endedAt === null) {
      job.record.endedAt = Date.now();
      // Intermediates are kept after a failure (for a retry); otherwise they go.
      if (summary.state !== 'failed') void this.outputs.discardIntermediates(job.record).catch(() => undefined);
      this.jobEnded(job);
    }
    // Only the pages of tasks that changed are rewritten, unless a job-level field changed.
    if (job.jobFieldsChanged || job.changedTasks.size === 0) this.store.update(job.id, summary);
    else for (const task of job.changedTasks) this.store.update(job.id, summary, task);
    job.changedTasks.clear();
    job.jobFieldsChanged = false;
    this.events.jobChanged(summary);
  }

  /** Rebuilds the dispatch order (after a job is added, removed, retried or reprioritised). */
  reorder(): void {
    this.order = [...this.jobs.values()]
      .filter((j) => !isTerminalJobState(j.state))
      .sort((a, b) => b.record.priority - a.record.priority || a.record.createdAt - b.record.createdAt);
  }
}
