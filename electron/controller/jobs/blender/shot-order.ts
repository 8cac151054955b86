import type { OutputRef } from '../../../../node-agent/protocol/index.js';
import type { JobRecord, TaskRecord } from '../../model/job-model.js';
import { chainedOutputs, frameFiles } from '../expected-outputs.js';
import { parseFrameList } from '../frame-list.js';

/**
 * The shot's own order of frames, for a job whose tasks are not in it: a preview-first job
 * renders first, last, middle, … before the rest (preview-frames.ts), yet its frame grid shows
 * the shot in order and its video takes every frame in order. The order is the frame list as
 * submitted (`settings.frames`, which may run backwards or jump), else the scene's own range,
 * which runs upwards; it is read once per job.
 */

const positions = new WeakMap<JobRecord, (frame: number) => number>();

/** Whether the job's tasks leave the shot's order (it has preview tasks). */
export function tasksOutOfShotOrder(job: Pick<JobRecord, 'tasks'>): boolean {
  return job.tasks.some((t) => t.preview === true);
}

/** A frame's place in the shot's order (smaller comes first). */
export function shotPosition(job: JobRecord): (frame: number) => number {
  let position = positions.get(job);
  if (!position) {
    const text = job.settings.frames;
    if (typeof text === 'string') {
      const at = new Map<number, number>();
      for (const frame of parseFrameList(text)) if (!at.has(frame)) at.set(frame, at.size);
      position = (frame) => at.get(frame) ?? Number.MAX_SAFE_INTEGER;
    } else position = (frame) => frame;
    positions.set(job, position);
  }
  return position;
}

/**
 * The outputs of a task's dependencies as its inputs (`inputsFromDependencies`): in `dependsOn`
 * order, except that a frames-to-video task of a job whose tasks are out of the shot's order
 * gets its frames in the shot's order, each once.
 */
export function dependencyOutputs(job: JobRecord, task: TaskRecord, lookup: (taskId: string) => TaskRecord | undefined): OutputRef[] {
  const deps = task.dependsOn.map(lookup).filter((d): d is TaskRecord => d !== undefined);
  const outputs = deps.flatMap((d) => chainedOutputs(d));
  if (task.spec.type !== 'frames-video' || !tasksOutOfShotOrder(job)) return outputs;
  const frameOf = new Map<string, number>();
  for (const d of deps) if (d.spec.type === 'blender') for (const frame of d.spec.frames) frameOf.set(frameFiles(d.spec, frame)[0]!, frame);
  const position = shotPosition(job);
  const at = (o: OutputRef) => { const frame = frameOf.get(o.name); return frame === undefined ? Number.MAX_SAFE_INTEGER : position(frame); };
  return outputs.map((o, i) => ({ o, i, p: at(o) })).sort((a, b) => a.p - b.p || a.i - b.i).map((e) => e.o);
}
