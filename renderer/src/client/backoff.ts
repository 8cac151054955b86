/**
 * Delay before reconnect attempt `attempt` (0-based): doubling from `initialMs` up to `maxMs`,
 * with ±20 % jitter so many windows reconnecting to a restarted controller do not arrive at once.
 */
export function backoffDelay(attempt: number, initialMs = 500, maxMs = 10_000, random: () => number = Math.random): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 20));
  return Math.round(base * (0.8 + 0.4 * random()));
}
