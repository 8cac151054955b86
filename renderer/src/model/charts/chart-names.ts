import { formatChartMs } from './chart-format.js';
import type { FrameTimeChart, TimeBar } from './frame-times.js';
import type { Lane, Timeline, TimelineBar } from './task-lanes.js';

/**
 * The charts in words: each bar's accessible name (what a screen reader says and the tooltip
 * shows) and each figure's caption, which names what is slow, so nothing is told by colour.
 */

/** A bar in words: "frame 12: 1.5 s, slow"; a bucket: "frames 1 – 40: slowest 3.2 s (frame 17), mean 1.1 s, 2 slow". */
export function barName(bar: TimeBar, chart: Pick<FrameTimeChart, 'unit'>): string {
  const estimate = bar.target.estimated ? ' (chunk average)' : '';
  if (bar.count === 1) return `${bar.first.label}: ${formatChartMs(bar.maxMs)}${estimate}${bar.slowCount ? ', slow' : ''}`;
  const range = chart.unit === 'frame' ? `frames ${bar.first.key} – ${bar.last.key}` : `tasks ${bar.first.label} – ${bar.last.label}`;
  return `${range}: slowest ${formatChartMs(bar.maxMs)}${estimate} (${bar.target.label}), mean ${formatChartMs(bar.meanMs)}${bar.slowCount ? `, ${bar.slowCount} slow` : ''}`;
}

/** The figure's caption: what the chart shows in one sentence, the slow ones named. */
export function frameChartCaption(chart: FrameTimeChart): string {
  const noun = chart.unit === 'frame' ? 'frame' : 'task';
  const head = `Render time per ${noun}: ${chart.samples} of ${chart.total} ${noun}s finished, median ${formatChartMs(chart.medianMs ?? 0)}`;
  if (chart.thresholdMs === null) return `${head}.`;
  if (chart.slowCount === 0) return `${head}, none slow (over ${formatChartMs(chart.thresholdMs)}).`;
  const slowest = chart.bars.filter((b) => b.slowCount > 0).map((b) => b.target).sort((a, b) => b.ms - a.ms).slice(0, 3);
  const named = slowest.map((s) => `${s.label} ${formatChartMs(s.ms)}`).join(', ');
  return `${head}, ${chart.slowCount} slow (over ${formatChartMs(chart.thresholdMs)}): ${named}${chart.slowCount > slowest.length ? ', …' : ''}.`;
}

/** A bar in words: "noop 3 on agent-b: 1.5 s"; merged: "noop 1 – noop 40 on agent-b: 40 tasks over 12 s". */
export function timelineBarName(bar: TimelineBar, lane: Pick<Lane, 'name' | 'slow'>): string {
  const what = bar.count === 1 ? bar.first.label : `${bar.first.label} – ${bar.last.label}`;
  const time = bar.count === 1 ? formatChartMs(bar.end - bar.start) : `${bar.count} tasks over ${formatChartMs(bar.end - bar.start)}`;
  return `${what} on ${lane.name}: ${time}${bar.running ? ', running' : ''}${lane.slow ? ' (slow agent)' : ''}`;
}

/** The figure's caption: agents, tasks, the time span, and the slow agents named. */
export function timelineCaption(timeline: Timeline): string {
  const tasks = timeline.lanes.reduce((n, l) => n + l.taskCount, 0);
  const head = `Tasks per agent over time: ${timeline.lanes.length} agent${timeline.lanes.length === 1 ? '' : 's'}, ${tasks} task${tasks === 1 ? '' : 's'} over ${formatChartMs(timeline.end - timeline.start)}`;
  const slow = timeline.lanes.filter((l) => l.slow);
  if (slow.length === 0) return `${head}.`;
  return `${head}. Slow: ${slow.map((l) => `${l.name} (${formatChartMs(l.meanMs ?? 0)} per task against ${formatChartMs(l.othersMeanMs ?? 0)})`).join(', ')}.`;
}
