import type { IncomingFile, Message, MessageOf } from '../../../node-agent/protocol/index.js';
import { agentView, type AgentRuntime } from '../agents/agent-runtime.js';
import type { AgentLink } from '../agents/agent-link.js';
import type { JobRecord, TaskRecord } from '../model/job-model.js';
import { agentMayRun, judgeWaitingJob } from './dispatch-policy.js';
import { InputFiles } from './input-files.js';
import { JobRuntime } from './job-runtime.js';
import { planReconcile } from './reconcile-plan.js';
import { LiveOutputsSeen } from './live-outputs-seen.js';
import { RestartHold } from './restart-hold.js';
import { TaskDeadlines } from './task-deadlines.js';
import { isTerminalJobState, isTerminalTaskState, nextTaskState, type TaskTransition } from './task-state.js';
import type { OutputSink, SchedulerEvents, TaskStore } from './scheduler-ports.js';

/**
 * The scheduler owns every job and task state change. It is push-based: it dispatches on
 * events (a job submitted, an agent joined, a slot freed) and keeps runnable work in
 * per-job queues, so handing out a task never scans the task list.
 *
 * Exactly once: every assignment is `(taskId, attempt)`; results for any other attempt are
 * dropped. A finished task's outputs are fetched from the agent, verified, renamed into
 * place, and only then acknowledged (the agent holds them until then).
 */

/** Fetches of a task's outputs that may fail their hash check before the attempt counts as failed. */
const MAX_OUTPUT_FETCHES = 3;

export interface SchedulerOptions {
  /** A node that fails the same job this many times gets no more of its tasks. */
  agentFailureLimit: number;
  /** Extra time the controller allows past a task's own limit before it gives up on the agent. */
  timeoutGraceMs: number;
  /** After a restart, how long tasks that were out on agents wait for their agent to reconnect before they run elsewhere. */
  restartGraceMs: number;
}

const DEFAULT_OPTIONS: SchedulerOptions = { agentFailureLimit: 3, timeoutGraceMs: 30_000, restartGraceMs: 15_000 };

/** Per-agent settings the user chose on the controller (they outlive the agent's connection). */
export interface AgentOverrides {
  enabled?: boolean;
  tags?: string[];
}

export class Scheduler {
  private readonly jobs = new Map<string, JobRuntime>();
  /** Jobs in dispatch order: priority (high first), then age (old first). */
  private order: JobRuntime[] = [];
  private readonly tasks = new Map<string, TaskRecord>();
  readonly agents = new Map<string, AgentRuntime>();
  private readonly deadlines = new TaskDeadlines();
  private readonly inputs = new InputFiles();
  private dispatchPending = false;
  /** The whole queue is on hold (the tray's "Pause queue"): nothing new starts, running tasks finish. */
  private queueHeld = false;
  /** Damaged output transfers per task attempt, to bound refetching. */
  private readonly fetchFailures = new Map<string, number>();
  /** Outputs of running tasks sent as they were finished (task.assign's liveOutputs). */
  private readonly live = new LiveOutputsSeen();
  /** Tasks that were out on an agent when the controller stopped wait for it here (see addJob). */
  private readonly restartHold: RestartHold;
  /** The user's per-agent choices, applied whenever the agent (re)connects. */
  readonly agentOverrides = new Map<string, AgentOverrides>();
  private readonly options: SchedulerOptions;

  constructor(
    private readonly store: TaskStore,
    private readonly events: SchedulerEvents,
    private readonly outputs: OutputSink,
    options: Partial<SchedulerOptions> = {},
  ) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
    this.restartHold = new RestartHold(this.options.restartGraceMs, (taskIds, why) => this.releaseHeld(taskIds, why));
  }

  // ── jobs ──────────────────────────────────────────────────────────────

  /**
   * Adds a job, new or loaded from the store at start-up. A loaded task that was out on an
   * agent goes back to `queued` but is held back: its agent may still be running it or hold
   * its finished outputs, so it waits for that agent's hello (which resumes or collects it)
   * for up to `restartGraceMs` before anyone else may run it. That is what keeps a restart
   * from rendering a frame twice. Agents that worked on the job are awaited as well (see
   * RestartHold.awaited): one may be running a task whose assignment the store never heard of.
   */
  addJob(job: JobRecord, o: { isNew: boolean }): JobRuntime {
    const heldBack = new Set<string>();
    if (!o.isNew) {
      const unfinished = !job.canceled && !job.failure && job.tasks.some((t) => !isTerminalTaskState(t.state));
      for (const task of job.tasks) {
        if (unfinished && task.agentId) this.restartHold.awaitAgent(task.agentId);
        if (task.state === 'assigned' || task.state === 'running') {
          if (task.agentId && !job.canceled && !job.failure) {
            heldBack.add(task.id);
            this.restartHold.hold(task.id, task.agentId);
          }
          task.state = 'queued';
          task.agentId = null;
          task.progress = 0;
        }
      }
    }
    const runtime = new JobRuntime(job, this.tasks, heldBack);
    this.jobs.set(job.id, runtime);
    this.inputs.register(job);
    this.reorder();
    if (o.isNew) this.store.add(job, runtime.summary());
    this.events.jobChanged(runtime.summary());
    this.dispatchSoon();
    return runtime;
  }

  job(id: string): JobRuntime | undefined {
    return this.jobs.get(id);
  }

  task(id: string): TaskRecord | undefined {
    return this.tasks.get(id);
  }

  allJobs(): JobRuntime[] {
    return [...this.jobs.values()];
  }

  cancelJob(jobId: string, failure: string | null = null): void {
    const job = this.jobs.get(jobId);
    if (!job || isTerminalJobState(job.state)) return;
    if (failure) job.record.failure = failure;
    else job.record.canceled = true;
    job.jobFieldsChanged = true;
    for (const task of job.record.tasks) {
      if (task.state === 'assigned' || task.state === 'running') this.sendToAgent(task.agentId, { type: 'task.cancel', taskId: task.id, attempt: task.attempt });
      if (!isTerminalTaskState(task.state)) this.move(job, task, 'cancel');
    }
    this.jobTouched(job);
  }

  /** Pause: no new task of the job starts; running ones finish. */
  pauseJob(jobId: string): JobRuntime | undefined {
    const job = this.jobs.get(jobId);
    if (!job) return undefined;
    if (!isTerminalJobState(job.state) && !job.record.paused) {
      job.record.paused = true;
      job.jobFieldsChanged = true;
      this.jobTouched(job);
    }
    return job;
  }

  resumeJob(jobId: string): JobRuntime | undefined {
    const job = this.jobs.get(jobId);
    if (!job) return undefined;
    if (job.record.paused) {
      job.record.paused = false;
      job.jobFieldsChanged = true;
      this.jobTouched(job);
      this.dispatchSoon();
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
    this.events.notice('info', 'The queue is paused: no new task starts until it is resumed; running tasks finish.');
    return true;
  }

  /** Returns false when the queue was not held. */
  releaseQueue(): boolean {
    if (!this.queueHeld) return false;
    this.queueHeld = false;
    this.events.notice('info', 'The queue is resumed.');
    this.dispatchSoon();
    return true;
  }

  get queuePaused(): boolean {
    return this.queueHeld;
  }

  /** Takes effect at the next dispatch: the order of jobs is rebuilt now. */
  setPriority(jobId: string, priority: number): JobRuntime | undefined {
    const job = this.jobs.get(jobId);
    if (!job) return undefined;
    job.record.priority = priority;
    job.jobFieldsChanged = true;
    this.reorder();
    this.jobTouched(job);
    this.dispatchSoon();
    return job;
  }

  /**
   * Retry: every failed or canceled task goes back to the queue with fresh attempts, the job's
   * failure or cancellation is lifted, and agents it had blocked get another chance. Tasks
   * that wait for others stay waiting until those succeed. Returns how many were requeued.
   */
  retryJob(jobId: string): { job: JobRuntime; requeued: number } | undefined {
    const job = this.jobs.get(jobId);
    if (!job) return undefined;
    job.record.canceled = false;
    job.record.failure = null;
    job.record.endedAt = null;
    job.jobFieldsChanged = true;
    job.agentFailures.clear();
    job.unrunnableReason = null;
    let requeued = 0;
    for (const task of job.record.tasks) {
      if (task.state !== 'failed' && task.state !== 'canceled') continue;
      this.move(job, task, 'retry');
      task.failures = 0;
      task.error = null;
      task.progress = 0;
      task.agentId = null;
      task.endedAt = null;
      job.requeue(task);
      requeued++;
    }
    this.reorder();
    this.jobTouched(job);
    this.dispatchSoon();
    return { job, requeued };
  }

  /** Removes a job from the farm (canceling what still runs); its collected outputs stay on disk. */
  async deleteJob(jobId: string): Promise<boolean> {
    const job = this.jobs.get(jobId);
    if (!job) return false;
    if (!isTerminalJobState(job.state)) this.cancelJob(jobId);
    for (const task of job.record.tasks) {
      this.clearDeadline(task.id);
      this.restartHold.forget(task.id);
    }
    this.jobs.delete(jobId);
    job.forget();
    this.reorder();
    this.events.jobRemoved?.(jobId);
    await this.outputs.discardIntermediates(job.record).catch(() => undefined);
    await this.store.remove?.(jobId);
    return true;
  }

  // ── agents ────────────────────────────────────────────────────────────

  /** A disabled agent keeps its running tasks but gets no new ones. */
  setAgentEnabled(agentId: string, enabled: boolean): AgentRuntime | undefined {
    this.agentOverrides.set(agentId, { ...this.agentOverrides.get(agentId), enabled });
    const agent = this.agents.get(agentId);
    if (!agent) return undefined;
    agent.enabled = enabled;
    this.events.agentChanged(agentView(agent));
    this.dispatchSoon();
    return agent;
  }

  /**
   * Stop now: the agent gets no new tasks, and the ones it runs are stopped there and go back
   * to the queue like a lost node's: no failure is counted (nothing failed; the user chose to
   * stop them), and their next assignment is a new attempt, so a late result of the stopped
   * one is ignored. Outputs already being collected are left to arrive.
   */
  stopAgentNow(agentId: string): { agent: AgentRuntime; requeued: number } | undefined {
    const agent = this.setAgentEnabled(agentId, false);
    if (!agent) return undefined;
    const stopped = [...agent.running.values()];
    agent.running.clear();
    for (const task of stopped) {
      const job = this.jobs.get(task.jobId)!;
      agent.link.send({ type: 'task.cancel', taskId: task.id, attempt: task.attempt });
      this.clearDeadline(task.id);
      if (task.state !== 'assigned' && task.state !== 'running') continue;
      this.move(job, task, 'requeue');
      task.agentId = null;
      task.progress = 0;
      job.requeue(task);
      this.jobTouched(job);
    }
    if (stopped.length) this.events.notice('info', `Agent ${agent.name} stopped ${stopped.length} task(s) on request; they are back in the queue.`);
    this.events.agentChanged(agentView(agent));
    this.dispatchSoon();
    return { agent, requeued: stopped.length };
  }

  /** Tags set on the controller replace the ones the agent was started with. */
  setAgentTags(agentId: string, tags: string[]): AgentRuntime | undefined {
    this.agentOverrides.set(agentId, { ...this.agentOverrides.get(agentId), tags: [...tags] });
    const agent = this.agents.get(agentId);
    if (!agent) return undefined;
    agent.tags = [...tags];
    this.events.agentChanged(agentView(agent));
    this.dispatchSoon();
    return agent;
  }

  /** The agent's link was removed: forget it (call after its link has gone offline). */
  forgetAgent(agentId: string): boolean {
    const agent = this.agents.get(agentId);
    if (!agent) return false;
    if (agent.online) this.agentOffline(agent.link, 'removed from the farm');
    this.agents.delete(agentId);
    this.agentOverrides.delete(agentId);
    return true;
  }

  agentOnline(link: AgentLink, hello: MessageOf<'agent.hello'>): void {
    const existing = this.agents.get(hello.agentId);
    if (existing?.online && existing.link !== link) {
      void link.stop(); // the same agent reached twice (e.g. discovered and added by hand): keep the first link
      return;
    }
    const agent: AgentRuntime = {
      agentId: hello.agentId,
      name: hello.name,
      hostname: hello.hostname,
      url: link.url,
      link,
      online: true,
      enabled: this.agentOverrides.get(hello.agentId)?.enabled ?? existing?.enabled ?? true,
      slots: hello.slots,
      tags: this.agentOverrides.get(hello.agentId)?.tags ?? hello.tags,
      capabilities: hello.capabilities,
      running: new Map(),
      collecting: new Set(),
      lastSeen: Date.now(),
    };
    this.agents.set(agent.agentId, agent);
    this.reconcile(agent, hello);
    this.restartHold.agentBack(agent.agentId);
    this.events.agentChanged(agentView(agent));
    this.dispatchSoon();
  }

  /** The heartbeat or the connection says the agent is gone: its tasks go back to the queue, no attempt charged. */
  agentOffline(link: AgentLink, reason: string): void {
    const agent = link.agentId ? this.agents.get(link.agentId) : undefined;
    if (!agent || agent.link !== link || !agent.online) return;
    agent.online = false;
    agent.lastSeen = Date.now();
    // Tasks whose outputs were still being fetched are lost too: the agent keeps them held,
    // and if it returns before the task is reassigned, its hello gets them collected.
    const collecting = [...agent.collecting].map((id) => this.tasks.get(id)).filter((t): t is TaskRecord => t !== undefined);
    const lost = [...agent.running.values(), ...collecting];
    agent.running.clear();
    agent.collecting.clear();
    for (const task of lost) {
      const job = this.jobs.get(task.jobId)!;
      this.clearDeadline(task.id);
      if (task.state === 'assigned' || task.state === 'running') {
        this.move(job, task, 'requeue');
        task.agentId = null;
        task.progress = 0;
        job.requeue(task);
        this.jobTouched(job);
      }
    }
    this.events.notice('warn', `Agent ${agent.name} went offline (${reason})${lost.length ? `; ${lost.length} task(s) requeued` : ''}.`);
    this.events.agentChanged(agentView(agent));
    this.dispatchSoon();
  }

  agentMessage(link: AgentLink, message: Message): void {
    const agent = link.agentId ? this.agents.get(link.agentId) : undefined;
    if (!agent || agent.link !== link) return;
    switch (message.type) {
      case 'task.progress':
        return this.onProgress(agent, message);
      case 'task.log':
        if (this.isCurrent(agent, message.taskId, message.attempt, true)) this.events.taskLog(message.taskId, message.attempt, message.lines);
        return;
      case 'task.done':
        return this.onDone(agent, message);
      case 'task.failed':
        return this.onFailed(agent, message);
      case 'input.request':
        return void this.sendInput(agent, message.sha256);
      case 'output.missing':
        return this.onOutputMissing(agent, message);
      case 'error':
        return this.events.notice('warn', `Agent ${agent.name} reported: ${message.message}`);
      default:
        link.send({ type: 'error', code: 'unsupported', message: `a controller does not accept "${message.type}"` });
    }
  }

  /** Where an incoming output may be written, or why it is refused. */
  async openIncoming(link: AgentLink, begin: MessageOf<'file.begin'>): Promise<{ tempPath: string } | { refuse: string }> {
    const task = begin.task ? this.tasks.get(begin.task.taskId) : undefined;
    if (!task || !begin.task || task.attempt !== begin.task.attempt || task.agentId !== link.agentId) return { refuse: 'not an output of a current task' };
    if (this.isLive(link, task)) {
      if (task.spec.type !== 'blender') return { refuse: 'this task was not asked for live outputs' };
      this.live.arriving(task, begin.file.name);
    } else if (!task.outputs.some((o) => o.name === begin.file.name && o.sha256 === begin.file.sha256)) {
      return { refuse: 'not an announced output' };
    }
    try {
      return { tempPath: await this.outputs.tempPathFor(this.jobs.get(task.jobId)!.record, task, begin.file.name) };
    } catch (error) {
      return { refuse: (error as Error).message };
    }
  }

  /** A verified output arrived: rename it into place; when the task's last output is in, the task succeeds. */
  async agentFile(link: AgentLink, file: IncomingFile): Promise<void> {
    const task = file.begin.task ? this.tasks.get(file.begin.task.taskId) : undefined;
    const job = task ? this.jobs.get(task.jobId) : undefined;
    if (!task || !job || task.attempt !== file.begin.task!.attempt) return;
    const path = await this.outputs.commit(job.record, task, file.begin.file.name, file.tempPath);
    this.inputs.registerFile({ sha256: file.begin.file.sha256, size: file.begin.file.size, path });
    const name = file.begin.file.name;
    if (this.live.arrived(task, file.begin.file)) {
      if (task.agentId !== link.agentId) return;
      if (this.isLive(link, task)) {
        // Sent while the task runs: in place and shown now; the task's end counts it by hash.
        if (!task.collected.includes(name)) task.collected.push(name);
        this.events.taskChanged(task);
        return;
      }
      // The task ended while it was on its way: it counts if the end announced it with this hash.
      if (!task.outputs.some((o) => o.name === name && o.sha256 === file.begin.file.sha256)) return;
    }
    if (!task.collected.includes(name)) task.collected.push(name);
    if (task.collected.length === task.outputs.length && task.agentId === link.agentId) this.succeed(job, task, link);
  }

  /** The task runs on this link's agent and has not reported its end: an output now is a live one. */
  private isLive(link: AgentLink, task: TaskRecord): boolean {
    const agent = this.agents.get(link.agentId ?? '');
    return agent !== undefined && agent.link === link && agent.running.get(task.id) === task && (task.state === 'assigned' || task.state === 'running');
  }

  agentFileFailed(link: AgentLink, begin: MessageOf<'file.begin'>, reason: string): void {
    if (!begin.task) return;
    const task = this.tasks.get(begin.task.taskId);
    if (!task || task.attempt !== begin.task.attempt || task.agentId !== link.agentId || task.state === 'succeeded') return;
    // A live output that did not make it is fetched with the rest when the task ends.
    this.live.failed(task, begin.file.name);
    if (this.isLive(link, task)) return;
    const key = `${task.id}#${task.attempt}`;
    const failures = (this.fetchFailures.get(key) ?? 0) + 1;
    this.fetchFailures.set(key, failures);
    if (failures > MAX_OUTPUT_FETCHES) {
      // Bounded: a file that keeps arriving damaged means the task runs again elsewhere, not a fetch storm.
      this.fetchFailures.delete(key);
      this.agents.get(link.agentId ?? '')?.collecting.delete(task.id);
      this.failAttempt(this.jobs.get(task.jobId)!, task, link.agentId ?? '', `Output ${begin.file.name} arrived damaged ${failures} times (${reason}).`, false);
      return;
    }
    this.events.notice('warn', `Output ${begin.file.name} from ${link.url} failed its check (${reason}); fetching it again.`);
    link.send({ type: 'output.fetch', taskId: task.id, attempt: task.attempt });
  }

  // ── results ───────────────────────────────────────────────────────────

  private onProgress(agent: AgentRuntime, m: MessageOf<'task.progress'>): void {
    const task = this.tasks.get(m.taskId);
    if (!task || !this.isCurrent(agent, m.taskId, m.attempt)) return;
    const job = this.jobs.get(task.jobId)!;
    if (task.state === 'assigned') this.move(job, task, 'start');
    task.progress = m.fraction;
    this.events.taskChanged(task);
  }

  private onDone(agent: AgentRuntime, m: MessageOf<'task.done'>): void {
    const task = this.tasks.get(m.taskId);
    if (!task || !this.isCurrent(agent, m.taskId, m.attempt)) {
      // A stale attempt (its task was requeued and given to another agent): its outputs are not wanted.
      if (!task || task.attempt !== m.attempt || isTerminalTaskState(task.state)) agent.link.send({ type: 'output.ack', taskId: m.taskId, attempt: m.attempt });
      return;
    }
    this.freeSlot(agent, task);
    task.outputs = m.outputs;
    // Outputs that came in while the task ran (same name and hash) are collected; those still on
    // their way will be; only the rest are fetched.
    const { collected, coming } = this.live.settle(task, m.outputs);
    task.collected = collected;
    if (task.intermediate) for (const output of m.outputs) this.inputs.heldBy(output.sha256, agent.agentId);
    const job = this.jobs.get(task.jobId)!;
    if (task.collected.length === m.outputs.length) return this.succeed(job, task, agent.link);
    agent.collecting.add(task.id);
    task.agentId = agent.agentId;
    const missing = m.outputs.filter((o) => !collected.includes(o.name) && !coming.has(o.name)).map((o) => o.name);
    if (missing.length === 0) return;
    agent.link.send({ type: 'output.fetch', taskId: task.id, attempt: task.attempt, ...(missing.length < m.outputs.length ? { names: missing } : {}) });
  }

  private onFailed(agent: AgentRuntime, m: MessageOf<'task.failed'>): void {
    const task = this.tasks.get(m.taskId);
    if (!task || !this.isCurrent(agent, m.taskId, m.attempt)) return;
    this.freeSlot(agent, task);
    this.failAttempt(this.jobs.get(task.jobId)!, task, agent.agentId, m.error, m.unrecoverable);
  }

  private onOutputMissing(agent: AgentRuntime, m: MessageOf<'output.missing'>): void {
    const task = this.tasks.get(m.taskId);
    if (!task || task.attempt !== m.attempt || task.agentId !== agent.agentId || task.state === 'succeeded') return;
    agent.collecting.delete(task.id);
    this.failAttempt(this.jobs.get(task.jobId)!, task, agent.agentId, `The agent lost the task's outputs: ${m.reason}`, false);
  }

  private succeed(job: JobRuntime, task: TaskRecord, link: AgentLink): void {
    if (task.state === 'succeeded') return;
    const agent = this.agents.get(task.agentId ?? '');
    agent?.collecting.delete(task.id);
    this.move(job, task, 'succeed');
    task.progress = 1;
    task.endedAt = Date.now();
    task.error = null;
    for (const ready of job.released(task.id)) this.events.taskChanged(ready);
    this.jobTouched(job);
    this.dispatchSoon();
    // The agent drops its copy on the ack, so the ack waits until the success is on disk: a
    // crash before that finds the outputs still held and collects them again, never loses them.
    const ack = () => link.send({ type: 'output.ack', taskId: task.id, attempt: task.attempt });
    const saved = this.store.whenSaved?.(job.id, task);
    if (saved) void saved.then(ack, () => undefined);
    else ack();
  }

  /** One attempt failed: retry within the bound, block an agent that keeps failing, or fail the job at once when retrying cannot help. */
  private failAttempt(job: JobRuntime, task: TaskRecord, agentId: string, error: string, unrecoverable: boolean): void {
    this.clearDeadline(task.id);
    task.error = error;
    task.failures++;
    task.agentId = null;
    const agentFails = (job.agentFailures.get(agentId) ?? 0) + 1;
    job.agentFailures.set(agentId, agentFails);
    if (agentFails === this.options.agentFailureLimit) {
      const name = this.agents.get(agentId)?.name ?? agentId;
      this.events.notice('warn', `Agent ${name} failed job "${job.record.name}" ${agentFails} times and gets no more of its tasks.`);
    }
    if (unrecoverable) {
      this.move(job, task, 'fail');
      this.cancelJob(job.id, error);
      this.events.notice('error', `Job "${job.record.name}" failed: ${error}`);
      return;
    }
    const maxAttempts = Number(job.record.settings.maxAttempts ?? 3);
    if (task.failures >= maxAttempts) {
      this.move(job, task, 'fail');
      this.events.notice('error', `Task ${task.label} of "${job.record.name}" failed ${task.failures} times: ${error}`);
      // What needs it can never run (a join without its chunk): end those now, so the job ends.
      for (const dependent of job.dependentsOf(task.id)) {
        if (dependent.state !== 'queued') continue;
        dependent.error = `Not run: it needs task ${task.label}, which failed.`;
        this.move(job, dependent, 'cancel');
      }
    } else {
      this.move(job, task, 'requeue');
      job.requeue(task);
    }
    this.jobTouched(job);
    this.dispatchSoon();
  }

  // ── dispatch ──────────────────────────────────────────────────────────

  dispatchSoon(): void {
    if (this.dispatchPending) return;
    this.dispatchPending = true;
    setImmediate(() => {
      this.dispatchPending = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    if (this.queueHeld || this.restartHold.holdsQueue()) return;
    // A round fills many slots, often of one job: its summary is saved and announced once per round, not per task.
    const touched = new Set<JobRuntime>();
    for (const agent of this.agents.values()) {
      if (!agent.online || !agent.enabled) continue;
      while (agent.running.size < agent.slots) {
        const next = this.nextTaskFor(agent);
        if (!next) break;
        this.assign(next.job, next.task, agent);
        touched.add(next.job);
      }
    }
    for (const job of touched) this.jobTouched(job);
    this.explainWaitingJobs();
  }

  private nextTaskFor(agent: AgentRuntime): { job: JobRuntime; task: TaskRecord } | null {
    for (const job of this.order) {
      if (job.record.paused || job.record.canceled || job.record.failure || !agentMayRun(agent, job, this.options.agentFailureLimit)) continue;
      if (this.betterPlacedElsewhere(agent, job)) continue;
      const task = job.take();
      if (task) return { job, task };
    }
    return null;
  }

  /**
   * A task whose inputs are outputs of earlier tasks (a join, a frames-to-video) runs where
   * most of those bytes already are, if that agent is free to take it now.
   */
  private betterPlacedElsewhere(agent: AgentRuntime, job: JobRuntime): boolean {
    const task = job.peek();
    if (!task?.inputsFromDependencies) return false;
    const inputs = task.dependsOn.flatMap((id) => this.tasks.get(id)?.outputs ?? []);
    const best = this.inputs.bestHolder(inputs, (id) => {
      const a = this.agents.get(id);
      return a !== undefined && a.online && a.enabled && a.running.size < a.slots && agentMayRun(a, job, this.options.agentFailureLimit);
    });
    return best !== null && best !== agent.agentId;
  }

  /** Sends one task to an agent; the caller touches the job (once per dispatch round). */
  private assign(job: JobRuntime, task: TaskRecord, agent: AgentRuntime): void {
    this.move(job, task, 'assign');
    task.attempt++;
    task.agentId = agent.agentId;
    task.progress = 0;
    task.outputs = [];
    task.collected = [];
    task.startedAt = Date.now();
    agent.running.set(task.id, task);
    const timeoutMs = Number(job.record.settings.taskTimeoutMs ?? 3_600_000);
    const inputs = task.inputsFromDependencies ? [...task.inputs, ...task.dependsOn.flatMap((id) => this.tasks.get(id)?.outputs ?? [])] : task.inputs;
    const keepOutputs = task.intermediate === true;
    // A render's frames come in as they are saved: seen at once, and the task's end waits only for its last frame.
    const liveOutputs = task.spec.type === 'blender';
    agent.link.send({ type: 'task.assign', taskId: task.id, attempt: task.attempt, jobId: job.id, inputs, spec: task.spec, timeoutMs, ...(keepOutputs ? { keepOutputs } : {}), ...(liveOutputs ? { liveOutputs } : {}) });
    this.setDeadline(job, task, agent, timeoutMs + this.options.timeoutGraceMs);
  }

  /** Tells the user why queued work is not moving, once per reason; fails a job no agent may run any more. */
  private explainWaitingJobs(): void {
    for (const job of this.order) {
      if (job.record.paused || !job.hasQueued() || isTerminalJobState(job.state)) continue;
      const verdict = judgeWaitingJob(job, this.agents.values(), this.options.agentFailureLimit);
      if ('fail' in verdict) {
        this.cancelJob(job.id, verdict.fail);
        continue;
      }
      if (verdict.waiting !== job.unrunnableReason) {
        job.unrunnableReason = verdict.waiting;
        if (verdict.waiting) this.events.notice('warn', `Job "${job.record.name}" is waiting: ${verdict.waiting}`);
        this.events.jobChanged(job.summary());
      }
    }
  }

  // ── reconciliation after a (re)connection ──────────────────────────────

  /** The agent's hello lists what it runs and what it holds: keep, collect, cancel or release each. */
  private reconcile(agent: AgentRuntime, hello: MessageOf<'agent.hello'>): void {
    const lookup = (taskId: string) => {
      const task = this.tasks.get(taskId);
      const job = task && this.jobs.get(task.jobId);
      return task && job ? { task, jobActive: !job.record.canceled && !job.record.failure } : undefined;
    };
    for (const action of planReconcile(hello, lookup)) {
      switch (action.kind) {
        case 'cancel':
          agent.link.send({ type: 'task.cancel', taskId: action.taskId, attempt: action.attempt });
          break;
        case 'release':
          agent.link.send({ type: 'output.ack', taskId: action.taskId, attempt: action.attempt });
          break;
        case 'resume': {
          const { task } = action;
          const job = this.jobs.get(task.jobId)!;
          task.attempt = action.attempt;
          this.move(job, task, 'assign');
          this.move(job, task, 'start');
          task.agentId = agent.agentId;
          agent.running.set(task.id, task);
          this.setDeadline(job, task, agent, Number(job.record.settings.taskTimeoutMs ?? 3_600_000) + this.options.timeoutGraceMs);
          this.jobTouched(job);
          break;
        }
        case 'collect': {
          const { task } = action;
          const job = this.jobs.get(task.jobId)!;
          if (task.state === 'queued') this.move(job, task, 'assign');
          else if (task.agentId && task.agentId !== agent.agentId) this.agents.get(task.agentId)?.running.delete(task.id);
          task.attempt = action.attempt;
          if (task.state === 'assigned') this.move(job, task, 'start');
          this.clearDeadline(task.id);
          task.agentId = agent.agentId;
          task.outputs = action.outputs;
          task.collected = [];
          agent.collecting.add(task.id);
          this.jobTouched(job);
          if (action.outputs.length === 0) this.succeed(job, task, agent.link);
          else void this.collectHeld(job, task, agent);
          break;
        }
        default: {
          const never: never = action;
          throw new Error(`unknown reconcile action ${JSON.stringify(never)}`);
        }
      }
    }
  }

  /**
   * Outputs an agent still holds after a reconnection: any already in place with the same hash
   * (renamed in just before a controller crash) are not written again; the rest are fetched.
   */
  private async collectHeld(job: JobRuntime, task: TaskRecord, agent: AgentRuntime): Promise<void> {
    const attempt = task.attempt;
    const present = await Promise.all(task.outputs.map((o) => this.outputs.alreadyHas?.(job.record, task, o).catch(() => null) ?? null));
    if (task.attempt !== attempt || task.agentId !== agent.agentId || isTerminalTaskState(task.state)) return;
    if (present.every((path) => path !== null)) {
      task.outputs.forEach((o, i) => this.inputs.registerFile({ sha256: o.sha256, size: o.size, path: present[i]! }));
      task.collected = task.outputs.map((o) => o.name);
      return this.succeed(job, task, agent.link);
    }
    agent.link.send({ type: 'output.fetch', taskId: task.id, attempt: task.attempt });
  }

  // ── after a restart ────────────────────────────────────────────────────

  /** Held-back tasks their agent did not resume or hand in (or whose agent never came back) join the queue. */
  private releaseHeld(taskIds: string[], why: 'agent-back' | 'grace-over'): void {
    let released = 0;
    for (const taskId of taskIds) {
      const task = this.tasks.get(taskId);
      const job = task && this.jobs.get(task.jobId);
      if (!task || !job || task.state !== 'queued') continue;
      job.requeue(task);
      released++;
    }
    if (why === 'grace-over' && released > 0) this.events.notice('info', `${released} task(s) whose agents did not come back within ${Math.round(this.options.restartGraceMs / 1000)} s were put back in the queue.`);
    // Also when nothing was held by task: the last awaited agent's return (or the grace's end) lets the queue move.
    this.dispatchSoon();
  }

  // ── helpers ───────────────────────────────────────────────────────────

  private isCurrent(agent: AgentRuntime, taskId: string, attempt: number, allowDone = false): boolean {
    const task = this.tasks.get(taskId);
    if (!task || task.attempt !== attempt || task.agentId !== agent.agentId) return false;
    return task.state === 'assigned' || task.state === 'running' || (allowDone && task.state === 'succeeded');
  }

  private move(job: JobRuntime, task: TaskRecord, transition: TaskTransition): void {
    const from = task.state;
    task.state = nextTaskState(from, transition);
    job.moved(from, task.state);
    job.changedTasks.add(task);
    if (isTerminalTaskState(task.state)) {
      this.clearDeadline(task.id);
      task.endedAt ??= Date.now();
      if (task.agentId) this.agents.get(task.agentId)?.running.delete(task.id);
    }
    this.events.taskChanged(task);
  }

  private freeSlot(agent: AgentRuntime, task: TaskRecord): void {
    agent.running.delete(task.id);
    this.clearDeadline(task.id);
    this.dispatchSoon();
  }

  private jobTouched(job: JobRuntime): void {
    const summary = job.summary();
    if (isTerminalJobState(summary.state) && job.record.endedAt === null) {
      job.record.endedAt = Date.now();
      // Intermediates are kept after a failure (for a retry); otherwise they go.
      if (summary.state !== 'failed') void this.outputs.discardIntermediates(job.record).catch(() => undefined);
    }
    // Only the pages of tasks that changed are rewritten, unless a job-level field changed.
    if (job.jobFieldsChanged || job.changedTasks.size === 0) this.store.update(job.id, summary);
    else for (const task of job.changedTasks) this.store.update(job.id, summary, task);
    job.changedTasks.clear();
    job.jobFieldsChanged = false;
    this.events.jobChanged(summary);
  }

  private setDeadline(job: JobRuntime, task: TaskRecord, agent: AgentRuntime, ms: number): void {
    const attempt = task.attempt;
    this.deadlines.set(task.id, ms, () => {
      if (task.attempt !== attempt || task.agentId !== agent.agentId || isTerminalTaskState(task.state) || task.state === 'queued') return;
      agent.link.send({ type: 'task.cancel', taskId: task.id, attempt });
      this.freeSlot(agent, task);
      this.failAttempt(job, task, agent.agentId, `Agent ${agent.name} did not finish the task within its wall-clock limit.`, false);
    });
  }

  private clearDeadline(taskId: string): void {
    this.deadlines.clear(taskId);
  }

  private sendToAgent(agentId: string | null, message: Message): void {
    if (agentId) this.agents.get(agentId)?.link.send(message);
  }

  private async sendInput(agent: AgentRuntime, sha256: string): Promise<void> {
    const problem = await this.inputs.send(agent.link, sha256);
    if (problem) this.events.notice('warn', `Agent ${agent.name} could not get an input: ${problem}`);
    else this.inputs.heldBy(sha256, agent.agentId);
  }

  private reorder(): void {
    this.order = [...this.jobs.values()]
      .filter((j) => !isTerminalJobState(j.state))
      .sort((a, b) => b.record.priority - a.record.priority || a.record.createdAt - b.record.createdAt);
  }

  /** Called when a job's priority changes or jobs end, so dispatch order stays right. */
  refreshOrder(): void {
    this.reorder();
    this.dispatchSoon();
  }
}
