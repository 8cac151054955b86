/**
 * Durations as a chart needs them: finer than formatDuration (whose "0 s" would hide a 300 ms
 * frame), so bars of short tasks still read differently: "340 ms", "3.4 s", "45 s", "2 min 5 s".
 */
export function formatChartMs(ms: number): string {
  const v = Math.max(0, ms);
  if (v < 1000) return `${Math.round(v)} ms`;
  if (v < 10_000) return `${(v / 1000).toFixed(1)} s`;
  const s = Math.round(v / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return s % 60 ? `${min} min ${s % 60} s` : `${min} min`;
  const h = Math.floor(min / 60);
  return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
}

/** The median of `values` (not changed); null when empty. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Ticks for an axis from 0 to `max` at a round step (1, 2 or 5 × a power of ten), at most
 * `count` + 1 of them, so labels read "0 s, 2 s, 4 s" rather than "0 s, 1.7 s, 3.4 s".
 */
export function niceTicks(max: number, count: number): number[] {
  if (!(max > 0)) return [0];
  const raw = max / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = 0; t <= max + step * 1e-9 && ticks.length <= count + 1; t += step) ticks.push(t);
  return ticks;
}
