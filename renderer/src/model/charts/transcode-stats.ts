import type { TaskView } from '../../../../electron/controller/api/contract.js';

/**
 * A transcode's figures, from what its tasks report: frames encoded per second and the speed
 * against realtime over the job's wall time (first task's start to the join's end, or now),
 * and the output's size (the join's file, as its agent reported it). Frames encoded so far
 * count each video chunk by its progress; a chunk's frames come from its label ("frames
 * 0-149", "frame 150"), else the job's frames shared evenly.
 */
export interface TranscodeStats {
  /** Frames encoded so far, and of the whole video. */
  framesDone: number;
  frameCount: number;
  wallMs: number;
  fps: number | null;
  /** Seconds of video made per second of wall time. */
  speed: number | null;
  outputBytes: number | null;
  done: boolean;
}

export function transcodeStats(tasks: readonly TaskView[], settings: Record<string, unknown>, now: number): TranscodeStats | null {
  const frameCount = typeof settings.frameCount === 'number' ? settings.frameCount : null;
  const durationSeconds = typeof settings.durationSeconds === 'number' ? settings.durationSeconds : null;
  if (!frameCount || !durationSeconds) return null;
  const chunks = tasks.filter((t) => t.type === 'transcode-chunk');
  const join = tasks.find((t) => t.type === 'transcode-join');
  let first = Infinity;
  for (const t of tasks) if (t.startedAt !== null) first = Math.min(first, t.startedAt);
  const done = join?.state === 'succeeded' && join.endedAt !== null;
  let framesDone = 0;
  for (const c of chunks) framesDone += framesOfChunk(c, frameCount / Math.max(1, chunks.length)) * (c.state === 'succeeded' ? 1 : c.state === 'running' ? c.progress : 0);
  if (done) framesDone = frameCount;
  const wallMs = first === Infinity ? 0 : Math.max(0, (done ? join.endedAt! : now) - first);
  const seconds = wallMs / 1000;
  return {
    framesDone: Math.round(framesDone),
    frameCount,
    wallMs,
    fps: seconds > 0 && framesDone > 0 ? framesDone / seconds : null,
    speed: seconds > 0 && framesDone > 0 ? ((framesDone / frameCount) * durationSeconds) / seconds : null,
    outputBytes: done && join.outputBytes !== undefined ? join.outputBytes : null,
    done,
  };
}

function framesOfChunk(task: TaskView, fallback: number): number {
  const m = /^frames? (\d+)(?:-(\d+))?$/.exec(task.label);
  return m ? Number(m[2] ?? m[1]) - Number(m[1]) + 1 : fallback;
}
