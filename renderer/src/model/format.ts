/** Short human durations: "45 s", "3 min", "1 h 20 min". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  const rest = min % 60;
  return rest ? `${h} h ${rest} min` : `${h} h`;
}

/** A duration range, collapsed when both ends read the same: "2–4 min", "about 3 min". */
export function formatRange(minMs: number, maxMs: number): string {
  const lo = formatDuration(minMs);
  const hi = formatDuration(maxMs);
  if (lo === hi) return `about ${lo}`;
  const [loN, loUnit] = splitUnit(lo);
  const [hiN, hiUnit] = splitUnit(hi);
  if (loUnit && loUnit === hiUnit) return `${loN}–${hiN} ${hiUnit}`;
  return `${lo} – ${hi}`;
}

function splitUnit(text: string): [string, string | null] {
  const m = /^(\d+) (s|min|h)$/.exec(text);
  return m ? [m[1]!, m[2]!] : [text, null];
}

export function formatTime(epochMs: number | null): string {
  if (epochMs === null) return '—';
  return new Date(epochMs).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

export function formatPercent(fraction: number): string {
  return `${Math.floor(Math.max(0, Math.min(1, fraction)) * 100)}%`;
}

/** "512 bytes", "12 KB", "3.4 MB", "1.2 GB" (powers of 1024, as file managers show them). */
export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} byte${n === 1 ? '' : 's'}`;
}
