import type { TaskRecord } from '../model/job-model.js';

/**
 * Per-frame render times of a chunk of several frames, measured by the controller: the agent's
 * progress reports count the frames done (framesDone), so the moment that count grows is when
 * a frame ended. That is only as fine as the reports: frames ended between two reports (they
 * come at most every 250 ms) share the time since the last one evenly. Blender's lines reach
 * the agent in bursts, so a report right after another (under BURST_MS) belongs to it: the two
 * reports' frames share their time together. The first frame's time runs from the attempt's
 * start, so it includes the renderer's start-up (as a one-frame task's time does). A one-frame
 * task needs none of this: its start and end are its frame's time.
 */
const BURST_MS = 20;

export function noteFramesDone(task: TaskRecord, framesDone: number | undefined, now = Date.now()): void {
  if (framesDone === undefined || task.spec.type !== 'blender' || task.spec.frames.length < 2 || task.startedAt === null) return;
  const ended = task.frameEndedAt ?? [];
  const done = Math.min(framesDone, task.spec.frames.length);
  if (done <= ended.length) return;
  const endOf = (i: number) => (i >= 0 ? ended[i]! : task.startedAt!);
  const first = ended.length > 0 && now - endOf(ended.length - 1) < BURST_MS ? (task.frameReportStart ?? ended.length) : ended.length;
  const from = endOf(first - 1);
  ended.length = first;
  const step = Math.max(0, now - from) / (done - first);
  for (let i = 1; ended.length < done; i++) ended.push(Math.round(from + step * i));
  task.frameEndedAt = ended;
  task.frameReportStart = first;
}

/** The render time of each frame the attempt finished, in ms, in render order (for TaskView.frameTimesMs). */
export function frameTimesOf(task: Pick<TaskRecord, 'frameEndedAt' | 'startedAt'>): number[] | undefined {
  if (!task.frameEndedAt?.length || task.startedAt === null) return undefined;
  let last = task.startedAt;
  return task.frameEndedAt.map((end) => {
    const ms = end - last;
    last = end;
    return ms;
  });
}
