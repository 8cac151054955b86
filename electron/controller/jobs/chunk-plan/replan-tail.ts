import type { TaskRecord } from '../../model/job-model.js';
import { formatFrameList } from '../frame-list.js';
import { framesLabel } from '../frames-label.js';
import { newTask } from '../new-job.js';

/**
 * Which chunks of a Blender job may still be re-planned, and the tasks that replace them.
 * Pure: the scheduler's verb (task-verbs.ts `replan`) applies the result.
 *
 * Only the job's tail is re-planned: the run of frame chunks at the end of its task list that
 * were never handed out (queued, attempt 0, no failure, not a preview), plus the trailing
 * `frames-video` task when it waits on them. The dispatcher hands a job's fresh chunks out
 * in list order, so the never-started ones are exactly such a run; anything that ran, runs,
 * failed and waits for its retry, or is a preview (H2's sparse first frames) stays as it is.
 * Replacing a whole tail keeps task ids positional (`<job>.<index>`) and the job's pages in
 * order; the ids given out anew were never seen by an agent (attempt 0), so no late report
 * can reach one of them.
 */

export interface ReplannableTail {
  /** Position of the tail's first chunk. */
  start: number;
  /** The frames of the tail's chunks, in their order. */
  frames: number[];
  /** How many frames each tail chunk has now. */
  sizes: number[];
  /** The trailing frames-video task, when the job has one. */
  video: TaskRecord | null;
}

/** A task H2's preview-first marks (`preview: true`): its single frame is never re-planned. */
export function isPreviewTask(task: TaskRecord): boolean {
  return (task as { preview?: unknown }).preview === true;
}

function neverStarted(task: TaskRecord): boolean {
  return task.state === 'queued' && task.attempt === 0 && task.failures === 0 && task.agentId === null;
}

/** The tail that may be re-planned, or null when there is none; it starts at `notBefore` at the earliest. */
export function replannableTail(tasks: readonly TaskRecord[], notBefore = 0): ReplannableTail | null {
  let end = tasks.length;
  let video: TaskRecord | null = null;
  const last = tasks[end - 1];
  if (last?.spec.type === 'frames-video') {
    if (!neverStarted(last)) return null;
    video = last;
    end--;
  }
  let start = end;
  while (start > notBefore) {
    const task = tasks[start - 1]!;
    if (task.spec.type !== 'blender' || !neverStarted(task) || isPreviewTask(task)) break;
    start--;
  }
  if (start === end) return null;
  const chunks = tasks.slice(start, end).map((t) => (t.spec.type === 'blender' ? t.spec.frames : []));
  return { start, frames: chunks.flat(), sizes: chunks.map((c) => c.length), video };
}

/**
 * The tasks that take the tail's place, from position `tail.start`: one per chunk (each a copy
 * of the tail's first chunk with its own frames), then the video task, depending on every
 * frame chunk of the job again, in order.
 */
export function replacementTasks(tasks: readonly TaskRecord[], tail: ReplannableTail, chunks: readonly number[][]): TaskRecord[] {
  const template = tasks[tail.start]!;
  if (template.spec.type !== 'blender') throw new Error('a re-planned tail starts with a Blender chunk');
  const spec = template.spec;
  const jobId = template.jobId;
  const fresh = chunks.map((frames, i) =>
    newTask(jobId, tail.start + i, framesLabel(formatFrameList(frames), frames.length), { ...spec, frames: [...frames] }, template.inputs.map((f) => ({ ...f })), [...template.dependsOn], {
      inputsFromDependencies: template.inputsFromDependencies ?? false,
      intermediate: template.intermediate ?? false,
    }));
  if (!tail.video) return fresh;
  const kept = tasks.slice(0, tail.start).filter((t) => tail.video!.dependsOn.includes(t.id)).map((t) => t.id);
  const video: TaskRecord = {
    ...tail.video,
    id: `${jobId}.${tail.start + fresh.length}`,
    index: tail.start + fresh.length,
    dependsOn: [...kept, ...fresh.map((t) => t.id)],
  };
  return [...fresh, video];
}
