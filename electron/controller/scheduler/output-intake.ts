import { dirname } from 'node:path';
import { STREAM_OVERRUN } from '../../../node-agent/channel/index.js';
import type { AgentLink } from '../agents/agent-link.js';
import type { AgentOutputs, OutputOffer } from '../agents/agent-outputs.js';
import { isDiskFullCode, isDiskFullError } from '../disk/disk-space.js';
import type { TaskRecord } from '../model/job-model.js';
import { OutputConflictError } from '../outputs/output-conflict-error.js';
import { formatBytes, judgeOfferedOutput } from './output-claims.js';
import { isCurrentAttempt } from './task-verbs.js';
import type { InputFiles } from './input-files.js';
import type { JobRuntime } from './job-runtime.js';
import type { LiveOutputsSeen } from './live-outputs-seen.js';
import type { SchedulerState } from './scheduler-state.js';
import type { OutputSink, SchedulerEvents } from './scheduler-ports.js';

/** Fetches of a task's outputs that may fail their hash check before the attempt counts as failed. */
const MAX_OUTPUT_FETCHES = 3;

/** What the output intake needs of the scheduler: its state, ports and files, and the two ends of an attempt. */
export interface OutputIntakeDeps {
  state: Pick<SchedulerState, 'jobs' | 'tasks' | 'agents'>;
  events: Pick<SchedulerEvents, 'taskChanged' | 'notice'>;
  outputs: Pick<OutputSink, 'tempPathFor' | 'commit' | 'freeBytes'>;
  /** A collected output can be the input of a later task, so it is registered as one. */
  inputs: Pick<InputFiles, 'registerFile'>;
  live: Pick<LiveOutputsSeen, 'arriving' | 'arrived' | 'failed'>;
  /** The task's last output is in (the scheduler's step, which acks the agent's copy once saved). */
  succeed(job: JobRuntime, task: TaskRecord, link: AgentLink): void;
  /** The attempt failed (the scheduler's step: retry within the bound, or fail). */
  failAttempt(job: JobRuntime, task: TaskRecord, agentId: string, error: string, unrecoverable: boolean): void;
  /** The agent's claim about the task's outputs is false: stop its attempt and fail it with `error` (the scheduler's step). */
  distrust(job: JobRuntime, task: TaskRecord, link: AgentLink, error: string): void;
  /** An output could not be written for lack of room: the job waits for room (disk-full-pauses.ts); with `waiting`, the task's agent holds it until then. */
  outputDiskFull(job: JobRuntime, o: { path: string; bytes: number; waiting?: { task: TaskRecord; agentId: string } }): void;
}

/**
 * Output files arriving from agents: whether each is wanted and where it is written, renaming
 * it into place once verified, and refetching a damaged one a bounded number of times. A
 * render's frames arrive while it runs (live outputs); the rest are fetched after the task's
 * end. Kept apart from the task lifecycle (scheduler.ts), which it hands the task's end to.
 * It is the port the agents' links call (agent-outputs.ts), as is the local agent's hand-off
 * on disk (local-agent-files.ts): offers of a task attempt's file, never wire messages.
 */
export class OutputIntake implements AgentOutputs {
  /** Damaged output transfers per task attempt, to bound refetching. */
  private readonly fetchFailures = new Map<string, number>();

  constructor(private readonly deps: OutputIntakeDeps) {}

  /** Where an incoming output may be written, or why it is refused. */
  async open(link: AgentLink, offer: OutputOffer): Promise<{ tempPath: string } | { refuse: string }> {
    const task = this.deps.state.tasks.get(offer.taskId);
    if (!isCurrentAttempt(task, link.agentId, offer.attempt, { states: 'any' })) return { refuse: 'not an output of a current task' };
    const live = this.isLive(link, task);
    if (live && task.spec.type !== 'blender') return { refuse: 'this task was not asked for live outputs' };
    const job = this.deps.state.jobs.get(task.jobId)!;
    // Checked against the task, not the agent's word: a name it does not make (another task's
    // frame, a path) or a size beyond reason fails the attempt before a byte is written.
    const lie = judgeOfferedOutput(this.agentName(link), task, offer.file, live);
    if (lie) {
      this.deps.distrust(job, task, link, lie);
      return { refuse: lie };
    }
    if (live) this.deps.live.arriving(task, offer.file.name);
    try {
      const tempPath = await this.deps.outputs.tempPathFor(job.record, task, offer.file.name);
      const free = await this.deps.outputs.freeBytes?.(job.record, task);
      // Never more than the disk holds: a file that cannot fit is refused, not written until the disk is full.
      if (free !== undefined && offer.file.size > free) {
        // Thrown as a full disk (ENOSPC), so the channel's failure carries the code and the job waits for room (failed).
        throw Object.assign(new Error(`the output disk ${dirname(tempPath)} has ${formatBytes(free)} free, too little for ${offer.file.name} (${formatBytes(offer.file.size)})`), { code: 'ENOSPC' });
      }
      return { tempPath };
    } catch (error) {
      if (isDiskFullError(error)) throw error; // the channel reports it with its code (see failed)
      return { refuse: (error as Error).message };
    }
  }

  private agentName(link: AgentLink): string {
    return this.deps.state.agents.get(link.agentId ?? '')?.name ?? link.url;
  }

  /** A verified output arrived: rename it into place; when the task's last output is in, the task succeeds. */
  async arrived(link: AgentLink, offer: OutputOffer, tempPath: string): Promise<void> {
    const task = this.deps.state.tasks.get(offer.taskId);
    const job = task ? this.deps.state.jobs.get(task.jobId) : undefined;
    if (!job || !isCurrentAttempt(task, link.agentId, offer.attempt, { anyAgent: true, states: 'any' })) return;
    const { file } = offer;
    let path: string;
    try {
      path = await this.deps.outputs.commit(job.record, task, file, tempPath);
    } catch (error) {
      if (!(error instanceof OutputConflictError)) throw error;
      // Another task's file is in the way: it stays, and this attempt is not believed.
      if (isCurrentAttempt(task, link.agentId, task.attempt, { states: 'unfinished' })) this.deps.distrust(job, task, link, error.message);
      return;
    }
    this.deps.inputs.registerFile({ sha256: file.sha256, size: file.size, path });
    const name = file.name;
    if (this.deps.live.arrived(task, file)) {
      if (task.agentId !== link.agentId) return;
      if (this.isLive(link, task)) {
        // Sent while the task runs: in place and shown now; the task's end counts it by hash.
        if (!task.collected.includes(name)) task.collected.push(name);
        this.deps.events.taskChanged(task);
        return;
      }
      // The task ended while it was on its way: it counts if the end announced it with this hash.
      if (!task.outputs.some((o) => o.name === name && o.sha256 === file.sha256)) return;
    }
    if (!task.collected.includes(name)) task.collected.push(name);
    if (task.collected.length === task.outputs.length && task.agentId === link.agentId) this.deps.succeed(job, task, link);
  }

  /** The task runs on this link's agent and has not reported its end: an output now is a live one. */
  private isLive(link: AgentLink, task: TaskRecord): boolean {
    const agent = this.deps.state.agents.get(link.agentId ?? '');
    return agent !== undefined && agent.link === link && agent.running.get(task.id) === task && (task.state === 'assigned' || task.state === 'running');
  }

  /** A transfer failed its check: fetch it again, within a bound (a live one waits for the task's end). */
  failed(link: AgentLink, offer: OutputOffer, reason: string, cause: { code?: string } = {}): void {
    const task = this.deps.state.tasks.get(offer.taskId);
    if (!isCurrentAttempt(task, link.agentId, offer.attempt, { states: 'unfinished' })) return;
    const { file } = offer;
    // A live output that did not make it is fetched with the rest when the task ends.
    this.deps.live.failed(task, file.name);
    const live = this.isLive(link, task);
    if (cause.code === STREAM_OVERRUN) {
      // Not damage in transit (TLS rules that out) but an agent sending more than it announced: not fetched again.
      const job = this.deps.state.jobs.get(task.jobId)!;
      this.deps.distrust(job, task, link, `Agent ${this.agentName(link)} sent more of ${file.name} than the ${file.size} bytes it announced for task ${task.label}, so its result was not accepted.`);
      return;
    }
    if (isDiskFullCode(cause.code)) {
      // The controller's disk is full: not the file's fault nor the agent's. The job waits for
      // room, no attempt counts, and a finished task's outputs stay on its agent until then.
      const job = this.deps.state.jobs.get(task.jobId)!;
      this.deps.outputDiskFull(job, { path: job.record.outputDir, bytes: file.size, ...(live || !link.agentId ? {} : { waiting: { task, agentId: link.agentId } }) });
      return;
    }
    if (live) return;
    const key = `${task.id}#${task.attempt}`;
    const failures = (this.fetchFailures.get(key) ?? 0) + 1;
    this.fetchFailures.set(key, failures);
    if (failures > MAX_OUTPUT_FETCHES) {
      // Bounded: a file that keeps arriving damaged means the task runs again elsewhere, not a fetch storm.
      this.fetchFailures.delete(key);
      this.deps.state.agents.get(link.agentId ?? '')?.collecting.delete(task.id);
      this.deps.failAttempt(this.deps.state.jobs.get(task.jobId)!, task, link.agentId ?? '', `Output ${file.name} arrived damaged ${failures} times (${reason}).`, false);
      return;
    }
    this.deps.events.notice('warn', `Output ${file.name} from ${link.url} failed its check (${reason}); fetching it again.`);
    link.send({ type: 'output.fetch', taskId: task.id, attempt: task.attempt });
  }
}
