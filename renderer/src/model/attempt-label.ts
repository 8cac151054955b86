import type { TaskAttemptView } from '../../../electron/controller/api/contract.js';

type AttemptOutcome = TaskAttemptView['outcome'];

/**
 * The log viewer's attempt picker: each attempt with the agent that ran it, when it started and
 * how it ended ("2: render-3 at 14:02:11, failed (latest)"), so choosing the failed attempt
 * does not mean opening each one to see where it ran. An attempt the controller has no record
 * of (an older controller) reads as its number alone.
 */
const OUTCOME_WORDS: Record<AttemptOutcome, string> = {
  running: 'running',
  succeeded: 'done',
  failed: 'failed',
  requeued: 'stopped, requeued',
  canceled: 'canceled',
};

export function attemptOptionLabel(attempt: number, entry: TaskAttemptView | undefined, latest: boolean, now = Date.now()): string {
  const tail = latest ? ' (latest)' : '';
  if (!entry) return `${attempt}${tail}`;
  return `${attempt}: ${entry.agentName} at ${formatClock(entry.startedAt, now)}, ${OUTCOME_WORDS[entry.outcome]}${tail}`;
}

/** "14:02:11" today, "2026-12-06 23:58:00" on another day (local time, 24-hour: no locale guesswork). */
export function formatClock(epochMs: number, now = Date.now()): string {
  const d = new Date(epochMs);
  const n = new Date(now);
  const two = (v: number) => String(v).padStart(2, '0');
  const time = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  const sameDay = d.getFullYear() === n.getFullYear() && d.getMonth() === n.getMonth() && d.getDate() === n.getDate();
  return sameDay ? time : `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${time}`;
}
