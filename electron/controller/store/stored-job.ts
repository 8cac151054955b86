import { join } from 'node:path';
import type { JobRecord, TaskRecord } from '../model/job-model.js';
import { CoalescedWriter, type CoalescedWriterOptions } from './coalesced-writer.js';
import { JOB_DOCUMENT_NAME, jobDocument, pageCount, pageFileName, taskPage, type JobDocument, type TaskPage } from './job-layout.js';

/**
 * One job in the store: its live record and a writer per file (the job document and each task
 * page), so that a change to one task rewrites one page.
 *
 * Job-level fields the scheduler changes as a side effect of task changes (paused, canceled,
 * failure, priority, endedAt, name, the number of tasks) are compared on every task change,
 * so the job document is saved even when the caller only named a task. Deeper job-level edits
 * (tags, settings, input files) need an update without a task, which saves everything.
 */

type JobLevelFields = Pick<JobRecord, 'paused' | 'canceled' | 'failure' | 'priority' | 'endedAt' | 'name'> & { taskCount: number };

export class StoredJob {
  readonly record: JobRecord;
  readonly folder: string;
  readonly pageSize: number;
  readonly #options: CoalescedWriterOptions;
  readonly #document: CoalescedWriter<JobDocument>;
  #pages: CoalescedWriter<TaskPage>[] = [];
  #seen: JobLevelFields;
  /** Position of each task, built only for records whose `index` is not their position. */
  #positions: Map<TaskRecord, number> | null = null;
  /** Set while the job may not be written yet (its folder is being made, or an older job of the same id removed). */
  #ready: Promise<void> | null = null;

  constructor(record: JobRecord, folder: string, pageSize: number, writerOptions: CoalescedWriterOptions) {
    this.record = record;
    this.folder = folder;
    this.pageSize = pageSize;
    this.#options = writerOptions;
    this.#document = new CoalescedWriter(join(folder, JOB_DOCUMENT_NAME), () => jobDocument(record, pageSize), writerOptions);
    this.#seen = jobLevelFields(record);
    this.#matchPages();
  }

  /** Nothing is written before `ready` settles (the folder exists, an older job of the same id is gone); then everything is. */
  writeAfter(ready: Promise<void>): void {
    const go = () => {
      this.#ready = null;
      this.markAll();
    };
    this.#ready = ready.then(go, go);
  }

  /** Everything may have changed (a new job, a migration, or a caller that did not say what). */
  markAll(): void {
    if (this.#ready) return; // everything is written once ready
    if (this.record.tasks.length !== this.#seen.taskCount) this.#matchPages();
    this.#seen = jobLevelFields(this.record);
    this.#document.markDirty();
    for (const page of this.#pages) page.markDirty();
  }

  /** `task` changed (and perhaps the job-level fields that follow from it): save its page. */
  markTask(task: TaskRecord): void {
    if (this.#ready) return; // everything is written once ready
    if (this.record.tasks.length !== this.#seen.taskCount) return this.markAll(); // pages shift or grow
    const position = this.#positionOf(task);
    if (position === -1) return this.markAll(); // not one of ours: save everything rather than guess
    this.#pages[Math.floor(position / this.pageSize)]!.markDirty();
    if (!sameJobLevelFields(this.#seen, this.record)) {
      this.#seen = jobLevelFields(this.record);
      this.#document.markDirty();
    }
  }

  /**
   * Resolves once every change marked so far is on disk (see CoalescedWriter.whenWritten):
   * of the whole job, or with `task` only of its page and the job document, which is all a
   * task's own durability needs and does not wait for pages other tasks keep dirty.
   */
  whenSaved(task?: TaskRecord): Promise<void> {
    if (this.#ready) return this.#ready.then(() => this.whenSaved(task));
    const position = task ? this.#positionOf(task) : -1;
    const pages = position === -1 ? this.#pages : [this.#pages[Math.floor(position / this.pageSize)]!];
    let pending: Promise<void>[] | null = null;
    if (this.#document.dirty) pending = [this.#document.whenWritten()];
    for (const page of pages) if (page.dirty) (pending ??= []).push(page.whenWritten());
    if (pending === null) return Promise.resolve();
    return pending.length === 1 ? pending[0]! : Promise.all(pending).then(() => undefined);
  }

  /** Writes what is dirty now; rejects with the first failure after trying every file. */
  async flush(): Promise<void> {
    await this.#ready;
    const results = await Promise.allSettled([this.#document, ...this.#pages].map((writer) => writer.flush()));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  /** Stops every writer at once (a write in flight still completes). */
  stop(): void {
    this.#document.stop();
    for (const page of this.#pages) page.stop();
  }

  /** Waits for writes already in flight (and for the folder to exist, so a removal deletes it after). */
  async settled(): Promise<void> {
    await this.#ready;
    await Promise.all([this.#document, ...this.#pages].map((writer) => writer.settled()));
  }

  /** One writer per page the task list needs now; pages no longer needed stop being written. */
  #matchPages(): void {
    const count = pageCount(this.record.tasks.length, this.pageSize);
    for (const extra of this.#pages.slice(count)) extra.stop();
    this.#pages = this.#pages.slice(0, count);
    for (let page = this.#pages.length; page < count; page++) {
      this.#pages.push(new CoalescedWriter(join(this.folder, pageFileName(page)), () => taskPage(this.record, page, this.pageSize), this.#options));
    }
    this.#positions = null;
  }

  #positionOf(task: TaskRecord): number {
    const tasks = this.record.tasks;
    if (tasks[task.index] === task) return task.index; // the usual case: index is the position
    const known = this.#positions?.get(task);
    if (known !== undefined && tasks[known] === task) return known;
    this.#positions = new Map(tasks.map((t, position) => [t, position]));
    return this.#positions.get(task) ?? -1;
  }
}

function jobLevelFields(record: JobRecord): JobLevelFields {
  const { paused, canceled, failure, priority, endedAt, name } = record;
  return { paused, canceled, failure, priority, endedAt, name, taskCount: record.tasks.length };
}

function sameJobLevelFields(seen: JobLevelFields, record: JobRecord): boolean {
  return (
    seen.paused === record.paused &&
    seen.canceled === record.canceled &&
    seen.failure === record.failure &&
    seen.priority === record.priority &&
    seen.endedAt === record.endedAt &&
    seen.name === record.name
  );
}
