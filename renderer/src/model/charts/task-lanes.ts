import type { TaskView } from '../../../../electron/controller/api/contract.js';

/**
 * The task timeline's model (a Gantt chart): one lane per agent, a bar per task attempt from
 * its start to its end (now, while it runs), in rows within the lane where an agent with
 * several slots runs tasks side by side. It also finds what a wrangler looks for: the idle
 * time of each lane and a slow node (its tasks take over SLOW_LANE_FACTOR × as long as the
 * other agents' median). With thousands of tasks, bars of a row less than one column of the
 * drawing apart merge into one (the gap would not show), so a row has at most `columns` bars.
 *
 * Only an attempt whose agent the task still names can be placed: TaskView keeps the current
 * attempt's agent (a failed attempt's is not shown there), so such attempts are counted, not drawn.
 */
export const SLOW_LANE_FACTOR = 1.5;

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
  const placed: { task: TaskView; start: number; end: number }[] = [];
  let unplaced = 0;
  for (const t of tasks) {
    if (t.startedAt === null || t.state === 'queued') continue;
    const end = t.endedAt ?? (t.state === 'assigned' || t.state === 'running' ? o.now : null);
    if (end === null) continue;
    if (!t.agentId) {
      unplaced++;
      continue;
    }
    placed.push({ task: t, start: t.startedAt, end: Math.max(end, t.startedAt) });
  }
  if (placed.length === 0) return null;
  placed.sort((a, b) => a.start - b.start || a.task.index - b.task.index);
  let start = Infinity;
  let end = -Infinity;
  for (const p of placed) {
    start = Math.min(start, p.start);
    end = Math.max(end, p.end);
  }
  const span = Math.max(1, end - start);
  const columnMs = placed.length > o.maxBars ? span / Math.max(1, o.columns) : 0;

  const byAgent = new Map<string, typeof placed>();
  for (const p of placed) {
    const list = byAgent.get(p.task.agentId!) ?? [];
    list.push(p);
    byAgent.set(p.task.agentId!, list);
  }
  const lanes: Lane[] = [];
  let bars = 0;
  for (const [agentId, list] of byAgent) {
    const rows: TimelineBar[][] = [];
    const rowEnds: number[] = [];
    let busyMs = 0;
    let coveredTo = -Infinity;
    let finishedMs = 0;
    let finished = 0;
    for (const p of list) {
      // Busy time is the union of the lane's attempts (they come in start order).
      if (p.end > coveredTo) {
        busyMs += p.end - Math.max(p.start, coveredTo);
        coveredTo = p.end;
      }
      if (p.task.endedAt !== null) {
        finishedMs += p.end - p.start;
        finished++;
      }
      let row = rowEnds.findIndex((e) => e <= p.start);
      if (row < 0) {
        row = rows.length;
        rows.push([]);
        rowEnds.push(-Infinity);
      }
      rowEnds[row] = p.end;
      const bar: TimelineBar = { start: p.start, end: p.end, first: p.task, last: p.task, count: 1, running: p.task.endedAt === null };
      const previous = rows[row]![rows[row]!.length - 1];
      if (columnMs > 0 && previous && p.start - previous.end < columnMs) {
        previous.end = Math.max(previous.end, p.end);
        previous.last = p.task;
        previous.count++;
        previous.running ||= bar.running;
      } else rows[row]!.push(bar);
    }
    for (const row of rows) bars += row.length;
    lanes.push({ agentId, name: o.agentName(agentId), rows, taskCount: list.length, busyMs, idleMs: Math.max(0, span - busyMs), meanMs: finished ? finishedMs / finished : null, slow: false, othersMeanMs: null });
  }
  lanes.sort((a, b) => a.name.localeCompare(b.name) || a.agentId.localeCompare(b.agentId));
  markSlowLanes(lanes);
  return { start, end, lanes, bars, unplaced };
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
