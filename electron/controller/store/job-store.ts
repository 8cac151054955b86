import { mkdir, readdir, rename, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DataFile } from 'lowdb/node';
import type { JobRecord, JobSummary, TaskState } from '../model/job-model.js';
import type { TaskStore } from '../scheduler/scheduler-ports.js';
import { deriveJobState, emptyCounts } from '../scheduler/task-state.js';
import { CoalescedWriter } from './coalesced-writer.js';

/**
 * The controller's job store: lowdb JSON documents under `<dataDir>/store`, one per job
 * (`jobs/<id>.json`, so a task update rewrites only its own job) plus a small index of
 * summaries (`index.json`) for listing jobs without reading their tasks.
 *
 * The job files are the truth. At open, summaries are derived again from the loaded jobs, so
 * an index left stale or broken by a crash is simply rewritten. A file that cannot be read is
 * never replaced by an empty farm: it is renamed aside and reported in `problems`.
 */

export interface JobStoreOptions {
  /** A background write failed (it is retried on the next change or flush). */
  onError?(error: Error): void;
  /** Coalescing delay for every document (see CoalescedWriter). */
  delayMs?: number;
  /** A document reached the disk (for tests and measurements). */
  onWrite?(file: string): void;
}

const JOB_ID = /^[A-Za-z0-9_-]{1,64}$/;
const JOB_FILE = /^([A-Za-z0-9_-]{1,64})\.json$/;
const TASK_STATES: ReadonlySet<string> = new Set<TaskState>(['queued', 'assigned', 'running', 'succeeded', 'failed', 'canceled']);

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
  };
}

interface StoredJob {
  record: JobRecord;
  writer: CoalescedWriter<JobRecord>;
}

export class JobStore implements TaskStore {
  /** `<dataDir>/store`. */
  readonly dir: string;
  /** What went wrong while loading, one sentence each (files set aside, entries dropped). */
  readonly problems: string[];
  readonly #options: JobStoreOptions;
  readonly #onError: (error: Error) => void;
  readonly #jobs = new Map<string, StoredJob>();
  readonly #summaries = new Map<string, JobSummary>();
  readonly #index: CoalescedWriter<JobSummary[]>;
  /** Job files being deleted; a job re-added under the same id waits for its removal. */
  readonly #removals = new Map<string, Promise<void>>();
  #closed = false;

  private constructor(dir: string, o: JobStoreOptions, problems: string[]) {
    this.dir = dir;
    this.problems = problems;
    this.#options = o;
    this.#onError = o.onError ?? ((error) => console.error(error.message));
    this.#index = new CoalescedWriter(join(dir, 'index.json'), () => [...this.#summaries.values()], this.#writerOptions());
  }

  /** Loads `<dataDir>/store`; unreadable files are set aside and listed in `problems`. */
  static async open(dataDir: string, o: JobStoreOptions = {}): Promise<JobStore> {
    const dir = join(dataDir, 'store');
    const jobsDir = join(dir, 'jobs');
    await mkdir(jobsDir, { recursive: true });
    const problems: string[] = [];
    const index = await readIndex(join(dir, 'index.json'), problems);
    const loaded = await readJobs(jobsDir, problems);

    const store = new JobStore(dir, o, problems);
    const order = new Map<string, number>();
    for (const [position, entry] of (index ?? []).entries()) if (!order.has(entry.id)) order.set(entry.id, position);
    const records = [...loaded.records].sort((a, b) => (order.get(a.id) ?? Infinity) - (order.get(b.id) ?? Infinity) || a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
    for (const record of records) {
      store.#jobs.set(record.id, store.#stored(record));
      store.#summaries.set(record.id, summarizeJob(record));
    }
    for (const id of order.keys()) {
      if (store.#jobs.has(id) || loaded.setAside.has(id)) continue;
      problems.push(`The job index lists job ${id} but its file ${join(jobsDir, `${id}.json`)} is missing; the job was dropped from the index.`);
    }
    if (index === null || JSON.stringify(index) !== JSON.stringify(store.summaries())) store.#index.markDirty();
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
    const stored = this.#stored(job);
    this.#jobs.set(job.id, stored);
    this.#summaries.set(job.id, summary);
    const removal = this.#removals.get(job.id);
    if (removal) void removal.then(() => stored.writer.markDirty());
    else stored.writer.markDirty();
    this.#index.markDirty();
  }

  /** The live record of `jobId` was changed in place: save it (coalesced) and its summary. */
  update(jobId: string, summary: JobSummary): void {
    if (this.#refuseWhenClosed(jobId)) return;
    const stored = this.#jobs.get(jobId);
    if (!stored) throw new Error(`Job ${jobId} is not in the store; add it before updating it.`);
    stored.writer.markDirty();
    const previous = this.#summaries.get(jobId);
    this.#summaries.set(jobId, summary);
    if (!previous || !sameSummary(previous, summary)) this.#index.markDirty();
  }

  /** Forgets a job and deletes its file (after the index no longer lists it). False if unknown. */
  async remove(id: string): Promise<boolean> {
    const stored = this.#jobs.get(id);
    if (!stored) return false;
    this.#jobs.delete(id);
    this.#summaries.delete(id);
    stored.writer.stop();
    this.#index.markDirty();
    const previous = this.#removals.get(id);
    const removal = (async () => {
      await previous?.catch(() => undefined);
      await stored.writer.settled();
      await this.#index.flush();
      await unlink(stored.writer.file).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
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
    const jobs = await Promise.allSettled([...this.#jobs.values()].map((stored) => stored.writer.flush()));
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
      for (const stored of this.#jobs.values()) stored.writer.stop();
      this.#index.stop();
    }
  }

  #stored(record: JobRecord): StoredJob {
    const file = join(this.dir, 'jobs', `${record.id}.json`);
    return { record, writer: new CoalescedWriter(file, () => record, this.#writerOptions()) };
  }

  #writerOptions() {
    return { delayMs: this.#options.delayMs, onError: this.#onError, onWrite: this.#options.onWrite };
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

function jsonFile<T>(file: string): DataFile<T> {
  return new DataFile<T>(file, { parse: (text) => JSON.parse(text) as T, stringify: (value) => JSON.stringify(value) });
}

/** The index, or null when it is missing or was set aside (it is then rebuilt). */
async function readIndex(file: string, problems: string[]): Promise<JobSummary[] | null> {
  let reason: string | null;
  try {
    const value = await jsonFile<unknown>(file).read();
    if (value === null) return null;
    reason = indexProblem(value);
    if (reason === null) return value as JobSummary[];
  } catch (error) {
    reason = describe(error);
  }
  problems.push(await setAside(file, reason, 'the job index', 'it was rebuilt from the job files'));
  return null;
}

async function readJobs(jobsDir: string, problems: string[]): Promise<{ records: JobRecord[]; setAside: Set<string> }> {
  const records: JobRecord[] = [];
  const setAsideIds = new Set<string>();
  const names = (await readdir(jobsDir)).sort();
  for (const name of names) {
    const id = JOB_FILE.exec(name)?.[1];
    if (id === undefined) continue; // steno temp files, files set aside, anything foreign
    const file = join(jobsDir, name);
    let reason: string | null;
    try {
      const value = await jsonFile<unknown>(file).read();
      if (value === null) continue; // deleted since readdir
      reason = jobProblem(value, id);
      if (reason === null) {
        records.push(value as JobRecord);
        continue;
      }
    } catch (error) {
      reason = describe(error);
    }
    setAsideIds.add(id);
    problems.push(await setAside(file, reason, 'the job file', 'the other jobs were loaded'));
  }
  return { records, setAside: setAsideIds };
}

/** Renames a bad file to `<name>.corrupt-<timestamp>` and returns the sentence that reports it. */
async function setAside(file: string, reason: string, what: string, outcome: string): Promise<string> {
  const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  try {
    await rename(file, aside);
    return `Could not read ${what} ${file} (${reason}); it was set aside as ${basename(aside)} and ${outcome}.`;
  } catch (error) {
    return `Could not read ${what} ${file} (${reason}) nor set it aside (${describe(error)}); it was skipped and ${outcome}.`;
  }
}

function indexProblem(value: unknown): string | null {
  if (!Array.isArray(value)) return 'it is not a list of jobs';
  const bad = value.findIndex((entry) => !isObject(entry) || !isValidJobId(entry.id));
  return bad === -1 ? null : `entry ${bad} has no valid job id`;
}

/** Just enough shape to be sure the scheduler can take the record; the store wrote it itself. */
function jobProblem(value: unknown, id: string): string | null {
  if (!isObject(value)) return 'it is not a job record';
  if (value.id !== id) return `it holds job ${String(value.id)}, not ${id}`;
  if (typeof value.name !== 'string' || typeof value.type !== 'string') return 'its name or type is missing';
  if (!Array.isArray(value.tasks)) return 'its task list is missing';
  const bad = value.tasks.findIndex((task) => !isObject(task) || typeof task.id !== 'string' || !TASK_STATES.has(task.state as string));
  return bad === -1 ? null : `task ${bad} is malformed`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
