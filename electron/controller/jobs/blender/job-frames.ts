import type { JobRecord, TaskRecord } from '../../model/job-model.js';
import { collectedFrames } from '../expected-outputs.js';
import { shotPosition, tasksOutOfShotOrder } from './shot-order.js';

/**
 * The frames of a render job, in the order its tasks render them (a preview-first job's in the
 * shot's order: shot-order.ts), and where each frame's file
 * is once collected: what the job detail's frame grid shows. Built once per job and kept while
 * the job's record lives, until its task list changes: a re-plan (chunk-plan/replan-tail.ts)
 * replaces the queued tail with new task records, and an index still naming the old ones would
 * never see those frames arrive.
 */
export interface JobFrameIndex {
  /** Frame numbers in task order; a frame appears once (frame lists are deduplicated). */
  frames: number[];
  /** The task that renders frames[i]. */
  tasks: TaskRecord[];
  /** Position in `frames` of each frame number. */
  positionOf: Map<number, number>;
}

const indexes = new WeakMap<JobRecord, { index: JobFrameIndex; tasks: readonly TaskRecord[] }>();

/** Whether the job's tasks are still the very records the index was built from (one pass of identity checks). */
function sameTasks(job: JobRecord, built: readonly TaskRecord[]): boolean {
  if (job.tasks.length !== built.length) return false;
  for (let i = 0; i < built.length; i++) if (job.tasks[i] !== built[i]) return false;
  return true;
}

export function jobFrameIndex(job: JobRecord): JobFrameIndex {
  const cached = indexes.get(job);
  let index = cached && sameTasks(job, cached.tasks) ? cached.index : undefined;
  if (!index) {
    index = { frames: [], tasks: [], positionOf: new Map() };
    for (const task of job.tasks) {
      for (const frame of framesMadeBy(task)) {
        if (index.positionOf.has(frame)) continue;
        index.positionOf.set(frame, index.frames.length);
        index.frames.push(frame);
        index.tasks.push(task);
      }
    }
    if (tasksOutOfShotOrder(job)) index = inShotOrder(job, index);
    indexes.set(job, { index, tasks: job.tasks.slice() });
  }
  return index;
}

/** A preview-first job's frames in the shot's order, not its tasks': the sparse preview frames land in their places. */
function inShotOrder(job: JobRecord, index: JobFrameIndex): JobFrameIndex {
  const position = shotPosition(job);
  const order = index.frames.map((_, i) => i).sort((a, b) => position(index.frames[a]!) - position(index.frames[b]!) || a - b);
  const frames = order.map((i) => index.frames[i]!);
  return { frames, tasks: order.map((i) => index.tasks[i]!), positionOf: new Map(frames.map((f, i) => [f, i])) };
}

/**
 * The name of the frame's file among the task's collected outputs, or null when it has not
 * arrived: the names the controller expects (expected-outputs.ts), so a File Output pass that
 * ends in the same number (`passes/fg_0001.png`) is never taken for the frame, and a stereo
 * frame saved per view shows its first view once every view is there. The names are indexed
 * once per change of the list, so a 10,000-frame chunk is not scanned per frame.
 */
export function collectedFrameFile(task: TaskRecord, frame: number): string | null {
  let seen = collectedIndexes.get(task);
  if (!seen || seen.list !== task.collected || seen.length !== task.collected.length) {
    const byFrame = new Map<number, string>();
    if (task.spec.type === 'blender') for (const f of collectedFrames(task.spec, task.collected)) byFrame.set(f.frame, f.file);
    if (task.spec.type === 'tiles-merge' && task.collected.includes(task.spec.outputName)) byFrame.set(task.spec.frame, task.spec.outputName);
    seen = { list: task.collected, length: task.collected.length, byFrame };
    collectedIndexes.set(task, seen);
  }
  return seen.byFrame.get(frame) ?? null;
}

/** The frames whose files a task puts in the job's folder: a render chunk's, a tiled still's merge (never its tiles). */
export function framesMadeBy(task: TaskRecord): readonly number[] {
  if (task.spec.type === 'blender') return task.spec.region ? [] : task.spec.frames;
  if (task.spec.type === 'tiles-merge') return [task.spec.frame];
  return [];
}

const collectedIndexes = new WeakMap<TaskRecord, { list: string[]; length: number; byFrame: Map<number, string> }>();
