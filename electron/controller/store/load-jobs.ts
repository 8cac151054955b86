import { open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobRecord, TaskRecord, TaskState } from '../model/job-model.js';
import { JOB_DOCUMENT_NAME, jobFolder, pageCount, pageFileName, recordFrom, singleJobFile, type JobDocument, type TaskPage } from './job-layout.js';
import { describe, setAside } from './set-aside.js';

/**
 * Reads every job under `store/jobs` at start-up, fast and whole or not at all.
 *
 * Fast: files are read in parallel (a few at a time, so the text of a big farm is never all
 * in memory at once) and each is only JSON.parse'd plus a few field checks per task.
 * Whole: a job whose document or any page cannot be read is set aside as one folder and
 * reported, never loaded with tasks missing (the scheduler would re-render or lose them).
 *
 * A folder holding neither a job document nor a task page is a submission whose first write
 * never finished (the disk was full, or the controller was killed in that moment): the job was
 * never taken, so its folder (temp files at most) is removed, not set aside as a damaged job.
 *
 * Jobs saved by earlier versions as one file (`jobs/<id>.json`, tasks inside) are read too and
 * handed back for migration. Both layouts for one id only exist while a migration was cut
 * short: a complete folder then wins (its single file is a leftover), else the single file does.
 */

export interface LoadedJob {
  record: JobRecord;
  pageSize: number;
  /** Loaded from this single file of an earlier version: write the pages, then delete it. */
  migrateFrom: string | null;
  /** A single file left over by a migration that finished writing the pages: delete it. */
  leftover: string | null;
}

export interface LoadedJobs {
  jobs: LoadedJob[];
  /** Ids whose files were set aside (so a missing index entry is not reported twice). */
  setAside: Set<string>;
}

/** Reads at most this many files at once: enough to keep the disk busy while parsing. */
const READ_CONCURRENCY = 4;
/** A slot's first read buffer: a page of 250 tasks is 80–150 KiB. */
const READ_BUFFER_BYTES = 1024 * 1024;
const JOB_ID = /^[A-Za-z0-9_-]{1,64}$/;
const SINGLE_FILE = /^([A-Za-z0-9_-]{1,64})\.json$/;
const TASK_STATES: ReadonlySet<string> = new Set<TaskState>(['queued', 'assigned', 'running', 'succeeded', 'failed', 'canceled']);

type Read = (file: string) => Promise<unknown>;
type Outcome = { job?: LoadedJob; problems: string[] };
/** Why a paged job could not be read: the file and the reason. */
type Unreadable = { file: string; what: 'document' | 'page'; reason: string };

export async function loadJobs(jobsDir: string, o: { pageSize: number; problems: string[] }): Promise<LoadedJobs> {
  const folders = new Set<string>();
  const singles = new Set<string>();
  for (const entry of await readdir(jobsDir, { withFileTypes: true })) {
    // Anything else is ignored: steno temp files, things set aside, foreign files.
    if (entry.isDirectory() && JOB_ID.test(entry.name)) folders.add(entry.name);
    const single = entry.isFile() ? SINGLE_FILE.exec(entry.name)?.[1] : undefined;
    if (single !== undefined) singles.add(single);
  }
  const read = limitedJsonReader(READ_CONCURRENCY);
  const ids = [...new Set([...folders, ...singles])].sort();
  const outcomes = await Promise.all(ids.map((id) => loadJob(jobsDir, id, { folder: folders.has(id), single: singles.has(id), pageSize: o.pageSize }, read)));

  const jobs: LoadedJob[] = [];
  const setAsideIds = new Set<string>();
  outcomes.forEach((outcome, i) => {
    if (outcome.job) jobs.push(outcome.job);
    else setAsideIds.add(ids[i]!);
    o.problems.push(...outcome.problems);
  });
  return { jobs, setAside: setAsideIds };
}

async function loadJob(jobsDir: string, id: string, has: { folder: boolean; single: boolean; pageSize: number }, read: Read): Promise<Outcome> {
  const folder = jobFolder(jobsDir, id);
  const paged = has.folder ? await readPagedJob(folder, id, read) : null;
  if (paged && 'record' in paged) return { job: { ...paged, migrateFrom: null, leftover: has.single ? singleJobFile(jobsDir, id) : null }, problems: [] };

  if (paged && !has.single && (paged as Unreadable).what === 'document' && (await neverSaved(folder))) {
    const removed = await rm(folder, { recursive: true, force: true }).then(() => 'its folder was removed', (error: unknown) => `its folder could not be removed (${describe(error)})`);
    return { problems: [`Job ${id} was never completely saved (its submission was cut short, e.g. by a full disk, and was not taken); ${removed}.`] };
  }

  const problems: string[] = [];
  if (has.single) {
    const file = singleJobFile(jobsDir, id);
    const single = await readSingleJob(file, id, read);
    // The folder, if any, is a migration cut short: the single file still holds the whole job.
    if ('record' in single) return { job: { record: single.record, pageSize: has.pageSize, migrateFrom: file, leftover: null }, problems: [] };
    const problem = await setAside(file, (aside, failed) =>
      aside
        ? `Could not read the job file ${file} (${single.reason}); it was set aside as ${aside} and the other jobs were loaded.`
        : `Could not read the job file ${file} (${single.reason}) nor set it aside (${failed}); job ${id} was skipped and the other jobs were loaded.`,
    );
    problems.push(problem);
    if (!paged) return { problems };
  }

  const bad = paged as Unreadable;
  const cause = bad.what === 'page' ? `task page ${bad.file} of job ${id}` : `the job document ${bad.file}`;
  const problem = await setAside(folder, (aside, failed) =>
    aside
      ? `Could not read ${cause} (${bad.reason}); the whole job was set aside as ${aside} rather than loaded with tasks missing, and the other jobs were loaded.`
      : `Could not read ${cause} (${bad.reason}) nor set the job folder aside (${failed}); job ${id} was skipped and the other jobs were loaded.`,
  );
  problems.push(problem);
  return { problems };
}

/** The folder holds no job document and no task page: nothing of a job was ever saved in it. */
async function neverSaved(folder: string): Promise<boolean> {
  const names = await readdir(folder).catch(() => null);
  return names !== null && !names.some((name) => name === JOB_DOCUMENT_NAME || /^tasks-\d+\.json$/.test(name));
}

async function readPagedJob(folder: string, id: string, read: Read): Promise<{ record: JobRecord; pageSize: number } | Unreadable> {
  const documentFile = join(folder, JOB_DOCUMENT_NAME);
  let document: JobDocument;
  try {
    const value = await read(documentFile);
    const reason = documentProblem(value, id);
    if (reason) return { file: documentFile, what: 'document', reason };
    document = value as JobDocument;
  } catch (error) {
    return { file: documentFile, what: 'document', reason: describe(error) };
  }

  const size = document.taskPageSize;
  const count = pageCount(document.taskCount, size);
  const files = Array.from({ length: count }, (_, page) => join(folder, pageFileName(page)));
  const pages = await Promise.all(files.map((file) => read(file).then((value) => ({ value }), (error: unknown) => ({ error }))));
  const tasks: TaskRecord[] = [];
  for (const [page, result] of pages.entries()) {
    const file = files[page]!;
    if ('error' in result) return { file, what: 'page', reason: describe(result.error) };
    const first = page * size;
    // The last page may hold another number of tasks than the document says: a chunk re-plan
    // (scheduler/chunk-replanner.ts) rewrites only the job's last page and its document, two
    // files, and a crash between them leaves either whole. The page, written at once, is the truth.
    const last = page === count - 1;
    const reason = pageProblem(result.value, id, first, Math.min(size, document.taskCount - first), last ? size : undefined);
    if (reason) return { file, what: 'page', reason };
    for (const task of (result.value as TaskPage).tasks) tasks.push(task);
  }
  return { record: recordFrom(document, tasks), pageSize: size };
}

async function readSingleJob(file: string, id: string, read: Read): Promise<{ record: JobRecord } | { reason: string }> {
  try {
    const value = await read(file);
    const reason = singleJobProblem(value, id);
    return reason ? { reason } : { record: value as JobRecord };
  } catch (error) {
    return { reason: describe(error) };
  }
}

/** Just enough shape to be sure the scheduler can take the record; the store wrote it itself. */
function documentProblem(value: unknown, id: string): string | null {
  if (!isObject(value)) return 'it is not a job document';
  if (value.id !== id) return `it holds job ${String(value.id)}, not ${id}`;
  if (typeof value.name !== 'string' || typeof value.type !== 'string') return 'its name or type is missing';
  if (!isCount(value.taskCount) || !isCount(value.taskPageSize) || value.taskPageSize === 0) return 'its task count or page size is missing';
  return null;
}

/** `upTo`: the last page, which may hold 1..upTo tasks whatever the document says (see readPagedJob). */
function pageProblem(value: unknown, id: string, first: number, length: number, upTo?: number): string | null {
  if (!isObject(value) || !Array.isArray(value.tasks)) return 'it is not a task page';
  if (value.jobId !== id || value.first !== first) return `it holds tasks of job ${String(value.jobId)} from ${String(value.first)}, not of job ${id} from ${first}`;
  const fits = upTo === undefined ? value.tasks.length === length : value.tasks.length >= 1 && value.tasks.length <= upTo;
  if (!fits) return `it holds ${value.tasks.length} tasks where the job document expects ${length}`;
  return tasksProblem(value.tasks, id);
}

function singleJobProblem(value: unknown, id: string): string | null {
  if (!isObject(value)) return 'it is not a job record';
  if (value.id !== id) return `it holds job ${String(value.id)}, not ${id}`;
  if (typeof value.name !== 'string' || typeof value.type !== 'string') return 'its name or type is missing';
  if (!Array.isArray(value.tasks)) return 'its task list is missing';
  return tasksProblem(value.tasks, id);
}

function tasksProblem(tasks: unknown[], jobId: string): string | null {
  for (let i = 0; i < tasks.length; i++) {
    const task = tasks[i];
    if (!isObject(task) || typeof task.id !== 'string' || task.jobId !== jobId || !TASK_STATES.has(task.state as string)) return `task ${i} is malformed`;
  }
  return null;
}

/**
 * Reads and parses JSON files, at most `limit` at a time. Each slot reads into a buffer it
 * keeps (grown as needed) and parses before the next file, so loading touches little fresh
 * memory: on the VMs measured, first-touching a page costs about as much as parsing it.
 */
function limitedJsonReader(limit: number): Read {
  const idle: Buffer[] = [];
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (file) => {
    if (running < limit) running++;
    else await new Promise<void>((resolve) => waiting.push(resolve)); // the slot is handed over by release
    let buffer = idle.pop() ?? Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
    try {
      const read = await readInto(file, buffer);
      buffer = read.buffer;
      return JSON.parse(buffer.toString('utf8', 0, read.length)) as unknown;
    } finally {
      idle.push(buffer);
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/** The whole file into `buffer`, or into a bigger one when it does not fit. */
async function readInto(file: string, buffer: Buffer): Promise<{ buffer: Buffer; length: number }> {
  const handle = await open(file, 'r');
  try {
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        const bigger = Buffer.allocUnsafeSlow(buffer.length * 2);
        buffer.copy(bigger);
        buffer = bigger;
      }
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) return { buffer, length };
      length += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}
