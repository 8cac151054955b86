import type { JobFrame, TaskView } from '../../../../electron/controller/api/contract.js';
import { median } from './chart-format.js';

/**
 * The per-frame render-time chart's model: one sample per finished frame (a render job) or
 * per finished task (other jobs), the slow ones (over SLOW_FACTOR × the median), and the bars
 * to draw: one per sample, or, past `maxBars`, consecutive samples bucketed into one bar that
 * is as tall as its slowest sample, so a slow frame still stands out among 10,000.
 */
export const SLOW_FACTOR = 1.5;
/** Fewer samples than this say nothing about what is slow. */
const MIN_SAMPLES_FOR_SLOW = 3;

export interface TimeSample {
  /** The frame number (render job) or the task's position + 1. */
  key: number;
  /** "frame 12" or the task's label. */
  label: string;
  taskId: string;
  ms: number;
  /** A chunk's time split evenly over its frames (no per-frame report): not the frame's own. */
  estimated: boolean;
}

export interface TimeBar {
  first: TimeSample;
  last: TimeSample;
  count: number;
  /** The slowest sample's time: the bar's height. */
  maxMs: number;
  meanMs: number;
  /** Samples over the threshold in the bar. */
  slowCount: number;
  /** What a click opens: the slowest sample. */
  target: TimeSample;
}

export interface FrameTimeChart {
  unit: 'frame' | 'task';
  samples: number;
  /** Frames (or tasks) in the job, measured or not. */
  total: number;
  medianMs: number | null;
  /** Above this a sample is slow; null with too few samples. */
  thresholdMs: number | null;
  slowCount: number;
  maxMs: number;
  bars: TimeBar[];
  /** Samples per bar (1: no bucketing). */
  perBar: number;
  estimated: boolean;
}

/**
 * Finished frames with their render time: a chunk's frames take its per-frame times where the
 * controller measured them (TaskView.frameTimesMs), else the chunk's time shared evenly; a
 * one-frame task's time is its frame's. Frames of tasks not finished have no sample yet.
 */
export function frameSamples(frames: readonly JobFrame[], tasks: readonly TaskView[]): TimeSample[] {
  const framesOfTask = new Int32Array(tasks.length);
  for (const f of frames) if (f.taskIndex < tasks.length) framesOfTask[f.taskIndex]!++;
  const samples: TimeSample[] = [];
  let lastTask = -1;
  let position = 0;
  for (const f of frames) {
    position = f.taskIndex === lastTask ? position + 1 : 0;
    lastTask = f.taskIndex;
    const task = tasks[f.taskIndex];
    if (!task || task.id !== f.taskId) continue;
    const measured = task.frameTimesMs?.[position];
    if (measured !== undefined) {
      samples.push({ key: f.frame, label: `frame ${f.frame}`, taskId: task.id, ms: measured, estimated: false });
      continue;
    }
    if (task.state !== 'succeeded' || task.startedAt === null || task.endedAt === null) continue;
    const count = Math.max(1, framesOfTask[f.taskIndex]!);
    samples.push({ key: f.frame, label: `frame ${f.frame}`, taskId: task.id, ms: (task.endedAt - task.startedAt) / count, estimated: count > 1 });
  }
  return samples;
}

/** Finished tasks with their time (jobs without frames: transcodes, no-op jobs). */
export function taskSamples(tasks: readonly TaskView[]): TimeSample[] {
  const samples: TimeSample[] = [];
  for (const t of tasks) {
    if (t.state !== 'succeeded' || t.startedAt === null || t.endedAt === null) continue;
    samples.push({ key: t.index + 1, label: t.label, taskId: t.id, ms: t.endedAt - t.startedAt, estimated: false });
  }
  return samples;
}

/** The threshold over which a sample is slow: SLOW_FACTOR × the median; null with too few samples. */
export function slowThreshold(samples: readonly TimeSample[]): { medianMs: number | null; thresholdMs: number | null } {
  const mid = median(samples.map((s) => s.ms));
  return { medianMs: mid, thresholdMs: mid !== null && samples.length >= MIN_SAMPLES_FOR_SLOW ? mid * SLOW_FACTOR : null };
}

export function frameTimeChart(samples: readonly TimeSample[], o: { unit: 'frame' | 'task'; total: number; maxBars: number }): FrameTimeChart {
  const { medianMs, thresholdMs } = slowThreshold(samples);
  const isSlow = (s: TimeSample) => thresholdMs !== null && s.ms > thresholdMs;
  const perBar = Math.max(1, Math.ceil(samples.length / Math.max(1, o.maxBars)));
  const bars: TimeBar[] = [];
  let slowCount = 0;
  let maxMs = 0;
  let estimated = false;
  for (let i = 0; i < samples.length; i += perBar) {
    const first = samples[i]!;
    let target = first;
    let sum = 0;
    let slow = 0;
    const end = Math.min(samples.length, i + perBar);
    for (let j = i; j < end; j++) {
      const s = samples[j]!;
      sum += s.ms;
      if (isSlow(s)) slow++;
      if (s.ms > target.ms) target = s;
      if (s.estimated) estimated = true;
    }
    slowCount += slow;
    maxMs = Math.max(maxMs, target.ms);
    bars.push({ first, last: samples[end - 1]!, count: end - i, maxMs: target.ms, meanMs: sum / (end - i), slowCount: slow, target });
  }
  return { unit: o.unit, samples: samples.length, total: o.total, medianMs, thresholdMs, slowCount, maxMs, bars, perBar, estimated };
}
