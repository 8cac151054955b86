import type { FileRef, JobWorkspace, OutputRef, TaskSpec } from '../../../node-agent/protocol/index.js';
import type { JobState, JobSummary, JobType, TaskAttemptView, TaskState } from '../api/views.js';

/**
 * The records the controller keeps for every job and task. They are plain JSON (they are
 * what the store writes), and the scheduler owns every change to them.
 */

/** The states, job types and job summary the API shows are defined with the contract (api/views.ts). */
export type { JobState, JobSummary, JobType, TaskState };

export interface TaskRecord {
  id: string;
  jobId: string;
  /** Position in the job, for ordering and display. */
  index: number;
  label: string;
  state: TaskState;
  /** Attempt number of the current (or last) assignment; 0 = never assigned. */
  attempt: number;
  /** Attempts that ended in failure (lost agents do not count). */
  failures: number;
  spec: TaskSpec;
  inputs: FileRef[];
  /** The outputs of every dependency (in `dependsOn` order) are appended to `inputs` when it is assigned. */
  inputsFromDependencies?: boolean;
  /** Intermediate outputs (video chunks, audio) go to the job's work folder, not the user's, and agents keep them cached for the tasks that consume them. */
  intermediate?: boolean;
  /** Ids of tasks that must succeed first. */
  dependsOn: string[];
  agentId: string | null;
  progress: number;
  outputs: OutputRef[];
  /** Output files already written into the job's folder (relative names). */
  collected: string[];
  error: string | null;
  /** What the tool warned about in the attempt that succeeded (task.done `warnings`); absent when none. */
  warnings?: string[];
  startedAt: number | null;
  endedAt: number | null;
  /** When each frame of the current attempt ended (epoch ms, render order), for a chunk of several frames (frame-times.ts); absent before the first. */
  frameEndedAt?: number[];
  /** The first frame the last progress report ended (frame-times.ts): a report right after it shares its time. */
  frameReportStart?: number;
  /**
   * A preview-first job's single-frame preview task (jobs/preview-frames.ts): it sits at the
   * lowest indices so it dispatches first, and a re-plan of queued chunks never touches it.
   */
  preview?: true;
  /** Blender's start-up in the current attempt (process start → first `Fra:` line, ms), as its agent reported it: the chunk planner's measure (chunk-plan/). */
  startupMs?: number;
  /** Its attempts, oldest first (the last few dozen: attempt-history.ts), so a wrangler sees which agent failed it and when. */
  history?: TaskAttemptView[];
}

export interface JobRecord {
  id: string;
  name: string;
  type: JobType;
  priority: number;
  createdAt: number;
  /** Explicit user pause; the rest of the job state is derived from its tasks. */
  paused: boolean;
  /**
   * Why the controller paused the job (with `paused`): two agents' first attempts failed with the
   * same fault of the scene (scheduler/fail-fast.ts). Lifted when the job is resumed.
   */
  pauseReason?: string;
  /** Set when the whole job failed at once (e.g. an unrecoverable scene error). */
  failure: string | null;
  canceled: boolean;
  /** What the user should know about the whole job from its submit (files missing, submitted with --allow-missing). */
  warnings?: string[];
  tags: string[];
  outputDir: string;
  /** Local files the tasks' inputs are read from, by content hash (sent to agents on request). */
  inputFiles: { sha256: string; size: number; path: string }[];
  /**
   * A Blender job's workspace on the agents (the scene's place, its files, its path map): kept
   * once here, in the job document, and sent once per agent connection as `job.workspace`, so
   * neither the task pages nor each task.assign carry a shot's list of thousands of files.
   * Absent when the scene needs no other file and no path map (its tasks name just scenePath).
   */
  workspace?: JobWorkspace;
  settings: Record<string, unknown>;
  tasks: TaskRecord[];
  endedAt: number | null;
}

/** Intermediate outputs of a job live here until the job is done: beside its outputs, so renames stay atomic. */
export function jobWorkDir(job: Pick<JobRecord, 'id' | 'outputDir'>): string {
  return `${job.outputDir.replace(/\/+$/, '')}/.farmhand-work-${job.id}`;
}
