import type { LocalHandoff, Message, MessageOf } from '../../../node-agent/protocol/index.js';
import { LogLimiter } from '../../../node-agent/channel/index.js';
import { withAutomaticTags } from '../../../node-agent/protocol/automatic-tags.js';
import { agentView, type AgentRuntime } from '../agents/agent-runtime.js';
import type { AgentLink, AgentLinkListener } from '../agents/agent-link.js';
import type { JobRecord, TaskRecord } from '../model/job-model.js';
import type { PlanningMemory } from '../jobs/chunk-plan/planning-memory.js';
import { AgentControls } from './agent-controls.js';
import { ChunkReplanner } from './chunk-replanner.js';
import { withBusySlotEvents } from './busy-slot-events.js';
import { DiskFullPauses } from './disk-full-pauses.js';
import { FailFast } from './fail-fast.js';
import { Dispatcher } from './dispatcher.js';
import { InputFiles } from './input-files.js';
import { JobControls } from './job-controls.js';
import { JobRuntime } from './job-runtime.js';
import { JobWorkspacesSent } from './job-workspaces-sent.js';
import { LiveOutputsSeen } from './live-outputs-seen.js';
import { LocalAgentFiles } from './local-agent-files.js';
import { OutputIntake } from './output-intake.js';
import { ReconnectReconcile } from './reconnect-reconcile.js';
import { RestartHold } from './restart-hold.js';
import { TaskResults } from './task-results.js';
import { isTerminalTaskState } from './task-state.js';
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
 * This file is what the agents' links call (AgentLinkListener): agents coming and going and
 * what they report, routed to the parts that each have one home. Handing out work is
 * dispatcher.ts; how an attempt ends (progress, done, failed, the retry bound) is
 * task-results.ts; what a reconnecting agent still runs or holds is reconnect-reconcile.ts.
 * Exposed as fields: output files arriving are checked and put in place by `intake`
 * (output-intake.ts), and what the user does to jobs and agents (cancel, pause, retry, stop
 * an agent…) is `jobControls` and `agentControls`. All of them change the state in
 * scheduler-state.ts through the same verbs.
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
  /** What the chunk planner remembers between runs (start-ups, scenes' frame times); null: this run only. */
  planningMemory: PlanningMemory | null;
}

const DEFAULT_OPTIONS: SchedulerOptions = { agentFailureLimit: 3, timeoutGraceMs: 30_000, restartGraceMs: 15_000, localAgent: null, planningMemory: null };

export class Scheduler implements AgentLinkListener {
  private readonly state: SchedulerState;
  /** What the user does to jobs and the queue (cancel, pause, retry…): job-controls.ts. */
  readonly jobControls: JobControls;
  /** What the user does to agents (enable, stop now, retag, forget): agent-controls.ts. */
  readonly agentControls: AgentControls;
  /** Where the agents' output files arrive, over their links or from the local agent's hold: output-intake.ts. */
  readonly intake: OutputIntake;
  private readonly inputs = new InputFiles();
  private readonly dispatcher: Dispatcher;
  private readonly results: TaskResults;
  private readonly reconnect: ReconnectReconcile;
  /** Outputs of running tasks sent as they were finished (task.assign's liveOutputs). */
  private readonly live = new LiveOutputsSeen();
  /** Errors agents report, a few per agent and window: a broken or hostile agent cannot flood the notices. */
  private readonly agentReports = new LogLimiter((line) => this.events.notice('warn', line));
  /** Tasks that were out on an agent when the controller stopped wait for it here (see addJob). */
  private readonly restartHold: RestartHold;
  private readonly local: LocalAgentFiles;
  /** Jobs held while a disk is full, and the watch that resumes them (disk-full-pauses.ts). */
  private readonly diskPauses: DiskFullPauses;
  /** Which connections hold which job's workspace list, and who is told when a job ends: job-workspaces-sent.ts. */
  private readonly workspaces: JobWorkspacesSent;
  /** Each agent's first attempt of each job, to pause a job two agents failed alike: fail-fast.ts. */
  private readonly failFast = new FailFast();
  private readonly options: SchedulerOptions;
  private readonly events: SchedulerEvents;
  /** Adaptive jobs' queued chunks planned again as measures come (chunk-replanner.ts). */
  private readonly replanner: ChunkReplanner;

  constructor(
    private readonly store: TaskStore,
    events: SchedulerEvents,
    outputs: OutputSink,
    options: Partial<SchedulerOptions> = {},
  ) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
    // Agents are announced again when their busy slots change with their tasks (busy-slot-events.ts).
    events = withBusySlotEvents(events, () => this.state.agents.values());
    // The chunk re-planner measures tasks as they report and re-plans when the agents change.
    events = this.events = withReplannerEvents(events, () => this.replanner);
    this.state = new SchedulerState(store, events, outputs, (job) => this.workspaces.jobEnded(job.record));
    this.workspaces = new JobWorkspacesSent(this.state.agents);
    this.restartHold = new RestartHold(this.options.restartGraceMs, (taskIds, why) => this.releaseHeld(taskIds, why));
    const dispatchSoon = () => this.dispatcher.dispatchSoon();
    this.diskPauses = new DiskFullPauses({ state: this.state, events, dispatchSoon, ...(store.flush ? { saveAll: () => store.flush!() } : {}) });
    this.jobControls = new JobControls({ state: this.state, events, store, outputs, dispatchSoon, forgetHeld: (taskId) => this.restartHold.forget(taskId), failFast: this.failFast });
    this.agentControls = new AgentControls({ state: this.state, events, dispatchSoon, agentOffline: (link, reason) => this.agentOffline(link, reason) });
    const { agentFailureLimit, timeoutGraceMs } = this.options;
    const failJob = (jobId: string, reason: string) => this.jobControls.cancelJob(jobId, reason);
    const failAttempt: TaskResults['failAttempt'] = (job, task, agentId, error, unrecoverable) => this.results.failAttempt(job, task, agentId, error, unrecoverable);
    const succeed: TaskResults['succeed'] = (job, task, link) => this.results.succeed(job, task, link);
    const distrust: TaskResults['distrust'] = (job, task, link, error) => this.results.distrust(job, task, link, error);
    this.intake = new OutputIntake({ state: this.state, events, outputs, inputs: this.inputs, live: this.live, succeed, failAttempt, distrust, outputDiskFull: (job, o) => this.diskPauses.outputDiskFull(job, o) });
    this.local = new LocalAgentFiles(this.options.localAgent, { intake: this.intake });
    this.replanner = new ChunkReplanner({ state: this.state, events, memory: this.options.planningMemory, agentFailureLimit, dispatchSoon });
    this.dispatcher = new Dispatcher({
      beforeRound: () => this.replanner.beforeRound(),
      beforeTake: (job, agent) => this.replanner.fitHead(job, agent),
      state: this.state, events, inputs: this.inputs, local: this.local, workspaces: this.workspaces, agentFailureLimit, timeoutGraceMs, failJob, failAttempt, failFast: this.failFast,
      queueHeld: () => this.jobControls.queuePaused || this.restartHold.holdsQueue(),
    });
    this.results = new TaskResults({
      state: this.state, events, store, inputs: this.inputs, live: this.live, local: this.local, agentFailureLimit, dispatchSoon, failJob,
      failFast: this.failFast, pauseJob: (jobId, reason) => void this.jobControls.pauseJob(jobId, reason),
      stageInputs: (job, task) => this.dispatcher.stageInputs(job, task),
    });
    this.reconnect = new ReconnectReconcile({ state: this.state, outputs, inputs: this.inputs, succeed, distrust, watchDeadline: (job, task, agent) => this.dispatcher.watchDeadline(job, task, agent) });
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
      this.workspaces.loaded(job); // before requeueLoaded forgets where its tasks ran
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
    this.replanner.jobAdded(runtime);
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
      tags: withAutomaticTags(this.state.agentOverrides.get(hello.agentId)?.tags ?? hello.tags, hello.capabilities),
      capabilities: hello.capabilities,
      running: new Map(),
      collecting: new Set(),
      lastSeen: Date.now(),
    };
    this.state.agents.set(agent.agentId, agent);
    this.reconnect.reconcile(agent, hello);
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
        return this.results.progress(agent, message);
      case 'task.log':
        if (isCurrentAttempt(this.state.tasks.get(message.taskId), agent.agentId, message.attempt, { states: 'active-or-succeeded' })) this.events.taskLog(message.taskId, message.attempt, message.lines);
        return;
      case 'task.done':
        return this.results.done(agent, message);
      case 'task.failed':
        return this.results.failed(agent, message);
      case 'input.request':
        return void this.sendInput(agent, message.sha256);
      case 'output.missing':
        return this.results.outputMissing(agent, message);
      case 'agent.capabilities':
        // The tool check still running at the hello is done: what it confirmed can be given now.
        agent.capabilities = message.capabilities;
        agent.tags = withAutomaticTags(agent.tags, message.capabilities); // `gpu`, once the agent's GPUs are probed
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

  /** Runs a dispatch round soon (dispatcher.ts): call it when work or a free slot may have appeared. */
  dispatchSoon(): void {
    this.dispatcher.dispatchSoon();
  }

  private async sendInput(agent: AgentRuntime, sha256: string): Promise<void> {
    const problem = await this.inputs.send(agent.link, sha256, this.local.isLocal(agent.agentId) ? this.local.deliverInput : undefined);
    if (problem) this.events.notice('warn', `Agent ${agent.name} could not get an input: ${problem}`);
    else this.inputs.heldBy(sha256, agent.agentId);
  }
}

/** The scheduler's events, also told to the chunk re-planner: every task change, agents that change, jobs removed. */
function withReplannerEvents(events: SchedulerEvents, replanner: () => ChunkReplanner): SchedulerEvents {
  return {
    jobChanged: (summary) => events.jobChanged(summary),
    taskChanged(task) {
      events.taskChanged(task);
      replanner().taskChanged(task);
    },
    agentChanged(view) {
      events.agentChanged(view);
      replanner().agentChanged(view);
    },
    taskLog: (taskId, attempt, lines) => events.taskLog(taskId, attempt, lines),
    notice: (level, text) => events.notice(level, text),
    jobRemoved(jobId) {
      events.jobRemoved?.(jobId);
      replanner().jobRemoved(jobId);
    },
  };
}
