import { diskFullSentence, freeBytes, isDiskFullError, megabytes, type DiskKind } from '../disk/disk-space.js';
import { MIN_ROOM_BYTES } from '../disk/room-for-job.js';
import type { TaskRecord } from '../model/job-model.js';
import type { JobRuntime } from './job-runtime.js';
import type { SchedulerState } from './scheduler-state.js';
import type { SchedulerEvents } from './scheduler-ports.js';
import { isTerminalJobState } from './task-state.js';
import { isCurrentAttempt } from './task-verbs.js';

/**
 * A full disk is the controller's condition, not a job's or an agent's fault: the jobs it
 * affects are paused with one sentence ("the output disk /path is full (N MB free); the job
 * resumes when there is room"), no attempt is counted and no agent blamed, and they resume by
 * themselves once the disk has room again.
 *
 * - Output disk: an output that could not be written pauses its job; a finished task whose
 *   outputs could not be taken stays with its agent (which holds them) and is fetched again
 *   on resume, so nothing is rendered twice.
 * - Data disk (FARMHAND_HOME): a store write that failed for space pauses every unfinished
 *   job, since none of their progress can be saved; on resume the store's writes are retried
 *   first, and only a store that saved everything (or failed for another reason than space)
 *   lets the jobs go on.
 *
 * While any job waits, each such disk's free space is measured every `intervalMs` (statfs,
 * cheap); it has room again at `MIN_ROOM_BYTES` or twice the write that failed, if larger.
 */

export interface DiskFullPausesDeps {
  state: Pick<SchedulerState, 'jobs' | 'tasks' | 'agents'>;
  events: Pick<SchedulerEvents, 'notice' | 'jobChanged'>;
  /** Retries the job store's failed writes; rejects while they still fail. */
  saveAll?(): Promise<void>;
  dispatchSoon(): void;
  /** Free bytes on the disk holding a path (default: statfs). */
  measure?(path: string): Promise<number>;
  intervalMs?: number;
}

interface FullDisk {
  kind: DiskKind;
  path: string;
  /** Free bytes at which the disk counts as having room again. */
  roomBytes: number;
  jobIds: Set<string>;
}

const DEFAULT_INTERVAL_MS = 2000;

export class DiskFullPauses {
  readonly #deps: DiskFullPausesDeps;
  readonly #measure: (path: string) => Promise<number>;
  readonly #disks = new Map<string, FullDisk>();
  /** Finished tasks whose outputs are still on their agent, waiting for room: taskId → the attempt and agent that hold them. */
  readonly #waiting = new Map<string, { attempt: number; agentId: string }>();
  #timer: NodeJS.Timeout | null = null;
  #checking = false;

  constructor(deps: DiskFullPausesDeps) {
    this.#deps = deps;
    this.#measure = deps.measure ?? freeBytes;
  }

  /** Jobs held for a disk right now (for tests and status). */
  get pausedJobIds(): string[] {
    return [...new Set([...this.#disks.values()].flatMap((d) => [...d.jobIds]))];
  }

  /**
   * An output of `job` could not be written for lack of room on `path`'s disk. With `waiting`,
   * that output belongs to a finished task its agent still holds: it is fetched again on resume.
   */
  outputDiskFull(job: JobRuntime, o: { path: string; bytes: number; waiting?: { task: TaskRecord; agentId: string } }): void {
    if (o.waiting) this.#waiting.set(o.waiting.task.id, { attempt: o.waiting.task.attempt, agentId: o.waiting.agentId });
    this.#pause([job], 'output', o.path, o.bytes);
  }

  /** A job store write failed for lack of room on the data disk (`path`, FARMHAND_HOME): every unfinished job waits. */
  dataDiskFull(path: string): void {
    this.#pause([...this.#deps.state.jobs.values()], 'data', path, 0);
  }

  /** Stops measuring (the controller is closing); paused jobs stay paused. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  #pause(jobs: JobRuntime[], kind: DiskKind, path: string, bytes: number): void {
    const key = `${kind}:${path}`;
    const disk = this.#disks.get(key) ?? { kind, path, roomBytes: MIN_ROOM_BYTES, jobIds: new Set<string>() };
    this.#disks.set(key, disk);
    disk.roomBytes = Math.max(disk.roomBytes, 2 * bytes);
    const fresh: JobRuntime[] = [];
    for (const job of jobs) {
      if (isTerminalJobState(job.state)) continue;
      disk.jobIds.add(job.id);
      // Set at once, so no task of the job starts while the free space is being measured.
      if (job.pauseReason === null) {
        job.pauseReason = sentence(`the ${kind} disk ${path} is full; the job resumes when there is room`);
        fresh.push(job);
      }
    }
    if (this.#timer === null) {
      this.#timer = setInterval(() => void this.#check(), this.#deps.intervalMs ?? DEFAULT_INTERVAL_MS);
      this.#timer.unref();
    }
    if (fresh.length === 0) return;
    void this.#measure(path).catch(() => 0).then((free) => {
      const said = diskFullSentence(kind, path, free);
      for (const job of fresh) {
        if (!disk.jobIds.has(job.id) || job.pauseReason === null) continue; // resumed meanwhile
        job.pauseReason = sentence(said);
        this.#deps.events.jobChanged(job.summary());
        this.#deps.events.notice('warn', `Job "${job.record.name}" is paused: ${said}.`);
      }
    });
  }

  /** One round of measuring: a disk with room again lets its jobs go (a data disk only once the store saved everything). */
  async #check(): Promise<void> {
    if (this.#checking) return;
    this.#checking = true;
    try {
      for (const [key, disk] of [...this.#disks]) {
        for (const id of disk.jobIds) {
          const job = this.#deps.state.jobs.get(id);
          if (!job || isTerminalJobState(job.state)) disk.jobIds.delete(id);
        }
        const free = disk.jobIds.size === 0 ? Infinity : await this.#measure(disk.path).catch(() => 0);
        if (free < disk.roomBytes) continue;
        if (disk.kind === 'data' && disk.jobIds.size > 0 && this.#deps.saveAll) {
          // Still short of room for the store: wait on. Any other failure is not the disk's to wait for (the store reports it).
          const saved = await this.#deps.saveAll().then(() => true, (error: unknown) => !isDiskFullError(error));
          if (!saved) continue;
        }
        this.#disks.delete(key);
        for (const id of disk.jobIds) this.#release(id, disk, free);
      }
    } finally {
      this.#checking = false;
      if (this.#disks.size === 0) this.stop();
    }
  }

  #release(jobId: string, disk: FullDisk, free: number): void {
    const job = this.#deps.state.jobs.get(jobId);
    if (!job || job.pauseReason === null) return;
    const other = [...this.#disks.values()].find((d) => d.jobIds.has(jobId));
    if (other) {
      job.pauseReason = sentence(`the ${other.kind} disk ${other.path} is full; the job resumes when there is room`);
      this.#deps.events.jobChanged(job.summary());
      return;
    }
    job.pauseReason = null;
    this.#deps.events.jobChanged(job.summary());
    this.#deps.events.notice('info', `Job "${job.record.name}" resumes: the ${disk.kind} disk ${disk.path} has room again (${megabytes(free)} free).`);
    this.#fetchWaiting(job);
    this.#deps.dispatchSoon();
  }

  /** Finished tasks of the job whose outputs their agent still holds are fetched again. */
  #fetchWaiting(job: JobRuntime): void {
    for (const [taskId, held] of [...this.#waiting]) {
      const task = this.#deps.state.tasks.get(taskId);
      if (task && task.jobId !== job.id) continue;
      this.#waiting.delete(taskId);
      const agent = this.#deps.state.agents.get(held.agentId);
      if (!isCurrentAttempt(task, held.agentId, held.attempt, { states: 'unfinished' }) || !agent?.online || !agent.collecting.has(taskId)) continue;
      const names = task.outputs.filter((o) => !task.collected.includes(o.name)).map((o) => o.name);
      if (names.length === 0) continue;
      agent.link.send({ type: 'output.fetch', taskId, attempt: task.attempt, ...(names.length < task.outputs.length ? { names } : {}) });
    }
  }
}

/** The pause sentence as the job's reason: capitalised and ended. */
function sentence(text: string): string {
  return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
}
