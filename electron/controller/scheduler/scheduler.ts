import { type FileRef, type LocalHandoff, type Message, type MessageOf } from '../../../node-agent/protocol/index.js';
import { LogLimiter } from '../../../node-agent/channel/index.js';
import { agentView, type AgentRuntime } from '../agents/agent-runtime.js';
import type { AgentLink, AgentLinkListener } from '../agents/agent-link.js';
import type { JobRecord, TaskRecord } from '../model/job-model.js';
import { AgentControls } from './agent-controls.js';
import { DiskFullPauses } from './disk-full-pauses.js';
import { agentMayRun, agentMayRunTask, judgeWaitingJob } from './dispatch-policy.js';
import { planStaging } from './input-staging.js';
import { InputFiles } from './input-files.js';
import { JobControls } from './job-controls.js';
import { JobRuntime } from './job-runtime.js';
import { planReconcile } from './reconcile-plan.js';
import { LiveOutputsSeen } from './live-outputs-seen.js';
import { LocalAgentFiles } from './local-agent-files.js';
import { OutputIntake } from './output-intake.js';
import { judgeReportedOutputs } from './output-claims.js';
import { RestartHold } from './restart-hold.js';
import { isTerminalJobState, isTerminalTaskState } from './task-state.js';
import { isCurrentAttempt, requeueLoaded } from './task-verbs.js';
import type { OutputSink, SchedulerEvents, TaskStore } from './scheduler-ports.js';
import { SchedulerState, type AgentOverrides } from './scheduler-state.js';

export type { AgentOverrides } from './scheduler-state.js';

/**
 * The scheduler owns every job and task state change. It is push-based: it dispatches on
 * events (a job submitted, an agent joined, a slot freed) and keeps runnable work in
 * per-job queues, so handing out a task never scans the task list.
 *
 * Exactly once: every assignment is `(taskId, attempt)`; results for any other attempt are
 * dropped (task-verbs.ts holds those rules: the verbs that change a task and the one
 * isCurrentAttempt guard). A finished task's outputs are fetched from the agent, verified,
 * renamed into place, and only then acknowledged (the agent holds them until then).
 *
 * This file is the task lifecycle across agents; it is what the agents' links call
 * (AgentLinkListener). Around it, each with one home and exposed as a field: what the user
 * does to jobs and agents (cancel, pause, retry, stop an agent…) is `jobControls` and
 * `agentControls`, output files arriving are checked and put in place by `intake`
 * (output-intake.ts), and all of them change the state in scheduler-state.ts through the
 * same steps.
 */

export interface SchedulerOptions {
  /** A node that fails the same job this many times gets no more of its tasks. */
  agentFailureLimit: number;
  /** Extra time the controller allows past a task's own limit before it gives up on the agent. */
  timeoutGraceMs: number;
  /** After a restart, how long tasks that were out on agents wait for their agent to reconnect before they run elsewhere. */
  restartGraceMs: number;
  /** The agent in this process, whose files pass on disk (local-agent-files.ts); null without one. */
  localAgent: LocalHandoff | null;
}

const DEFAULT_OPTIONS: SchedulerOptions = { agentFailureLimit: 3, timeoutGraceMs: 30_000, restartGraceMs: 15_000, localAgent: null };

export class Scheduler implements AgentLinkListener {
  private readonly state: SchedulerState;
  /** What the user does to jobs and the queue (cancel, pause, retry…): job-controls.ts. */
  readonly jobControls: JobControls;
  /** What the user does to agents (enable, stop now, retag, forget): agent-controls.ts. */
  readonly agentControls: AgentControls;
  /** Where the agents' output files arrive, over their links or from the local agent's hold: output-intake.ts. */
  readonly intake: OutputIntake;
  private readonly inputs = new InputFiles();
  private dispatchPending = false;
  /** Outputs of running tasks sent as they were finished (task.assign's liveOutputs). */
  private readonly live = new LiveOutputsSeen();
  /** Errors agents report, a few per agent and window: a broken or hostile agent cannot flood the notices. */
  private readonly agentReports = new LogLimiter((line) => this.events.notice('warn', line));
  /** Tasks that were out on an agent when the controller stopped wait for it here (see addJob). */
  private readonly restartHold: RestartHold;
  private readonly local: LocalAgentFiles;
  /** Jobs held while a disk is full, and the watch that resumes them (disk-full-pauses.ts). */
  private readonly diskPauses: DiskFullPauses;
  private readonly options: SchedulerOptions;

  constructor(
    private readonly store: TaskStore,
    private readonly events: SchedulerEvents,
    private readonly outputs: OutputSink,
    options: Partial<SchedulerOptions> = {},
  ) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
    this.state = new SchedulerState(store, events, outputs);
    this.restartHold = new RestartHold(this.options.restartGraceMs, (taskIds, why) => this.releaseHeld(taskIds, why));
    const dispatchSoon = () => this.dispatchSoon();
    this.diskPauses = new DiskFullPauses({ state: this.state, events, dispatchSoon, ...(store.flush ? { saveAll: () => store.flush!() } : {}) });
    this.jobControls = new JobControls({ state: this.state, events, store, outputs, dispatchSoon, forgetHeld: (taskId) => this.restartHold.forget(taskId) });
    this.agentControls = new AgentControls({ state: this.state, events, dispatchSoon, agentOffline: (link, reason) => this.agentOffline(link, reason) });
    this.intake = new OutputIntake({
      state: this.state, events, outputs, inputs: this.inputs, live: this.live,
      succeed: (job, task, link) => this.succeed(job, task, link),
      failAttempt: (job, task, agentId, error, unrecoverable) => this.failAttempt(job, task, agentId, error, unrecoverable),
      outputDiskFull: (job, o) => this.diskPauses.outputDiskFull(job, o),
      distrust: (job, task, link, error) => this.distrust(job, task, link, error),
    });
    this.local = new LocalAgentFiles(this.options.localAgent, { intake: this.intake });
  }

  /** Every agent the scheduler has met, online or not. */
  get agents(): Map<string, AgentRuntime> {
    return this.state.agents;
  }

  /** The user's per-agent choices, applied whenever the agent (re)connects. */
  get agentOverrides(): Map<string, AgentOverrides> {
    return this.state.agentOverrides;
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
          requeueLoaded(task);
        }
      }
    }
    const runtime = new JobRuntime(job, this.state.tasks, heldBack);
    this.state.jobs.set(job.id, runtime);
    this.inputs.register(job);
    this.state.reorder();
    if (o.isNew) this.store.add(job, runtime.summary());
    this.events.jobChanged(runtime.summary());
    this.dispatchSoon();
    return runtime;
  }

  job(id: string): JobRuntime | undefined {
    return this.state.jobs.get(id);
  }

  task(id: string): TaskRecord | undefined {
    return this.state.tasks.get(id);
  }

  allJobs(): JobRuntime[] {
    return [...this.state.jobs.values()];
  }

  // ── agents ────────────────────────────────────────────────────────────

  agentOnline(link: AgentLink, hello: MessageOf<'agent.hello'>): void {
    const existing = this.state.agents.get(hello.agentId);
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
      enabled: this.state.agentOverrides.get(hello.agentId)?.enabled ?? existing?.enabled ?? true,
      slots: hello.slots,
      tags: this.state.agentOverrides.get(hello.agentId)?.tags ?? hello.tags,
      capabilities: hello.capabilities,
      running: new Map(),
      collecting: new Set(),
      lastSeen: Date.now(),
    };
    this.state.agents.set(agent.agentId, agent);
    this.reconcile(agent, hello);
    this.restartHold.agentBack(agent.agentId);
    this.events.agentChanged(agentView(agent));
    this.dispatchSoon();
  }

  /** The heartbeat or the connection says the agent is gone: its tasks go back to the queue, no attempt charged. */
  agentOffline(link: AgentLink, reason: string): void {
    const agent = link.agentId ? this.state.agents.get(link.agentId) : undefined;
    if (!agent || agent.link !== link || !agent.online) return;
    agent.online = false;
    agent.lastSeen = Date.now();
    // Tasks whose outputs were still being fetched are lost too: the agent keeps them held,
    // and if it returns before the task is reassigned, its hello gets them collected.
    const collecting = [...agent.collecting].map((id) => this.state.tasks.get(id)).filter((t): t is TaskRecord => t !== undefined);
    const lost = [...agent.running.values(), ...collecting];
    agent.running.clear();
    agent.collecting.clear();
    for (const task of lost) {
      const job = this.state.jobs.get(task.jobId)!;
      this.state.deadlines.clear(task.id);
      if (task.state === 'assigned' || task.state === 'running') {
        this.state.verbs.requeue(job, task);
        this.state.jobTouched(job);
      }
    }
    this.events.notice('warn', `Agent ${agent.name} went offline (${reason})${lost.length ? `; ${lost.length} task(s) requeued` : ''}.`);
    this.events.agentChanged(agentView(agent));
    this.dispatchSoon();
  }

  agentMessage(link: AgentLink, message: Message): void {
    const agent = link.agentId ? this.state.agents.get(link.agentId) : undefined;
    if (!agent || agent.link !== link) return;
    switch (message.type) {
      case 'task.progress':
        return this.onProgress(agent, message);
      case 'task.log':
        if (isCurrentAttempt(this.state.tasks.get(message.taskId), agent.agentId, message.attempt, { states: 'active-or-succeeded' })) this.events.taskLog(message.taskId, message.attempt, message.lines);
        return;
      case 'task.done':
        return this.onDone(agent, message);
      case 'task.failed':
        return this.onFailed(agent, message);
      case 'input.request':
        return void this.sendInput(agent, message.sha256);
      case 'output.missing':
        return this.onOutputMissing(agent, message);
      case 'agent.capabilities':
        // The tool check still running at the hello is done: what it confirmed can be given now.
        agent.capabilities = message.capabilities;
        this.events.agentChanged(agentView(agent));
        return this.dispatchSoon();
      case 'error':
        return this.agentReports.note(agent.agentId, `Agent ${agent.name} reported: ${message.message}`);
      default:
        link.send({ type: 'error', code: 'unsupported', message: `a controller does not accept "${message.type}"` });
    }
  }

  // ── full disks (disk-full-pauses.ts) ──────────────────────────────────

  /** The job store could not write for lack of room on the data disk `path`: every unfinished job waits for room. */
  dataDiskFull(path: string): void { this.diskPauses.dataDiskFull(path); }
  /** Stops the scheduler's own timers (the controller is closing). */
  stop(): void { this.diskPauses.stop(); }

  // ── results ───────────────────────────────────────────────────────────

  private onProgress(agent: AgentRuntime, m: MessageOf<'task.progress'>): void {
    const task = this.state.tasks.get(m.taskId);
    if (!isCurrentAttempt(task, agent.agentId, m.attempt)) return;
    this.state.verbs.progress(this.state.jobs.get(task.jobId)!, task, m.fraction);
  }

  private onDone(agent: AgentRuntime, m: MessageOf<'task.done'>): void {
    const task = this.state.tasks.get(m.taskId);
    if (!isCurrentAttempt(task, agent.agentId, m.attempt)) {
      // A stale attempt (its task was requeued and given to another agent): its outputs are not wanted.
      if (!isCurrentAttempt(task, agent.agentId, m.attempt, { anyAgent: true, states: 'unfinished' })) agent.link.send({ type: 'output.ack', taskId: m.taskId, attempt: m.attempt });
      return;
    }
    this.freeSlot(agent, task);
    const lie = judgeReportedOutputs(agent.name, task, m.outputs);
    if (lie) return this.distrust(this.state.jobs.get(task.jobId)!, task, agent.link, lie);
    task.outputs = m.outputs;
    // Outputs that came in while the task ran (same name and hash) are collected; those still on
    // their way will be; only the rest are fetched.
    const { collected, coming } = this.live.settle(task, m.outputs);
    task.collected = collected;
    if (task.intermediate) for (const output of m.outputs) this.inputs.heldBy(output.sha256, agent.agentId);
    const job = this.state.jobs.get(task.jobId)!;
    if (task.collected.length === m.outputs.length) return this.succeed(job, task, agent.link);
    agent.collecting.add(task.id);
    task.agentId = agent.agentId;
    const missing = m.outputs.filter((o) => !collected.includes(o.name) && !coming.has(o.name)).map((o) => o.name);
    if (missing.length === 0) return;
    if (this.local.isLocal(agent.agentId)) return void this.collectLocally(agent, task, m.outputs.filter((o) => missing.includes(o.name)));
    this.fetchOutputs(agent, task, missing, m.outputs.length);
  }

  private fetchOutputs(agent: AgentRuntime, task: TaskRecord, missing: string[], total: number): void {
    agent.link.send({ type: 'output.fetch', taskId: task.id, attempt: task.attempt, ...(missing.length < total ? { names: missing } : {}) });
  }

  /** The local agent's outputs are taken from its hold on disk; what cannot be is fetched over the socket. */
  private async collectLocally(agent: AgentRuntime, task: TaskRecord, outputs: FileRef[]): Promise<void> {
    const attempt = task.attempt;
    const left = await this.local.collect(agent.link, task, outputs).catch(() => outputs.map((o) => o.name));
    if (left.length > 0 && isCurrentAttempt(task, agent.agentId, attempt, { states: 'unfinished' }) && agent.link === this.state.agents.get(agent.agentId)?.link && agent.online) this.fetchOutputs(agent, task, left, task.outputs.length);
  }

  private onFailed(agent: AgentRuntime, m: MessageOf<'task.failed'>): void {
    const task = this.state.tasks.get(m.taskId);
    if (!isCurrentAttempt(task, agent.agentId, m.attempt)) return;
    this.freeSlot(agent, task);
    this.failAttempt(this.state.jobs.get(task.jobId)!, task, agent.agentId, m.error, m.unrecoverable);
  }

  private onOutputMissing(agent: AgentRuntime, m: MessageOf<'output.missing'>): void {
    const task = this.state.tasks.get(m.taskId);
    if (!isCurrentAttempt(task, agent.agentId, m.attempt, { states: 'unfinished' })) return;
    agent.collecting.delete(task.id);
    this.failAttempt(this.state.jobs.get(task.jobId)!, task, agent.agentId, `The agent lost the task's outputs: ${m.reason}`, false);
  }

  private succeed(job: JobRuntime, task: TaskRecord, link: AgentLink): void {
    if (task.state === 'succeeded') return;
    this.state.verbs.succeed(job, task);
    for (const ready of job.released(task.id)) this.events.taskChanged(ready);
    this.stageInputs(job, task);
    this.state.jobTouched(job);
    this.dispatchSoon();
    // The agent drops its copy on the ack, so the ack waits until the success is on disk: a
    // crash before that finds the outputs still held and collects them again, never loses them.
    const ack = () => link.send({ type: 'output.ack', taskId: task.id, attempt: task.attempt });
    const saved = this.store.whenSaved?.(job.id, task);
    // A save that failed (a full data disk) is retried by the store: the ack waits for the write that succeeds.
    const ackWhenSaved = (saving: Promise<void>, tries: number): void => void saving.then(ack, () => {
      if (tries > 0 && task.state === 'succeeded' && this.state.jobs.get(job.id) === job) ackWhenSaved(this.store.whenSaved!(job.id, task), tries - 1);
    });
    if (saved) ackWhenSaved(saved, 100);
    else ack();
  }

  /**
   * Dependents down to one running dependency get their inputs sent ahead to its agent
   * (input-staging.ts): checked when `task` succeeds (another one is still running) and when it
   * is assigned (it is the last one).
   */
  private stageInputs(job: JobRuntime, task: TaskRecord): void {
    const waiting = job.oneDependencyLeft(task.id).filter((dependent) => !this.localAgentTakes(job, dependent));
    if (waiting.length === 0) return;
    for (const plan of planStaging(waiting, (id) => this.state.tasks.get(id), (sha256, agentId) => this.inputs.holds(sha256, agentId))) {
      const agent = this.state.agents.get(plan.agentId);
      if (agent?.online) agent.link.send({ type: 'input.prefetch', inputs: plan.inputs });
    }
  }

  /**
   * What an agent claimed of a task's outputs is false (output-claims.ts): its attempt is stopped
   * and its copy released on the agent, and the attempt fails like any other, so the task runs
   * again within its bound and an agent that keeps lying gets no more of the job. A warning names
   * the agent and the files.
   */
  private distrust(job: JobRuntime, task: TaskRecord, link: AgentLink, error: string): void {
    if (task.state !== 'assigned' && task.state !== 'running') return;
    const agent = this.state.agents.get(link.agentId ?? '');
    if (agent) {
      agent.running.delete(task.id);
      agent.collecting.delete(task.id);
    }
    link.send({ type: 'task.cancel', taskId: task.id, attempt: task.attempt });
    link.send({ type: 'output.ack', taskId: task.id, attempt: task.attempt });
    this.events.notice('warn', error);
    this.failAttempt(job, task, link.agentId ?? '', error, false);
  }

  /** One attempt failed: retry within the bound, block an agent that keeps failing, or fail the job at once when retrying cannot help. */
  private failAttempt(job: JobRuntime, task: TaskRecord, agentId: string, error: string, unrecoverable: boolean): void {
    const agentFails = (job.agentFailures.get(agentId) ?? 0) + 1;
    job.agentFailures.set(agentId, agentFails);
    if (agentFails === this.options.agentFailureLimit) {
      const name = this.state.agents.get(agentId)?.name ?? agentId;
      this.events.notice('warn', `Agent ${name} failed job "${job.record.name}" ${agentFails} times and gets no more of its tasks.`);
    }
    const maxAttempts = Number(job.record.settings.maxAttempts ?? 3);
    this.state.verbs.failAttempt(job, task, error, !unrecoverable && task.failures + 1 < maxAttempts);
    if (unrecoverable) {
      this.jobControls.cancelJob(job.id, error);
      this.events.notice('error', `Job "${job.record.name}" failed: ${error}`);
      return;
    }
    if (task.state === 'failed') {
      this.events.notice('error', `Task ${task.label} of "${job.record.name}" failed ${task.failures} times: ${error}`);
      // What needs it can never run (a join without its chunk): end those now, so the job ends.
      for (const dependent of job.dependentsOf(task.id)) {
        if (dependent.state === 'queued') this.state.verbs.cancel(job, dependent, `Not run: it needs task ${task.label}, which failed.`);
      }
    }
    this.state.jobTouched(job);
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
    if (this.jobControls.queuePaused || this.restartHold.holdsQueue()) return;
    // A round fills many slots, often of one job: its summary is saved and announced once per round, not per task.
    const touched = new Set<JobRuntime>();
    for (const agent of this.state.agents.values()) {
      if (!agent.online || !agent.enabled) continue;
      while (agent.running.size < agent.slots) {
        const next = this.nextTaskFor(agent);
        if (!next) break;
        this.assign(next.job, next.task, agent);
        touched.add(next.job);
      }
    }
    for (const job of touched) this.state.jobTouched(job);
    this.explainWaitingJobs();
  }

  private nextTaskFor(agent: AgentRuntime): { job: JobRuntime; task: TaskRecord } | null {
    for (const job of this.state.order) {
      if (job.record.paused || job.pauseReason !== null || job.record.canceled || job.record.failure || !agentMayRun(agent, job, this.options.agentFailureLimit)) continue;
      if (this.betterPlacedElsewhere(agent, job)) continue;
      const task = job.take();
      if (task) return { job, task };
    }
    return null;
  }

  /**
   * A task whose inputs are outputs of earlier tasks (a join, a frames-to-video) runs where
   * most of those bytes already are, if that agent is free to take it now. The local agent has
   * them all: they are the controller's own collected files (local-agent-files.ts).
   */
  private betterPlacedElsewhere(agent: AgentRuntime, job: JobRuntime): boolean {
    const task = job.peek();
    if (!task?.inputsFromDependencies) return false;
    const free = (id: string) => {
      const a = this.state.agents.get(id);
      return a !== undefined && a.online && a.enabled && a.running.size < a.slots && agentMayRun(a, job, this.options.agentFailureLimit);
    };
    const local = this.local.agentId;
    if (local !== null && free(local)) return agent.agentId !== local;
    const inputs = task.dependsOn.flatMap((id) => this.state.tasks.get(id)?.outputs ?? []);
    const best = this.inputs.bestHolder(inputs, free);
    return best !== null && best !== agent.agentId;
  }

  /** The local agent is online and may run this task: it then needs nothing staged. */
  private localAgentTakes(job: JobRuntime, task: TaskRecord): boolean {
    const local = this.local.agentId;
    const a = local === null ? undefined : this.state.agents.get(local);
    return a !== undefined && a.online && a.enabled && agentMayRunTask(a, job, task, this.options.agentFailureLimit);
  }

  /** Sends one task to an agent; the caller touches the job (once per dispatch round). */
  private assign(job: JobRuntime, task: TaskRecord, agent: AgentRuntime): void {
    this.state.verbs.assign(job, task, agent.agentId);
    agent.running.set(task.id, task);
    const timeoutMs = Number(job.record.settings.taskTimeoutMs ?? 3_600_000);
    const inputs = task.inputsFromDependencies ? [...task.inputs, ...task.dependsOn.flatMap((id) => this.state.tasks.get(id)?.outputs ?? [])] : task.inputs;
    const keepOutputs = task.intermediate === true;
    // A render's frames come in as they are saved: seen at once, and the task's end waits only for its last frame.
    const liveOutputs = task.spec.type === 'blender';
    agent.link.send({ type: 'task.assign', taskId: task.id, attempt: task.attempt, jobId: job.id, inputs, spec: task.spec, timeoutMs, ...(keepOutputs ? { keepOutputs } : {}), ...(liveOutputs ? { liveOutputs } : {}) });
    this.setDeadline(job, task, agent, timeoutMs + this.options.timeoutGraceMs);
    this.stageInputs(job, task);
  }

  /** Tells the user why queued work is not moving, once per reason; fails a job no agent may run any more. */
  private explainWaitingJobs(): void {
    for (const job of this.state.order) {
      if (job.record.paused || job.pauseReason !== null || !job.hasQueued() || isTerminalJobState(job.state)) continue;
      const verdict = judgeWaitingJob(job, this.state.agents.values(), this.options.agentFailureLimit);
      if ('fail' in verdict) {
        this.jobControls.cancelJob(job.id, verdict.fail);
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
      const task = this.state.tasks.get(taskId);
      const job = task && this.state.jobs.get(task.jobId);
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
          const job = this.state.jobs.get(task.jobId)!;
          this.state.verbs.adopt(job, task, agent.agentId, action.attempt);
          agent.running.set(task.id, task);
          this.setDeadline(job, task, agent, Number(job.record.settings.taskTimeoutMs ?? 3_600_000) + this.options.timeoutGraceMs);
          this.state.jobTouched(job);
          break;
        }
        case 'collect': {
          const { task } = action;
          const job = this.state.jobs.get(task.jobId)!;
          this.state.verbs.adopt(job, task, agent.agentId, action.attempt);
          this.state.deadlines.clear(task.id);
          const lie = judgeReportedOutputs(agent.name, task, action.outputs);
          if (lie) {
            this.distrust(job, task, agent.link, lie);
            break;
          }
          task.outputs = action.outputs;
          task.collected = [];
          agent.collecting.add(task.id);
          this.state.jobTouched(job);
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
    if (!isCurrentAttempt(task, agent.agentId, attempt, { states: 'unfinished' })) return;
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
      const task = this.state.tasks.get(taskId);
      const job = task && this.state.jobs.get(task.jobId);
      if (!task || !job || task.state !== 'queued') continue;
      job.requeue(task);
      released++;
    }
    if (why === 'grace-over' && released > 0) this.events.notice('info', `${released} task(s) whose agents did not come back within ${Math.round(this.options.restartGraceMs / 1000)} s were put back in the queue.`);
    // Also when nothing was held by task: the last awaited agent's return (or the grace's end) lets the queue move.
    this.dispatchSoon();
  }

  // ── helpers ───────────────────────────────────────────────────────────

  private freeSlot(agent: AgentRuntime, task: TaskRecord): void {
    agent.running.delete(task.id);
    this.state.deadlines.clear(task.id);
    this.dispatchSoon();
  }

  private setDeadline(job: JobRuntime, task: TaskRecord, agent: AgentRuntime, ms: number): void {
    const attempt = task.attempt;
    this.state.deadlines.set(task.id, ms, () => {
      if (!isCurrentAttempt(task, agent.agentId, attempt)) return;
      agent.link.send({ type: 'task.cancel', taskId: task.id, attempt });
      this.freeSlot(agent, task);
      this.failAttempt(job, task, agent.agentId, `Agent ${agent.name} did not finish the task within its wall-clock limit.`, false);
    });
  }

  private async sendInput(agent: AgentRuntime, sha256: string): Promise<void> {
    const problem = await this.inputs.send(agent.link, sha256, this.local.isLocal(agent.agentId) ? this.local.deliverInput : undefined);
    if (problem) this.events.notice('warn', `Agent ${agent.name} could not get an input: ${problem}`);
    else this.inputs.heldBy(sha256, agent.agentId);
  }

  /** Called when a job's priority changes or jobs end, so dispatch order stays right. */
  refreshOrder(): void {
    this.state.reorder();
    this.dispatchSoon();
  }
}
