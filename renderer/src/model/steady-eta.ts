import type { EtaReading } from './estimate-eta.js';

/** An estimate as shown, and when. */
export interface ShownEta extends EtaReading {
  at: number;
}

/** How far an estimate may stray from what the work done justifies, per minute since the last (20 %), and at most (50 %). */
export const DRIFT_PER_MINUTE = 0.2;
export const MAX_DRIFT = 0.5;

/**
 * The estimate to show now, held to the last one shown: the work left justifies the last
 * range scaled by how much of it is left (a tenth of the work done, a tenth off the time),
 * and the new measurement may pull each end away from that by at most DRIFT_PER_MINUTE of it
 * per minute since. A steady job then counts down smoothly whatever the measurements do
 * between two updates (issue 18: the range cycled between "55 min–1 h 21" and "2 h 46–4 h"),
 * while a real change (an agent more or less, slower frames) still shows within minutes.
 * Pure: the caller keeps the last one (eta-memory.ts).
 */
export function steadyEta(last: ShownEta | null, next: EtaReading, now: number): ShownEta {
  if (last === null || last.workLeft <= 0 || next.workLeft <= 0) return { ...next, at: now };
  const scale = next.workLeft / last.workLeft;
  const drift = Math.min(MAX_DRIFT, (DRIFT_PER_MINUTE * Math.max(0, now - last.at)) / 60_000);
  const hold = (justified: number, measured: number) => Math.min(justified * (1 + drift), Math.max(justified * (1 - drift), measured));
  const minMs = hold(last.minMs * scale, next.minMs);
  const maxMs = Math.max(minMs, hold(last.maxMs * scale, next.maxMs));
  return { minMs, maxMs, workLeft: next.workLeft, at: now };
}
