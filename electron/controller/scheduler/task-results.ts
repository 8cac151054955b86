import type { FileRef, MessageOf } from '../../../node-agent/protocol/index.js';
import type { AgentLink } from '../agents/agent-link.js';
import type { AgentRuntime } from '../agents/agent-runtime.js';
import type { TaskRecord } from '../model/job-model.js';
import type { InputFiles } from './input-files.js';
import type { JobRuntime } from './job-runtime.js';
import type { LiveOutputsSeen } from './live-outputs-seen.js';
import type { LocalAgentFiles } from './local-agent-files.js';
import { addJobWarning, liftGpuFallback } from './gpu-scene-on-cpu.js';
import { judgeReportedOutputs } from './output-claims.js';
import type { SchedulerState } from './scheduler-state.js';
import type { SchedulerEvents, TaskStore } from './scheduler-ports.js';
import { isCurrentAttempt } from './task-verbs.js';
import { noteFramesDone } from './frame-times.js';
import type { FailFast } from './fail-fast.js';

/** What the results need of the scheduler: its state, ports and files, a limit, and three of its steps. */
export interface TaskResultsDeps {
  state: Pick<SchedulerState, 'jobs' | 'tasks' | 'agents' | 'deadlines' | 'verbs' | 'jobTouched'>;
  events: Pick<SchedulerEvents, 'notice' | 'taskChanged'>;
  store: Pick<TaskStore, 'whenSaved'>;
  inputs: Pick<InputFiles, 'heldBy'>;
  live: Pick<LiveOutputsSeen, 'settle'>;
  local: Pick<LocalAgentFiles, 'isLocal' | 'collect'>;
  /** A node that fails the same job this many times gets no more of its tasks. */
  agentFailureLimit: number;
  dispatchSoon(): void;
  /** Dependents of `task` down to one dependency get their inputs sent ahead (dispatcher.ts). */
  stageInputs(job: JobRuntime, task: TaskRecord): void;
  /** Retrying cannot help: the whole job fails with `reason` (job-controls.ts). */
  failJob(jobId: string, reason: string): void;
  /** Each agent's first attempt of a job, for pausing a job two agents failed alike (fail-fast.ts). */
  failFast: Pick<FailFast, 'attemptEnded'>;
  /** The job pauses with `reason` (job-controls.ts). */
  pauseJob(jobId: string, reason: string): void;
}

/**
 * How an attempt ends: what an agent reports of its task (progress, done, failed, outputs
 * lost), the success that waits for every output and acknowledges the agent's copy only once
 * saved, and the failure that retries within the bound, blocks an agent that keeps failing or
 * fails the job. The output files themselves arrive through output-intake.ts, which hands the
 * task's end here. What each ending does to the task is task-verbs.ts's.
 */
export class TaskResults {
  constructor(private readonly deps: TaskResultsDeps) {}

  progress(agent: AgentRuntime, m: MessageOf<'task.progress'>): void {
    const task = this.deps.state.tasks.get(m.taskId);
    if (!isCurrentAttempt(task, agent.agentId, m.attempt)) return;
    noteFramesDone(task, m.framesDone);
    if (m.startupMs !== undefined && task.startupMs === undefined) task.startupMs = m.startupMs;
    this.deps.state.verbs.progress(this.deps.state.jobs.get(task.jobId)!, task, m.fraction);
  }

  /** The agent ended the attempt: outputs already in (live) count, the rest are collected, then it succeeds. */
  done(agent: AgentRuntime, m: MessageOf<'task.done'>): void {
    const task = this.deps.state.tasks.get(m.taskId);
    if (!isCurrentAttempt(task, agent.agentId, m.attempt)) {
      // A stale attempt (its task was requeued and given to another agent): its outputs are not wanted.
      if (!isCurrentAttempt(task, agent.agentId, m.attempt, { anyAgent: true, states: 'unfinished' })) agent.link.send({ type: 'output.ack', taskId: m.taskId, attempt: m.attempt });
      return;
    }
    this.freeSlot(agent, task);
    const lie = judgeReportedOutputs(agent.name, task, m.outputs);
    if (lie) return this.distrust(this.deps.state.jobs.get(task.jobId)!, task, agent.link, lie);
    task.outputs = m.outputs;
    const job = this.deps.state.jobs.get(task.jobId)!;
    // A GPU scene this CPU agent rendered (the controller sees it, or the agent said it): said once
    // on the job (saved with the task's success) instead of on every chunk.
    const { taskWarnings, jobWarning } = liftGpuFallback(job.record, task.spec, agent, m.warnings);
    this.deps.state.verbs.setWarnings(job, task, taskWarnings);
    if (jobWarning) addJobWarning(job, jobWarning);
    // Outputs that came in while the task ran (same name and hash) are collected; those still on
    // their way will be; only the rest are fetched.
    const { collected, coming } = this.deps.live.settle(task, m.outputs);
    task.collected = collected;
    if (task.intermediate) for (const output of m.outputs) this.deps.inputs.heldBy(output.sha256, agent.agentId);
    if (task.collected.length === m.outputs.length) return this.succeed(job, task, agent.link);
    agent.collecting.add(task.id);
    task.agentId = agent.agentId;
    const missing = m.outputs.filter((o) => !collected.includes(o.name) && !coming.has(o.name)).map((o) => o.name);
    if (missing.length === 0) return;
    if (this.deps.local.isLocal(agent.agentId)) return void this.collectLocally(agent, task, m.outputs.filter((o) => missing.includes(o.name)));
    this.fetchOutputs(agent, task, missing, m.outputs.length);
  }

  private fetchOutputs(agent: AgentRuntime, task: TaskRecord, missing: string[], total: number): void {
    agent.link.send({ type: 'output.fetch', taskId: task.id, attempt: task.attempt, ...(missing.length < total ? { names: missing } : {}) });
  }

  /** The local agent's outputs are taken from its hold on disk; what cannot be is fetched over the socket. */
  private async collectLocally(agent: AgentRuntime, task: TaskRecord, outputs: FileRef[]): Promise<void> {
    const attempt = task.attempt;
    const left = await this.deps.local.collect(agent.link, task, outputs).catch(() => outputs.map((o) => o.name));
    if (left.length > 0 && isCurrentAttempt(task, agent.agentId, attempt, { states: 'unfinished' }) && agent.link === this.deps.state.agents.get(agent.agentId)?.link && agent.online) this.fetchOutputs(agent, task, left, task.outputs.length);
  }

  failed(agent: AgentRuntime, m: MessageOf<'task.failed'>): void {
    const task = this.deps.state.tasks.get(m.taskId);
    if (!isCurrentAttempt(task, agent.agentId, m.attempt)) return;
    this.freeSlot(agent, task);
    this.failAttempt(this.deps.state.jobs.get(task.jobId)!, task, agent.agentId, m.error, m.unrecoverable, m.sceneFault);
  }

  /** The agent no longer holds the outputs of a finished attempt: the attempt failed. */
  outputMissing(agent: AgentRuntime, m: MessageOf<'output.missing'>): void {
    const task = this.deps.state.tasks.get(m.taskId);
    if (!isCurrentAttempt(task, agent.agentId, m.attempt, { states: 'unfinished' })) return;
    agent.collecting.delete(task.id);
    this.failAttempt(this.deps.state.jobs.get(task.jobId)!, task, agent.agentId, `The agent lost the task's outputs: ${m.reason}`, false);
  }

  /** Every output is in place: the task succeeded; the agent's copy is released once that is saved. */
  succeed(job: JobRuntime, task: TaskRecord, link: AgentLink): void {
    if (task.state === 'succeeded') return;
    if (link.agentId) this.deps.failFast.attemptEnded(job, link.agentId, this.agentName(link.agentId), null, null);
    this.deps.state.verbs.succeed(job, task);
    for (const ready of job.released(task.id)) this.deps.events.taskChanged(ready);
    this.deps.stageInputs(job, task);
    this.deps.state.jobTouched(job);
    this.deps.dispatchSoon();
    // The agent drops its copy on the ack, so the ack waits until the success is on disk: a
    // crash before that finds the outputs still held and collects them again, never loses them.
    const ack = () => link.send({ type: 'output.ack', taskId: task.id, attempt: task.attempt });
    const saved = this.deps.store.whenSaved?.(job.id, task);
    // A save that failed (a full data disk) is retried by the store: the ack waits for the write that succeeds.
    const ackWhenSaved = (saving: Promise<void>, tries: number): void => void saving.then(ack, () => {
      if (tries > 0 && task.state === 'succeeded' && this.deps.state.jobs.get(job.id) === job) ackWhenSaved(this.deps.store.whenSaved!(job.id, task), tries - 1);
    });
    if (saved) ackWhenSaved(saved, 100);
    else ack();
  }

  /**
   * What an agent claimed of a task's outputs is false (output-claims.ts): its attempt is stopped
   * and its copy released on the agent, and the attempt fails like any other, so the task runs
   * again within its bound and an agent that keeps lying gets no more of the job. A warning names
   * the agent and the files.
   */
  distrust(job: JobRuntime, task: TaskRecord, link: AgentLink, error: string): void {
    if (task.state !== 'assigned' && task.state !== 'running') return;
    const agent = this.deps.state.agents.get(link.agentId ?? '');
    if (agent) {
      agent.running.delete(task.id);
      agent.collecting.delete(task.id);
    }
    link.send({ type: 'task.cancel', taskId: task.id, attempt: task.attempt });
    link.send({ type: 'output.ack', taskId: task.id, attempt: task.attempt });
    this.deps.events.notice('warn', error);
    this.failAttempt(job, task, link.agentId ?? '', error, false);
  }

  /**
   * One attempt failed: retry within the bound, block an agent that keeps failing, fail the job
   * at once when retrying cannot help, or pause it when two agents' first attempts failed with the
   * same fault of the scene (`sceneFault`, fail-fast.ts).
   */
  failAttempt(job: JobRuntime, task: TaskRecord, agentId: string, error: string, unrecoverable: boolean, sceneFault?: string): void {
    const agentFails = (job.agentFailures.get(agentId) ?? 0) + 1;
    job.agentFailures.set(agentId, agentFails);
    if (agentFails === this.deps.agentFailureLimit) {
      const name = this.deps.state.agents.get(agentId)?.name ?? agentId;
      this.deps.events.notice('warn', `Agent ${name} failed job "${job.record.name}" ${agentFails} times and gets no more of its tasks.`);
    }
    const maxAttempts = Number(job.record.settings.maxAttempts ?? 3);
    this.deps.state.verbs.failAttempt(job, task, error, !unrecoverable && task.failures + 1 < maxAttempts);
    if (unrecoverable) {
      this.deps.failJob(job.id, error);
      this.deps.events.notice('error', `Job "${job.record.name}" failed: ${error}`);
      return;
    }
    const pause = this.deps.failFast.attemptEnded(job, agentId, this.agentName(agentId), sceneFault ?? null, error);
    if (pause) {
      this.deps.pauseJob(job.id, pause);
      this.deps.events.notice('error', `Job "${job.record.name}" is paused: ${pause}`);
    }
    if (task.state === 'failed') {
      this.deps.events.notice('error', `Task ${task.label} of "${job.record.name}" failed ${task.failures} times: ${error}`);
      // What needs it can never run (a join without its chunk): end those now, so the job ends.
      for (const dependent of job.dependentsOf(task.id)) {
        if (dependent.state === 'queued') this.deps.state.verbs.cancel(job, dependent, `Not run: it needs task ${task.label}, which failed.`);
      }
    }
    this.deps.state.jobTouched(job);
    this.deps.dispatchSoon();
  }

  private agentName(agentId: string): string {
    return this.deps.state.agents.get(agentId)?.name ?? agentId;
  }

  private freeSlot(agent: AgentRuntime, task: TaskRecord): void {
    agent.running.delete(task.id);
    this.deps.state.deadlines.clear(task.id);
    this.deps.dispatchSoon();
  }
}
