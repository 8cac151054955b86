import { memo, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { formatChartMs, niceTicks } from '../../../model/charts/chart-format.js';
import { timelineBarName, timelineCaption } from '../../../model/charts/chart-names.js';
import { SLOW_LANE_FACTOR, type Lane, type Timeline, type TimelineBar } from '../../../model/charts/task-lanes.js';
import { focusBar, useWidth } from './use-chart-hooks.js';

/**
 * The job's tasks over time, one lane per agent (a Gantt chart in SVG): empty stretches of a
 * lane are its idle gaps, and a slow agent's lane is labelled "slow" with its time per task.
 * The bars are one tab stop: Left/Right move along a lane, Up/Down to the nearest bar of the
 * lane above or below, Enter opens the task. A table gives each lane's figures in words.
 */
const LABEL_W = 170;
const RIGHT = 10;
const AXIS_H = 22;
const ROW_H = 14;
const LANE_PAD = 5;

interface PlacedBar {
  bar: TimelineBar;
  lane: number;
  row: number;
}

export const TaskTimelineChart = memo(function TaskTimelineChart({ timeline, onOpen }: { timeline: Timeline; onOpen(taskId: string): void }) {
  const wrapRef = useRef<HTMLDivElement>(null);
  const svgRef = useRef<SVGSVGElement>(null);
  const width = useWidth(wrapRef, 720);
  const captionId = useId();
  const [active, setActive] = useState(0);
  const plotW = width - LABEL_W - RIGHT;
  const span = Math.max(1, timeline.end - timeline.start);
  const x = (t: number) => LABEL_W + ((t - timeline.start) / span) * plotW;
  const ticks = niceTicks(span, Math.max(2, Math.floor(plotW / 90)));

  // Bars in keyboard order: lane by lane, each lane's bars by start time.
  const { bars, laneTops, height } = useMemo(() => {
    const placed: PlacedBar[] = [];
    const tops: number[] = [];
    let top = AXIS_H;
    timeline.lanes.forEach((lane, l) => {
      tops.push(top);
      const inLane: PlacedBar[] = [];
      lane.rows.forEach((row, r) => row.forEach((bar) => inLane.push({ bar, lane: l, row: r })));
      inLane.sort((a, b) => a.bar.start - b.bar.start || a.row - b.row);
      placed.push(...inLane);
      top += laneHeight(lane);
    });
    return { bars: placed, laneTops: tops, height: top + 2 };
  }, [timeline]);
  const current = Math.min(active, bars.length - 1);

  const onKeyDown = (event: KeyboardEvent) => {
    const here = bars[current];
    let next: number | null = null;
    if (event.key === 'ArrowRight' && bars[current + 1]?.lane === here?.lane) next = current + 1;
    else if (event.key === 'ArrowLeft' && bars[current - 1]?.lane === here?.lane) next = current - 1;
    else if ((event.key === 'ArrowDown' || event.key === 'ArrowUp') && here) next = nearestInLane(bars, here, here.lane + (event.key === 'ArrowDown' ? 1 : -1));
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = bars.length - 1;
    else if ((event.key === 'Enter' || event.key === ' ') && here) onOpen(here.bar.first.id);
    else if (!['ArrowRight', 'ArrowLeft', 'ArrowDown', 'ArrowUp'].includes(event.key)) return;
    if (next !== null && next >= 0) {
      setActive(next);
      focusBar(svgRef.current, next);
    }
    event.preventDefault();
  };

  return (
    <figure className="chart task-timeline" aria-labelledby={captionId}>
      <figcaption id={captionId}>{timelineCaption(timeline)}</figcaption>
      <div ref={wrapRef} className="chart-canvas">
        <svg ref={svgRef} width={width} height={height} role="group" aria-label={`Tasks per agent over time: ${timeline.lanes.length} lane${timeline.lanes.length === 1 ? '' : 's'}, ${bars.length} bar${bars.length === 1 ? '' : 's'}`} onKeyDown={onKeyDown}>
          <g aria-hidden="true" className="chart-axis">
            {ticks.map((t) => (
              <g key={t}>
                <line x1={x(timeline.start + t)} x2={x(timeline.start + t)} y1={AXIS_H - 4} y2={height} className="chart-grid" />
                <text x={x(timeline.start + t)} y={AXIS_H - 8} textAnchor={t === 0 ? 'start' : 'middle'}>{t === 0 ? '0 s' : `+${formatChartMs(t)}`}</text>
              </g>
            ))}
            {timeline.lanes.map((lane, l) => (
              <g key={lane.agentId} className={lane.slow ? 'chart-lane slow' : 'chart-lane'}>
                <rect x={LABEL_W} y={laneTops[l]! + 1} width={plotW} height={laneHeight(lane) - 2} className="chart-lane-bg" />
                <text x={4} y={laneTops[l]! + 13} className="chart-lane-name">{clip(lane.name, 22)}</text>
                <text x={4} y={laneTops[l]! + 26} className={lane.slow ? 'chart-lane-note slow' : 'chart-lane-note'}>
                  {lane.slow ? `slow: ${formatChartMs(lane.meanMs ?? 0)}/task` : lane.meanMs !== null ? `${formatChartMs(lane.meanMs)}/task` : 'running'}
                </text>
              </g>
            ))}
          </g>
          {bars.map((p, i) => {
            const lane = timeline.lanes[p.lane]!;
            const left = x(p.bar.start);
            return (
              <rect
                key={i}
                data-bar={i}
                role="button"
                tabIndex={i === current ? 0 : -1}
                aria-label={timelineBarName(p.bar, lane)}
                className={`chart-bar${p.bar.running ? ' running' : ''}${lane.slow ? ' slow-lane' : ''}`}
                x={left}
                y={laneTops[p.lane]! + LANE_PAD + p.row * ROW_H}
                width={barWidth(x(p.bar.end) - left)}
                height={ROW_H - 3}
                onClick={() => {
                  setActive(i);
                  onOpen(p.bar.first.id);
                }}
                onFocus={() => setActive(i)}
              >
                <title>{timelineBarName(p.bar, lane)}</title>
              </rect>
            );
          })}
        </svg>
      </div>
      <p className="chart-legend muted">
        Time from the first task's start; an empty stretch of a lane is the agent idle. “slow”: its tasks take over {SLOW_LANE_FACTOR} × as long as the other agents'.
        {timeline.unplaced ? ` ${timeline.unplaced} attempt${timeline.unplaced === 1 ? '' : 's'} without a known agent (failed) are not drawn.` : ''} Click a bar, or press Enter on it, to open the task.
      </p>
      <table className="chart-lanes-table">
        <caption className="sr-only">Agents of the timeline</caption>
        <thead>
          <tr><th scope="col">Agent</th><th scope="col">Tasks</th><th scope="col">Time per task</th><th scope="col">Busy</th><th scope="col">Idle</th><th scope="col">Pace</th></tr>
        </thead>
        <tbody>
          {timeline.lanes.map((lane) => (
            <tr key={lane.agentId} className={lane.slow ? 'slow' : undefined}>
              <th scope="row">{lane.name}</th>
              <td>{lane.taskCount}</td>
              <td>{lane.meanMs !== null ? formatChartMs(lane.meanMs) : '—'}</td>
              <td>{formatChartMs(lane.busyMs)}</td>
              <td>{formatChartMs(lane.idleMs)} ({Math.round((lane.idleMs / span) * 100)}%)</td>
              <td>{lane.slow ? `slow (others ${formatChartMs(lane.othersMeanMs ?? 0)})` : 'normal'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
});

function laneHeight(lane: Lane): number {
  return Math.max(32, lane.rows.length * ROW_H + LANE_PAD * 2);
}

/** Bars at least 1.5 px wide, with a 1 px gap to the next once there is room, so back-to-back tasks read as separate. */
function barWidth(span: number): number {
  return Math.max(1.5, span > 4 ? span - 1 : span);
}

function clip(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

function nearestInLane(bars: readonly PlacedBar[], from: PlacedBar, lane: number): number | null {
  let best: number | null = null;
  for (let i = 0; i < bars.length; i++) {
    if (bars[i]!.lane !== lane) continue;
    if (best === null || Math.abs(bars[i]!.bar.start - from.bar.start) < Math.abs(bars[best]!.bar.start - from.bar.start)) best = i;
  }
  return best;
}
