import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { frameSamples, frameTimeChart, taskSamples, type TimeSample } from '../../../model/charts/frame-times.js';
import { taskTimeline } from '../../../model/charts/task-lanes.js';
import { transcodeStats } from '../../../model/charts/transcode-stats.js';
import { isRendered } from '../../../model/frame-cells.js';
import { useAgentsStore } from '../../../stores/agents-store.js';
import { FrameViewer } from '../../frame-viewer/frame-viewer.js';
import { useFramesStore } from '../../../stores/frames-store.js';
import type { JobSummary, TaskView } from '../../../../../electron/controller/api/contract.js';
import { FrameTimeChartView } from './frame-time-chart.js';
import { TaskTimelineChart } from './task-timeline-chart.js';
import { TranscodeStatsView } from './transcode-stats-view.js';
import { useThrottled } from './use-chart-hooks.js';

/**
 * The job's pictures: render time per frame (per task for jobs without frames), the tasks per
 * agent over time, and a transcode's speed and size. Recomputed at most twice a second from
 * the tasks the page already holds (once a second for a big job), and drawn with a bounded number of bars (bucketed or
 * merged), so a 10,000-task job costs the page a few hundred SVG elements.
 *
 * A rendered frame's bar opens it in the frame viewer; a frame not rendered yet calls
 * `onOpenFrame` with the frame and its task (the job detail opens the task).
 */
const MAX_FRAME_BARS = 240;
const TIMELINE_COLUMNS = 600;
const MAX_TIMELINE_BARS = 600;
const REFRESH_MS = 500;
/** A job this big is redrawn once a second: its figures move slowly, and its task table needs the frames. */
const BIG_JOB_TASKS = 2000;
const BIG_JOB_REFRESH_MS = 1000;
const NOTHING_YET: readonly TaskView[] = [];
const FIRST_DRAW_MS = 300;

export function JobCharts({ job, tasks, settings, onOpenFrame, onOpenTask }: {
  job: JobSummary;
  tasks: readonly TaskView[];
  settings: Record<string, unknown> | null;
  onOpenFrame(frame: number, taskId: string): void;
  onOpenTask(taskId: string): void;
}) {
  // No chart until the browser is idle after the view opened (at most FIRST_DRAW_MS): the job's
  // task grid shows first, then the charts of its 10,000 tasks are worked out. Later redraws are
  // deferred renders, which React interrupts for anything more urgent.
  const [ready, setReady] = useState(false);
  useEffect(() => {
    const id = requestIdleCallback(() => setReady(true), { timeout: FIRST_DRAW_MS });
    return () => cancelIdleCallback(id);
  }, []);
  const deferred = useDeferredValue(useThrottled(tasks, tasks.length > BIG_JOB_TASKS ? BIG_JOB_REFRESH_MS : REFRESH_MS));
  const shown = ready ? deferred : NOTHING_YET;
  // The charts are memoised and redraw only with new figures: the callbacks they get stay the same.
  const callbacks = useRef({ onOpenFrame, onOpenTask });
  callbacks.current = { onOpenFrame, onOpenTask };
  const frames = useFramesStore((s) => (job.type === 'blender' ? s.byJob[job.id]?.frames : undefined));
  // Names only: agents' busy counts change with every task, and must not redraw the timeline.
  const agentNames = useAgentsStore((s) => agentNamesKey(s.byId));
  const hasFrames = job.type === 'blender' && frames !== undefined;
  const chart = useMemo(() => {
    const samples = hasFrames ? frameSamples(frames!, shown) : taskSamples(shown);
    return frameTimeChart(samples, { unit: hasFrames ? 'frame' : 'task', total: hasFrames ? frames!.length : shown.length, maxBars: MAX_FRAME_BARS });
  }, [hasFrames, frames, shown]);
  const timeline = useMemo(() => {
    const names = new Map(agentNames ? agentNames.split('\u0001').map((pair) => pair.split('\u0000') as [string, string]) : []);
    return taskTimeline(shown, { now: Date.now(), agentName: (id) => names.get(id) ?? id, columns: TIMELINE_COLUMNS, maxBars: MAX_TIMELINE_BARS });
  }, [shown, agentNames]);
  // A rendered frame's bar opens the frame viewer (focus comes back to the bar when it closes);
  // any other bar opens its task.
  const [viewing, setViewing] = useState<number | null>(null);
  const opener = useRef<Element | null>(null);
  const latest = useRef({ frames, tasks });
  latest.current = { frames, tasks };
  const openSample = useCallback((s: TimeSample) => {
    const frame = hasFrames ? latest.current.frames?.find((f) => f.frame === s.key) : undefined;
    if (frame && isRendered(frame, latest.current.tasks[frame.taskIndex])) {
      opener.current = document.activeElement;
      setViewing(s.key);
    } else if (hasFrames) callbacks.current.onOpenFrame(s.key, s.taskId);
    else callbacks.current.onOpenTask(s.taskId);
  }, [hasFrames]);
  const openTask = useCallback((taskId: string) => callbacks.current.onOpenTask(taskId), []);
  const stats = useMemo(() => (job.type === 'transcode' && settings ? transcodeStats(shown, settings, Date.now()) : null), [job.type, shown, settings]);

  if (!ready) return <section className="job-charts" aria-busy="true" />;
  return (
    <section className="job-charts" aria-labelledby={`charts-${job.id}`}>
      <h2 id={`charts-${job.id}`}>Render times</h2>
      {stats ? <TranscodeStatsView stats={stats} /> : null}
      {chart.samples > 0 ? (
        <FrameTimeChartView chart={chart} onOpen={openSample} />
      ) : (
        <p className="muted">No {hasFrames ? 'frame' : 'task'} has finished yet: its render time shows here when one has.</p>
      )}
      <h3>Tasks per agent</h3>
      {timeline ? <TaskTimelineChart timeline={timeline} onOpen={openTask} /> : <p className="muted">No task has started yet: the timeline shows each agent's tasks once they do.</p>}
      {viewing !== null && frames ? (
        <FrameViewer jobId={job.id} jobName={job.name} frames={frames} tasks={tasks} startFrame={viewing} onClose={() => {
          setViewing(null);
          (opener.current as HTMLElement | SVGElement | null)?.focus?.();
        }} />
      ) : null}
    </section>
  );
}

/** Agents' ids and names as one string (`id\0name` joined by \1), so a selector can compare it by value. */
function agentNamesKey(byId: Record<string, { agentId: string; name: string }>): string {
  let key = '';
  for (const id in byId) key += `${key ? '\u0001' : ''}${id}\u0000${byId[id]!.name}`;
  return key;
}
