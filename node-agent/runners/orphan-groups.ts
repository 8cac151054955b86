import { readFileSync, renameSync, writeFileSync } from 'node:fs';

/**
 * Tool process groups outlive an agent that is killed with SIGKILL (its exit hook never runs),
 * and would go on rendering a task nobody will collect, holding CPU the restarted agent needs.
 * So the agent notes every live group in `<dataDir>/process-groups.json`, and at start kills
 * the groups a previous run left behind. A group is recognised by its pid and its start time
 * (from /proc), so a pid reused by an unrelated process is never touched.
 */

interface GroupEntry {
  pid: number;
  startTime: string;
}

let file: string | null = null;
const entries = new Map<number, GroupEntry>();

/** Kills the groups a previous run of this agent left, then starts noting this run's groups in `path`. */
export function reapAndTrackGroups(path: string): number {
  let reaped = 0;
  let previous: GroupEntry[] = [];
  try {
    previous = JSON.parse(readFileSync(path, 'utf8')) as GroupEntry[];
  } catch {
    previous = [];
  }
  for (const entry of Array.isArray(previous) ? previous : []) {
    if (!Number.isInteger(entry?.pid) || entry.pid <= 1 || startTimeOf(entry.pid) !== entry.startTime) continue;
    try {
      process.kill(-entry.pid, 'SIGKILL');
      reaped++;
    } catch {
      // already gone
    }
  }
  file = path;
  entries.clear();
  save();
  return reaped;
}

export function groupStarted(pid: number): void {
  if (!file) return;
  const startTime = startTimeOf(pid);
  if (startTime === null) return;
  entries.set(pid, { pid, startTime });
  save();
}

export function groupEnded(pid: number): void {
  if (!file || !entries.delete(pid)) return;
  save();
}

function save(): void {
  if (!file) return;
  try {
    writeFileSync(`${file}.tmp`, JSON.stringify([...entries.values()]));
    renameSync(`${file}.tmp`, file);
  } catch {
    // best effort: a full disk must not fail a task
  }
}

/** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot (null off Linux or when gone). */
function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return afterName[19] ?? null;
  } catch {
    return null;
  }
}
