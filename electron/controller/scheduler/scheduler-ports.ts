import type { OutputRef } from '../../../node-agent/protocol/index.js';
import type { JobRecord, JobSummary, TaskRecord } from '../model/job-model.js';
import type { AgentView } from '../agents/agent-runtime.js';

/**
 * The narrow ports the scheduler needs, declared by the scheduler (the consumer owns its
 * ports, as in Flamenco). The lowdb store and the event hub satisfy them.
 */
export interface TaskStore {
  add(job: JobRecord, summary: JobSummary): void;
  /**
   * The live JobRecord was changed in place: persist it (coalesced). Pass `task` when only that
   * task changed (job-level fields that follow from it, such as endedAt, are noticed too): the
   * store then rewrites only the page holding it. Without `task` the whole job is saved.
   */
  update(jobId: string, summary: JobSummary, task?: TaskRecord): void;
  /**
   * Resolves once every change of the job so far is on disk (the scheduler acks outputs only
   * then); with `task`, only what holds that task and the job's own fields. It rides on writes
   * that happen anyway. Rejects if that write fails or the store closes first.
   */
  whenSaved?(jobId: string, task?: TaskRecord): Promise<void>;
  /** Deletes a job's documents. */
  remove?(jobId: string): Promise<boolean>;
  /** Writes everything not yet on disk, retrying writes that failed; rejects while one still fails. */
  flush?(): Promise<void>;
}

export interface SchedulerEvents {
  jobChanged(summary: JobSummary): void;
  taskChanged(task: TaskRecord): void;
  agentChanged(agent: AgentView): void;
  taskLog(taskId: string, attempt: number, lines: string[]): void;
  notice(level: 'info' | 'warn' | 'error', text: string): void;
  jobRemoved?(jobId: string): void;
}

/** Moves verified output files into the job's folder. */
export interface OutputSink {
  /** A temp path inside the task's output folder for an incoming output (throws if the name is unsafe). */
  tempPathFor(job: JobRecord, task: TaskRecord, name: string): Promise<string>;
  /**
   * Renames a verified temp file into place as `file.name`; returns the final path. Never
   * replaces a file another task of the job put there: that rejects with OutputConflictError.
   */
  commit(job: JobRecord, task: TaskRecord, file: { name: string; sha256: string }, tempPath: string): Promise<string>;
  /** The output's path when it is already in place with this hash (collected before a crash that came before the store heard of it). */
  alreadyHas?(job: JobRecord, task: TaskRecord, output: OutputRef): Promise<string | null>;
  /** Bytes that may still be written in the task's output folder (which exists once tempPathFor made it). */
  freeBytes?(job: JobRecord, task: TaskRecord): Promise<number>;
  /** The job is over: drop its intermediate files. */
  discardIntermediates(job: JobRecord): Promise<void>;
}
