import type { AgentRuntime } from '../agents/agent-runtime.js';
import type { TaskRecord } from '../model/job-model.js';
import { chainedOutputs } from '../jobs/expected-outputs.js';
import { dependencyOutputs } from '../jobs/blender/shot-order.js';
import { agentMayRun, agentMayRunTask, judgeWaitingJob } from './dispatch-policy.js';
import { planStaging } from './input-staging.js';
import type { InputFiles } from './input-files.js';
import type { JobRuntime } from './job-runtime.js';
import type { JobWorkspacesSent } from './job-workspaces-sent.js';
import type { LocalAgentFiles } from './local-agent-files.js';
import type { SchedulerState } from './scheduler-state.js';
import type { SchedulerEvents } from './scheduler-ports.js';
import { isCurrentAttempt } from './task-verbs.js';
import { isTerminalJobState } from './task-state.js';
import type { FailFast } from './fail-fast.js';

/** What the dispatcher needs of the scheduler: its state and files, two limits, and three of its steps. */
export interface DispatcherDeps {
  state: Pick<SchedulerState, 'agents' | 'tasks' | 'order' | 'deadlines' | 'verbs' | 'jobTouched'>;
  events: Pick<SchedulerEvents, 'notice' | 'jobChanged'>;
  inputs: Pick<InputFiles, 'bestHolder' | 'holds'>;
  local: Pick<LocalAgentFiles, 'agentId'>;
  /** A Blender job's workspace goes to a connection once, before its first task there. */
  workspaces: Pick<JobWorkspacesSent, 'beforeAssign'>;
  /** A node that fails the same job this many times gets no more of its tasks. */
  agentFailureLimit: number;
  /** Extra time allowed past a task's own limit before the controller gives up on its agent. */
  timeoutGraceMs: number;
  /** Nothing starts while this says so (the user held the queue, or a restart waits for agents). */
  queueHeld(): boolean;
  /** No agent may run the job any more: it fails with `reason`. */
  failJob(jobId: string, reason: string): void;
  /** An agent whose first attempt of the job failed with a scene fault waits while another agent's first attempt runs (fail-fast.ts). */
  failFast: Pick<FailFast, 'holdsBack'>;
  /** Runs first in every round (the chunk re-planner sizes the queued chunks with what it knows now). */
  beforeRound?(): void;
  /** Runs right before `agent` takes the job's next task (the chunk re-planner sizes that chunk for this agent). */
  beforeTake?(job: JobRuntime, agent: AgentRuntime): void;
  /** The agent missed the task's wall-clock limit: the attempt failed (the scheduler's step). */
  failAttempt(job: JobRuntime, task: TaskRecord, agentId: string, error: string, unrecoverable: boolean): void;
}

/**
 * Handing out work: which task goes to which free slot, in job order, placed where its inputs
 * already are; the deadline an assignment runs under; and inputs sent ahead to where a task
 * will run. It is push-based: a round runs when something may have freed or added work
 * (dispatchSoon), and takes tasks from per-job queues, never scanning the task list. Kept
 * apart from what agents report (task-results.ts), which only asks for a round.
 */
export class Dispatcher {
  private pending = false;

  constructor(private readonly deps: DispatcherDeps) {}

  /** Runs a dispatch round soon, once however many ask before it runs. */
  dispatchSoon(): void {
    if (this.pending) return;
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    if (this.deps.queueHeld()) return;
    this.deps.beforeRound?.();
    const { state } = this.deps;
    // A round fills many slots, often of one job: its summary is saved and announced once per round, not per task.
    const touched = new Set<JobRuntime>();
    for (const agent of state.agents.values()) {
      if (!agent.online || !agent.enabled) continue;
      while (agent.running.size < agent.slots) {
        const next = this.nextTaskFor(agent);
        if (!next) break;
        this.assign(next.job, next.task, agent);
        touched.add(next.job);
      }
    }
    for (const job of touched) state.jobTouched(job);
    this.explainWaitingJobs();
  }

  private nextTaskFor(agent: AgentRuntime): { job: JobRuntime; task: TaskRecord } | null {
    for (const job of this.deps.state.order) {
      if (job.record.paused || job.pauseReason !== null || job.record.canceled || job.record.failure || !agentMayRun(agent, job, this.deps.agentFailureLimit)) continue;
      if (this.betterPlacedElsewhere(agent, job) || this.deps.failFast.holdsBack(job, agent, this.deps.state.agents.values())) continue;
      this.deps.beforeTake?.(job, agent);
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
    const { state, agentFailureLimit } = this.deps;
    const free = (id: string) => {
      const a = state.agents.get(id);
      return a !== undefined && a.online && a.enabled && a.running.size < a.slots && agentMayRun(a, job, agentFailureLimit);
    };
    const local = this.deps.local.agentId;
    if (local !== null && free(local)) return agent.agentId !== local;
    const inputs = task.dependsOn.flatMap((id) => { const d = state.tasks.get(id); return d ? chainedOutputs(d) : []; });
    const best = this.deps.inputs.bestHolder(inputs, free);
    return best !== null && best !== agent.agentId;
  }

  /** The local agent is online and may run this task: it then needs nothing staged. */
  private localAgentTakes(job: JobRuntime, task: TaskRecord): boolean {
    const local = this.deps.local.agentId;
    const a = local === null ? undefined : this.deps.state.agents.get(local);
    return a !== undefined && a.online && a.enabled && agentMayRunTask(a, job, task, this.deps.agentFailureLimit);
  }

  /** Sends one task to an agent; the caller touches the job (once per dispatch round). */
  private assign(job: JobRuntime, task: TaskRecord, agent: AgentRuntime): void {
    this.deps.state.verbs.assign(job, task, agent.agentId);
    agent.running.set(task.id, task);
    const timeoutMs = taskTimeoutMs(job);
    const inputs = task.inputsFromDependencies ? [...task.inputs, ...dependencyOutputs(job.record, task, (id) => this.deps.state.tasks.get(id))] : task.inputs;
    const keepOutputs = task.intermediate === true;
    // A render's frames come in as they are saved: seen at once, and the task's end waits only for its last frame.
    const liveOutputs = task.spec.type === 'blender';
    this.deps.workspaces.beforeAssign(agent, job.record, task);
    agent.link.send({ type: 'task.assign', taskId: task.id, attempt: task.attempt, jobId: job.id, inputs, spec: task.spec, timeoutMs, ...(keepOutputs ? { keepOutputs } : {}), ...(liveOutputs ? { liveOutputs } : {}) });
    this.watchDeadline(job, task, agent);
    this.stageInputs(job, task);
  }

  /**
   * The controller's backstop for the task's wall-clock limit (its own plus the grace): if the
   * agent has not ended this attempt by then, the task is canceled there and the attempt fails.
   */
  watchDeadline(job: JobRuntime, task: TaskRecord, agent: AgentRuntime): void {
    const attempt = task.attempt;
    this.deps.state.deadlines.set(task.id, taskTimeoutMs(job) + this.deps.timeoutGraceMs, () => {
      if (!isCurrentAttempt(task, agent.agentId, attempt)) return;
      agent.link.send({ type: 'task.cancel', taskId: task.id, attempt });
      agent.running.delete(task.id);
      this.dispatchSoon();
      this.deps.failAttempt(job, task, agent.agentId, `Agent ${agent.name} did not finish the task within its wall-clock limit.`, false);
    });
  }

  /**
   * Dependents down to one running dependency get their inputs sent ahead to its agent
   * (input-staging.ts): checked when `task` succeeds (another one is still running) and when it
   * is assigned (it is the last one).
   */
  stageInputs(job: JobRuntime, task: TaskRecord): void {
    const waiting = job.oneDependencyLeft(task.id).filter((dependent) => !this.localAgentTakes(job, dependent));
    if (waiting.length === 0) return;
    const { state, inputs } = this.deps;
    for (const plan of planStaging(waiting, (id) => state.tasks.get(id), (sha256, agentId) => inputs.holds(sha256, agentId))) {
      const agent = state.agents.get(plan.agentId);
      if (agent?.online) agent.link.send({ type: 'input.prefetch', inputs: plan.inputs });
    }
  }

  /** Tells the user why queued work is not moving, once per reason; fails a job no agent may run any more. */
  private explainWaitingJobs(): void {
    const { state, events } = this.deps;
    for (const job of state.order) {
      if (job.record.paused || job.pauseReason !== null || !job.hasQueued() || isTerminalJobState(job.state)) continue;
      const verdict = judgeWaitingJob(job, state.agents.values(), this.deps.agentFailureLimit);
      if ('fail' in verdict) {
        this.deps.failJob(job.id, verdict.fail);
        continue;
      }
      if (verdict.waiting !== job.unrunnableReason) {
        job.unrunnableReason = verdict.waiting;
        if (verdict.waiting) events.notice('warn', `Job "${job.record.name}" is waiting: ${verdict.waiting}`);
        events.jobChanged(job.summary());
      }
    }
  }
}

/** The task's own wall-clock limit (the job's setting; an hour when unset). */
function taskTimeoutMs(job: JobRuntime): number {
  return Number(job.record.settings.taskTimeoutMs ?? 3_600_000);
}
