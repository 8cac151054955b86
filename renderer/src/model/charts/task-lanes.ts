import type { TaskView } from '../../../../electron/controller/api/contract.js';

/**
 * The task timeline's model (a Gantt chart): one lane per agent, a bar per task attempt from
 * its start to its end (now, while it runs), in rows within the lane where an agent with
 * several slots runs tasks side by side. It also finds what a wrangler looks for: the idle
 * time of each lane and a slow node (its tasks take over SLOW_LANE_FACTOR × as long as the
 * other agents' median). With more than `maxBars` tasks, each row gets an equal share of
 * `maxBars` (at most `columns`) and bars of a row less than one such column apart merge into
 * one (the gap would not show), so the chart keeps about `maxBars` bars, whatever the tasks.
 *
 * A task shows its last attempt: on the agent it names, or, once failed (no agent), on the agent
 * of that attempt (TaskView.lastAgent). Earlier attempts are not in TaskView (tasks.log has them
 * per task), and an attempt with no agent known is counted, not drawn.
 */
export const SLOW_LANE_FACTOR = 1.5;
/** However many rows, each keeps at least this many columns' worth of bars. */
const MIN_COLUMNS = 4;

export interface TimelineBar {
  start: number;
  end: number;
  /** The tasks in the bar, in start order (one unless merged). */
  first: TaskView;
  last: TaskView;
  count: number;
  running: boolean;
}

export interface Lane {
  agentId: string;
  name: string;
  rows: TimelineBar[][];
  taskCount: number;
  /** Time with at least one task running on the agent, within the timeline. */
  busyMs: number;
  /** Timeline time with none running there: the idle gaps. */
  idleMs: number;
  /** Mean time of its finished tasks; null when none finished. */
  meanMs: number | null;
  slow: boolean;
  /** The median of the other lanes' means, to compare against; null with no other lane. */
  othersMeanMs: number | null;
}

export interface Timeline {
  start: number;
  end: number;
  lanes: Lane[];
  bars: number;
  /** Attempts with a time but no agent named (a failed attempt's agent is not kept on the task). */
  unplaced: number;
}

export function taskTimeline(tasks: readonly TaskView[], o: { now: number; agentName(agentId: string): string; columns: number; maxBars: number }): Timeline | null {
  // Typed arrays and indices, not an object per task: a 10,000-task job is worked out twice a second.
  const starts = new Float64Array(tasks.length);
  const ends = new Float64Array(tasks.length);
  const order: number[] = [];
  let unplaced = 0;
  for (let i = 0; i < tasks.length; i++) {
    const t = tasks[i]!;
    if (t.startedAt === null || t.state === 'queued') continue;
    const end = t.endedAt ?? (t.state === 'assigned' || t.state === 'running' ? o.now : null);
    if (end === null) continue;
    if (!agentOf(t)) {
      unplaced++;
      continue;
    }
    starts[i] = t.startedAt;
    ends[i] = Math.max(end, t.startedAt);
    order.push(i);
  }
  if (order.length === 0) return null;
  order.sort((a, b) => starts[a]! - starts[b]! || a - b);
  const start = starts[order[0]!]!;
  let end = -Infinity;
  for (const i of order) end = Math.max(end, ends[i]!);
  const span = Math.max(1, end - start);

  // Pass 1: each attempt's lane and row (the first row of its lane free at its start), and the lanes' figures.
  const byAgent = new Map<string, { indices: number[]; rowEnds: number[]; busyMs: number; coveredTo: number; finishedMs: number; finished: number }>();
  const rowOf = new Int32Array(tasks.length);
  for (const i of order) {
    const t = tasks[i]!;
    let lane = byAgent.get(agentOf(t)!);
    if (!lane) byAgent.set(agentOf(t)!, (lane = { indices: [], rowEnds: [], busyMs: 0, coveredTo: -Infinity, finishedMs: 0, finished: 0 }));
    lane.indices.push(i);
    // Busy time is the union of the lane's attempts (they come in start order).
    if (ends[i]! > lane.coveredTo) {
      lane.busyMs += ends[i]! - Math.max(starts[i]!, lane.coveredTo);
      lane.coveredTo = ends[i]!;
    }
    if (t.endedAt !== null) {
      lane.finishedMs += ends[i]! - starts[i]!;
      lane.finished++;
    }
    let row = 0;
    while (row < lane.rowEnds.length && lane.rowEnds[row]! > starts[i]!) row++;
    lane.rowEnds[row] = ends[i]!;
    rowOf[i] = row;
  }
  // Pass 2: the bars. Past maxBars, each row gets an equal share of them: bars less than a share's column apart merge.
  let rowCount = 0;
  for (const lane of byAgent.values()) rowCount += lane.rowEnds.length;
  const columnMs = order.length > o.maxBars ? span / Math.max(MIN_COLUMNS, Math.min(o.columns, Math.floor(o.maxBars / rowCount))) : 0;
  const lanes: Lane[] = [];
  let bars = 0;
  for (const [agentId, lane] of byAgent) {
    const rows: TimelineBar[][] = lane.rowEnds.map(() => []);
    for (const i of lane.indices) {
      const row = rows[rowOf[i]!]!;
      const previous = row[row.length - 1];
      const running = tasks[i]!.endedAt === null;
      if (previous && columnMs > 0 && starts[i]! - previous.end < columnMs) {
        previous.end = Math.max(previous.end, ends[i]!);
        previous.last = tasks[i]!;
        previous.count++;
        previous.running ||= running;
      } else row.push({ start: starts[i]!, end: ends[i]!, first: tasks[i]!, last: tasks[i]!, count: 1, running });
    }
    for (const row of rows) bars += row.length;
    lanes.push({ agentId, name: o.agentName(agentId), rows, taskCount: lane.indices.length, busyMs: lane.busyMs, idleMs: Math.max(0, span - lane.busyMs), meanMs: lane.finished ? lane.finishedMs / lane.finished : null, slow: false, othersMeanMs: null });
  }
  lanes.sort((a, b) => a.name.localeCompare(b.name) || a.agentId.localeCompare(b.agentId));
  markSlowLanes(lanes);
  return { start, end, lanes, bars, unplaced };
}

function agentOf(t: TaskView): string | null {
  return t.agentId ?? t.lastAgent?.agentId ?? null;
}

/** A lane is slow when its mean task time is over SLOW_LANE_FACTOR × the median of the other lanes' means. */
export function markSlowLanes(lanes: Lane[]): void {
  for (const lane of lanes) {
    const others = lanes.filter((l) => l !== lane && l.meanMs !== null).map((l) => l.meanMs!).sort((a, b) => a - b);
    if (others.length === 0 || lane.meanMs === null) continue;
    const mid = others.length % 2 ? others[others.length >> 1]! : (others[others.length / 2 - 1]! + others[others.length / 2]!) / 2;
    lane.othersMeanMs = mid;
    lane.slow = lane.meanMs > mid * SLOW_LANE_FACTOR;
  }
}
