import type { JobRecord, JobSummary, TaskRecord, TaskState } from '../model/job-model.js';
import { chunkPlanSentence } from '../jobs/chunk-plan/chunk-plan-sentence.js';
import { jobWarnings } from '../model/job-warnings.js';
import { jobFindFacts } from '../model/job-find-facts.js';
import { deriveJobState, emptyCounts, type TaskCounts } from './task-state.js';

/**
 * The scheduler's in-memory index of one job: tasks by state counts, a queue of runnable
 * tasks, dependents, and which agents failed it. It makes dispatch O(1) per task and the
 * job's state O(1) to derive, instead of scanning tasks.
 */
export class JobRuntime {
  readonly counts: TaskCounts = emptyCounts();
  /** Runnable queued tasks in order; tasks put back after a failure or a lost agent go first. */
  private readonly fresh: TaskRecord[] = [];
  private freshHead = 0;
  private readonly again: TaskRecord[] = [];
  /** Tasks waiting for others: taskId → number of unfinished dependencies. */
  private readonly waitingOn = new Map<string, number>();
  private readonly dependents = new Map<string, TaskRecord[]>();
  readonly agentFailures = new Map<string, number>();
  /** Tasks changed since the job was last saved, and whether a job-level field changed (see SchedulerState.jobTouched). */
  readonly changedTasks = new Set<TaskRecord>();
  jobFieldsChanged = false;
  /** Why no agent can take this job's work right now (shown to the user), or null. */
  unrunnableReason: string | null = null;
  /** Set while the controller holds the job for a full disk (disk-full-pauses.ts): no task of it starts. */
  pauseReason: string | null = null;
  /** Tasks that carry warnings (TaskVerbs keeps it), so a summary scans tasks only for a job that has some. */
  warnedTasks = 0;

  /**
   * `heldBack`: queued tasks not to hand out yet (after a restart, tasks that were out on an
   * agent wait for it to reconnect: it may still be running them or hold their outputs).
   * They enter the queue through `requeue` when released.
   */
  constructor(readonly record: JobRecord, readonly byId: Map<string, TaskRecord>, heldBack: ReadonlySet<string> = new Set()) {
    for (const task of record.tasks) {
      byId.set(task.id, task);
      this.counts[task.state]++;
      if (task.warnings) this.warnedTasks++;
    }
    for (const task of record.tasks) {
      const open = task.dependsOn.filter((id) => byId.get(id)?.state !== 'succeeded');
      for (const id of task.dependsOn) {
        const list = this.dependents.get(id) ?? [];
        list.push(task);
        this.dependents.set(id, list);
      }
      if (open.length > 0) this.waitingOn.set(task.id, open.length);
      else if (task.state === 'queued' && !heldBack.has(task.id)) this.fresh.push(task);
    }
  }

  get id(): string {
    return this.record.id;
  }

  get state() {
    const r = this.record;
    return deriveJobState(this.pauseReason === null ? r : { paused: true, failure: r.failure, canceled: r.canceled }, this.counts, r.tasks.length);
  }

  hasQueued(): boolean {
    return this.peek() !== null;
  }

  /** The next runnable task, skipping entries that left the queued state meanwhile. */
  peek(): TaskRecord | null {
    while (this.again.length > 0 && this.again[0]!.state !== 'queued') this.again.shift();
    if (this.again.length > 0) return this.again[0]!;
    while (this.freshHead < this.fresh.length && this.fresh[this.freshHead]!.state !== 'queued') this.freshHead++;
    return this.freshHead < this.fresh.length ? this.fresh[this.freshHead]! : null;
  }

  take(): TaskRecord | null {
    const task = this.peek();
    if (!task) return null;
    if (this.again[0] === task) this.again.shift();
    else this.freshHead++;
    if (this.freshHead > 1024 && this.freshHead * 2 > this.fresh.length) {
      this.fresh.splice(0, this.freshHead);
      this.freshHead = 0;
    }
    return task;
  }

  /** A task came back to `queued` (retry, lost agent): it runs before fresh work. */
  requeue(task: TaskRecord): void {
    if (!this.waitingOn.has(task.id)) this.again.push(task);
  }

  /**
   * The tasks from position `start` on are replaced by `next` (a chunk re-plan: chunk-plan/replan-tail.ts
   * says which may be, TaskVerbs.replan is the one caller). Every index follows: the shared
   * task map, the counts, the dependencies and the queue, where the new runnable tasks take the
   * old ones' turn.
   */
  replaceTail(start: number, next: readonly TaskRecord[]): TaskRecord[] {
    const removed = this.record.tasks.splice(start, this.record.tasks.length - start, ...next);
    const gone = new Set(removed);
    for (const task of removed) {
      if (this.byId.get(task.id) === task) this.byId.delete(task.id);
      this.counts[task.state]--;
      if (task.warnings) this.warnedTasks--;
      this.waitingOn.delete(task.id);
      this.dependents.delete(task.id);
      this.changedTasks.delete(task);
    }
    for (const [id, list] of this.dependents) {
      const kept = list.filter((t) => !gone.has(t));
      if (kept.length !== list.length) this.dependents.set(id, kept);
    }
    const runnable: TaskRecord[] = [];
    for (const task of next) {
      this.byId.set(task.id, task);
      this.counts[task.state]++;
      for (const id of task.dependsOn) {
        const list = this.dependents.get(id) ?? [];
        list.push(task);
        this.dependents.set(id, list);
      }
      const open = task.dependsOn.filter((id) => this.byId.get(id)?.state !== 'succeeded').length;
      if (open > 0) this.waitingOn.set(task.id, open);
      else if (task.state === 'queued') runnable.push(task);
      this.changedTasks.add(task);
    }
    // The queue: what is still ahead keeps its order, with the new chunks where the old ones were.
    const ahead = this.fresh.slice(this.freshHead);
    const at = ahead.findIndex((t) => gone.has(t));
    const kept = ahead.filter((t) => !gone.has(t));
    kept.splice(at === -1 ? kept.length : at, 0, ...runnable);
    this.fresh.length = 0;
    this.fresh.push(...kept);
    this.freshHead = 0;
    for (let i = this.again.length - 1; i >= 0; i--) if (gone.has(this.again[i]!)) this.again.splice(i, 1);
    this.jobFieldsChanged = true;
    return removed;
  }

  /** The job is being deleted: its tasks leave the shared index. */
  forget(): void {
    for (const task of this.record.tasks) if (this.byId.get(task.id) === task) this.byId.delete(task.id);
  }

  /** Keeps counts right; call on every state change of one of this job's tasks. */
  moved(from: TaskState, to: TaskState): void {
    this.counts[from]--;
    this.counts[to]++;
  }

  /** A task succeeded: dependents whose last dependency it was become runnable. */
  released(taskId: string): TaskRecord[] {
    const ready: TaskRecord[] = [];
    for (const dependent of this.dependents.get(taskId) ?? []) {
      const left = (this.waitingOn.get(dependent.id) ?? 1) - 1;
      if (left > 0) this.waitingOn.set(dependent.id, left);
      else {
        this.waitingOn.delete(dependent.id);
        if (dependent.state === 'queued') {
          this.fresh.push(dependent);
          ready.push(dependent);
        }
      }
    }
    return ready;
  }

  /** Tasks that need `taskId` and now wait on exactly one other dependency (see input-staging.ts). */
  oneDependencyLeft(taskId: string): TaskRecord[] {
    return (this.dependents.get(taskId) ?? []).filter((dependent) => this.waitingOn.get(dependent.id) === 1);
  }

  /** Every task that needs `taskId`, directly or through others: they can never run once it has failed. */
  dependentsOf(taskId: string): TaskRecord[] {
    const found = new Set<TaskRecord>();
    const pending = [...(this.dependents.get(taskId) ?? [])];
    for (let i = 0; i < pending.length && i < this.record.tasks.length * 2; i++) {
      const task = pending[i]!;
      if (found.has(task)) continue;
      found.add(task);
      pending.push(...(this.dependents.get(task.id) ?? []));
    }
    return [...found];
  }

  progress(): number {
    const total = this.record.tasks.length;
    if (total === 0) return 1;
    let sum = this.counts.succeeded;
    if (this.counts.running + this.counts.assigned > 0) {
      for (const task of this.record.tasks) if (task.state === 'running') sum += task.progress;
    }
    return sum / total;
  }

  summary(): JobSummary {
    const r = this.record;
    return {
      id: r.id,
      name: r.name,
      type: r.type,
      priority: r.priority,
      createdAt: r.createdAt,
      state: this.state,
      taskCount: r.tasks.length,
      succeededCount: this.counts.succeeded,
      failedCount: this.counts.failed,
      runningCount: this.counts.running + this.counts.assigned,
      failure: r.failure,
      ...(this.pauseReason !== null ? { pauseReason: this.pauseReason, pauseCause: 'disk-full' as const } : r.paused && r.pauseReason ? { pauseReason: r.pauseReason, pauseCause: 'fail-fast' as const } : {}),
      ...(this.unrunnableReason !== null && this.hasQueued() ? { waitingReason: this.unrunnableReason } : {}),
      ...(chunkPlanSentence(r) !== undefined ? { chunkPlan: chunkPlanSentence(r)! } : {}),
      ...(r.warnings?.length ? { warnings: r.warnings } : {}),
      ...(this.warnedTasks > 0 ? jobWarnings(r.tasks) : {}),
      ...jobFindFacts(r),
    };
  }
}
