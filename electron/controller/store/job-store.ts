import { mkdir, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { DataFile } from 'lowdb/node';
import { isDiskFullError } from '../disk/disk-space.js';
import type { JobRecord, JobSummary, TaskRecord } from '../model/job-model.js';
import type { TaskStore } from '../scheduler/scheduler-ports.js';
import { jobWarnings } from '../model/job-warnings.js';
import { jobFindFacts } from '../model/job-find-facts.js';
import { deriveJobState, emptyCounts } from '../scheduler/task-state.js';
import { CoalescedWriter, type CoalescedWriterOptions } from './coalesced-writer.js';
import { DEFAULT_TASK_PAGE_SIZE, jobFolder, singleJobFile } from './job-layout.js';
import { hoistJobWorkspace } from './hoist-job-workspace.js';
import { loadJobs, type LoadedJob } from './load-jobs.js';
import { describe, setAside } from './set-aside.js';
import { StoredJob } from './stored-job.js';
import { WriteTurns } from './write-turns.js';

/**
 * The controller's job store: lowdb JSON documents under `<dataDir>/store`: per job a folder
 * `jobs/<id>/` with a small job document and its tasks in fixed-size pages (see job-layout.ts),
 * so a task change rewrites one page of one job, plus a small index of summaries
 * (`index.json`) for listing jobs without reading their tasks. Every document has its own
 * coalescing writer; one shared WriteTurns paces them so persistence never stalls dispatch.
 *
 * The job files are the truth. At open, summaries are derived again from the loaded jobs, so
 * an index left stale or broken by a crash is simply rewritten. A file that cannot be read is
 * never replaced by an empty farm: it is set aside (a job as a whole) and reported in `problems`.
 */

export interface JobStoreOptions {
  /** A background write failed (it is retried on the next change or flush). */
  onError?(error: Error): void;
  /**
   * A write failed because the data disk is full (or its quota): called instead of onError,
   * once per failed write. The file keeps its last good copy; `flush()` retries.
   */
  onDiskFull?(error: Error): void;
  /** Coalescing delay for every document (see CoalescedWriter). */
  delayMs?: number;
  /** A document reached the disk (for tests and measurements). */
  onWrite?(file: string): void;
  /** Tasks per page for jobs written from now on (jobs keep the size they were saved with). */
  taskPageSize?: number;
  /** Share of the main thread all writes together may take (see WriteTurns). */
  busyShare?: number;
}

const JOB_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Ids become file names, so only these are accepted. */
export function isValidJobId(id: unknown): id is string {
  return typeof id === 'string' && JOB_ID.test(id);
}

/** The index entry for a job, derived from its tasks the same way the scheduler derives it. */
export function summarizeJob(job: JobRecord): JobSummary {
  const counts = emptyCounts();
  for (const task of job.tasks) counts[task.state]++;
  return {
    id: job.id,
    name: job.name,
    type: job.type,
    priority: job.priority,
    createdAt: job.createdAt,
    state: deriveJobState(job, counts, job.tasks.length),
    taskCount: job.tasks.length,
    succeededCount: counts.succeeded,
    failedCount: counts.failed,
    runningCount: counts.running + counts.assigned,
    failure: job.failure,
    ...jobWarnings(job.tasks),
    ...jobFindFacts(job),
  };
}

export class JobStore implements TaskStore {
  /** `<dataDir>/store`. */
  readonly dir: string;
  /** What went wrong while loading, one sentence each (files set aside, entries dropped). */
  readonly problems: string[];
  readonly #options: JobStoreOptions;
  readonly #onError: (error: Error) => void;
  readonly #turns: WriteTurns;
  readonly #jobs = new Map<string, StoredJob>();
  readonly #summaries = new Map<string, JobSummary>();
  readonly #index: CoalescedWriter<JobSummary[]>;
  /** Job folders being deleted; a job re-added under the same id waits for its removal. */
  readonly #removals = new Map<string, Promise<void>>();
  #closed = false;

  private constructor(dir: string, o: JobStoreOptions, problems: string[]) {
    this.dir = dir;
    this.problems = problems;
    this.#options = o;
    this.#onError = o.onError ?? ((error) => console.error(error.message));
    this.#turns = new WriteTurns(o.busyShare);
    this.#index = new CoalescedWriter(join(dir, 'index.json'), () => [...this.#summaries.values()], this.#writerOptions());
  }

  /** Loads `<dataDir>/store`; unreadable files are set aside and listed in `problems`. */
  static async open(dataDir: string, o: JobStoreOptions = {}): Promise<JobStore> {
    const dir = join(dataDir, 'store');
    const jobsDir = join(dir, 'jobs');
    await mkdir(jobsDir, { recursive: true });
    const problems: string[] = [];
    const [index, loaded] = await Promise.all([
      readIndex(join(dir, 'index.json'), problems),
      loadJobs(jobsDir, { pageSize: o.taskPageSize ?? DEFAULT_TASK_PAGE_SIZE, problems }),
    ]);

    const store = new JobStore(dir, o, problems);
    const order = new Map<string, number>();
    for (const [position, entry] of (index ?? []).entries()) if (!order.has(entry.id)) order.set(entry.id, position);
    const jobs = [...loaded.jobs].sort((a, b) => (order.get(a.record.id) ?? Infinity) - (order.get(b.record.id) ?? Infinity) || a.record.createdAt - b.record.createdAt || (a.record.id < b.record.id ? -1 : 1));
    for (const job of jobs) {
      // A job saved before protocol 4 gets its workspace moved out of its tasks (hoist-job-workspace.ts), then saved so.
      const hoisted = hoistJobWorkspace(job.record);
      const stored = store.#stored(job.record, job.pageSize);
      store.#jobs.set(job.record.id, stored);
      store.#summaries.set(job.record.id, summarizeJob(job.record));
      if (hoisted && !job.migrateFrom) stored.markAll(); // a single file's migration writes everything anyway
    }
    for (const id of order.keys()) {
      if (store.#jobs.has(id) || loaded.setAside.has(id)) continue;
      problems.push(`The job index lists job ${id} but its folder ${jobFolder(jobsDir, id)} is missing; the job was dropped from the index.`);
    }
    if (index === null || JSON.stringify(index) !== JSON.stringify(store.summaries())) store.#index.markDirty();
    await Promise.all(jobs.map((job) => store.#finishMigration(job)));
    return store;
  }

  /** Every loaded job: the live records (the scheduler mutates them and calls `update`). */
  jobs(): JobRecord[] {
    return [...this.#jobs.values()].map((stored) => stored.record);
  }

  get(id: string): JobRecord | undefined {
    return this.#jobs.get(id)?.record;
  }

  summaries(): JobSummary[] {
    return [...this.#summaries.values()];
  }

  /** Stores a new job. Throws for an id that cannot be a file name or is already stored. */
  add(job: JobRecord, summary: JobSummary): void {
    if (this.#refuseWhenClosed(job.id)) return;
    if (!isValidJobId(job.id)) throw new Error(`Job id "${String(job.id)}" cannot be stored: use 1 to 64 letters, digits, "-" or "_".`);
    if (this.#jobs.has(job.id)) throw new Error(`Job ${job.id} is already in the store.`);
    const stored = this.#stored(job, this.#options.taskPageSize ?? DEFAULT_TASK_PAGE_SIZE);
    this.#jobs.set(job.id, stored);
    this.#summaries.set(job.id, summary);
    const removal = this.#removals.get(job.id) ?? Promise.resolve();
    stored.writeAfter(removal.catch(() => undefined).then(() => mkdir(stored.folder, { recursive: true })).then(() => undefined));
    this.#index.markDirty();
  }

  /**
   * The live record of `jobId` was changed in place: save it (coalesced) and its summary.
   * With `task`, only that task changed (plus, possibly, the job-level fields that follow from
   * it, such as endedAt): one page is rewritten. Without it everything of the job is.
   */
  update(jobId: string, summary: JobSummary, task?: TaskRecord): void {
    if (this.#refuseWhenClosed(jobId)) return;
    const stored = this.#jobs.get(jobId);
    if (!stored) throw new Error(`Job ${jobId} is not in the store; add it before updating it.`);
    if (task) stored.markTask(task);
    else stored.markAll();
    const previous = this.#summaries.get(jobId);
    this.#summaries.set(jobId, summary);
    if (!previous || !sameSummary(previous, summary)) this.#index.markDirty();
  }

  /**
   * Resolves once every change to `jobId` marked so far (its job document and dirty pages) is
   * on disk, e.g. before telling an agent it may drop a task's outputs. With `task`, only the
   * page holding it and the job document are waited for: enough for that task's change, and
   * quicker while other tasks keep other pages busy. It rides on the writes that happen anyway
   * and starts none, so it is cheap per task. Rejects if such a write fails or the job is
   * removed or the store closed first; resolves at once for a job the store does not hold.
   */
  whenSaved(jobId: string, task?: TaskRecord): Promise<void> {
    return this.#jobs.get(jobId)?.whenSaved(task) ?? Promise.resolve();
  }

  /** Forgets a job and deletes its files (after the index no longer lists it). False if unknown. */
  async remove(id: string): Promise<boolean> {
    const stored = this.#jobs.get(id);
    if (!stored) return false;
    this.#jobs.delete(id);
    this.#summaries.delete(id);
    stored.stop();
    this.#index.markDirty();
    const previous = this.#removals.get(id);
    const removal = (async () => {
      await previous?.catch(() => undefined);
      await stored.settled();
      await this.#index.flush();
      await rm(stored.folder, { recursive: true, force: true });
      await removeFile(singleJobFile(join(this.dir, 'jobs'), id)); // a migration that never finished
    })();
    this.#removals.set(id, removal);
    try {
      await removal;
    } finally {
      if (this.#removals.get(id) === removal) this.#removals.delete(id);
    }
    return true;
  }

  /** Resolves when every change made so far is on disk; rejects if a write keeps failing. */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.#removals.values()]);
    const jobs = await Promise.allSettled([...this.#jobs.values()].map((stored) => stored.flush()));
    const index = await Promise.allSettled([this.#index.flush()]);
    const failed = [...jobs, ...index].find((result) => result.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  /** Refuses further changes, flushes, and stops every writer. */
  async close(): Promise<void> {
    this.#closed = true;
    try {
      await this.flush();
    } finally {
      for (const stored of this.#jobs.values()) stored.stop();
      this.#index.stop();
    }
  }

  #stored(record: JobRecord, pageSize: number): StoredJob {
    return new StoredJob(record, jobFolder(join(this.dir, 'jobs'), record.id), pageSize, this.#writerOptions());
  }

  /**
   * A job read from an earlier version's single file is written as pages, then the single
   * file goes; if writing fails, the single file stays (it is still read next time) and the
   * writes are retried with the next change.
   */
  async #finishMigration(job: LoadedJob): Promise<void> {
    if (job.leftover) await removeFile(job.leftover).catch((error: unknown) => this.#onError(new Error(`Could not delete ${job.leftover}, left over from moving a job to task pages (${describe(error)}); delete it by hand.`)));
    if (!job.migrateFrom) return;
    const stored = this.#jobs.get(job.record.id)!;
    try {
      await mkdir(stored.folder, { recursive: true });
      stored.markAll();
      await stored.flush();
      await removeFile(job.migrateFrom);
    } catch (error) {
      this.problems.push(`Could not move job ${job.record.id} from ${job.migrateFrom} to task pages in ${stored.folder} (${describe(error)}); it was loaded from the old file, which is kept until the move succeeds.`);
    }
  }

  #writerOptions(): CoalescedWriterOptions {
    const onDiskFull = this.#options.onDiskFull;
    const onError = onDiskFull ? (error: Error) => (isDiskFullError(error) ? onDiskFull(error) : this.#onError(error)) : this.#onError;
    return { delayMs: this.#options.delayMs, turns: this.#turns, onError, onWrite: this.#options.onWrite };
  }

  /** A change after close() is a shutdown race, not a crash: report it and drop it. */
  #refuseWhenClosed(jobId: string): boolean {
    if (this.#closed) this.#onError(new Error(`The job store is closed; a change to job ${jobId} was not saved.`));
    return this.#closed;
  }
}

function sameSummary(a: JobSummary, b: JobSummary): boolean {
  for (const key of Object.keys(b) as (keyof JobSummary)[]) if (a[key] !== b[key]) return false;
  return Object.keys(a).length === Object.keys(b).length;
}

async function removeFile(file: string): Promise<void> {
  await unlink(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/** The index, or null when it is missing or was set aside (it is then rebuilt). */
async function readIndex(file: string, problems: string[]): Promise<JobSummary[] | null> {
  let reason: string | null;
  try {
    const value = await new DataFile<unknown>(file, { parse: (text) => JSON.parse(text) as unknown, stringify: JSON.stringify }).read();
    if (value === null) return null;
    reason = indexProblem(value);
    if (reason === null) return value as JobSummary[];
  } catch (error) {
    reason = describe(error);
  }
  problems.push(
    await setAside(file, (aside, failed) =>
      aside
        ? `Could not read the job index ${file} (${reason}); it was set aside as ${aside} and rebuilt from the job files.`
        : `Could not read the job index ${file} (${reason}) nor set it aside (${failed}); it was rebuilt from the job files.`,
    ),
  );
  return null;
}

function indexProblem(value: unknown): string | null {
  if (!Array.isArray(value)) return 'it is not a list of jobs';
  const bad = value.findIndex((entry) => typeof entry !== 'object' || entry === null || !isValidJobId((entry as { id?: unknown }).id));
  return bad === -1 ? null : `entry ${bad} has no valid job id`;
}
