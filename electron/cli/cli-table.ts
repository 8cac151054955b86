/**
 * Compact aligned tables for the terminal: a header row in capitals, columns padded to their
 * widest cell, two spaces apart, long cells clipped so one row stays one line.
 */

export interface Column<T> {
  header: string;
  value(row: T): string | number;
  /** Right-align (numbers, counts). */
  right?: boolean;
  /** Clip cells longer than this (default 48). */
  max?: number;
}

export function formatTable<T>(rows: readonly T[], columns: readonly Column<T>[], empty = 'Nothing to show.'): string {
  if (rows.length === 0) return empty;
  const cells = rows.map((row) => columns.map((c) => clip(String(c.value(row)).replace(/\s+/g, ' '), c.max ?? 48)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => (columns[i]!.right ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}

/** `key  value` lines for one record (a job's details). */
export function formatFields(fields: readonly [string, string | number][]): string {
  const width = Math.max(...fields.map(([k]) => k.length));
  return fields.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

export function percent(fraction: number): string {
  return `${Math.floor(Math.max(0, Math.min(1, fraction)) * 100)}%`;
}

/** Local date and time to the minute, e.g. 2026-03-04 17:05. */
export function when(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms <= 0) return '-';
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
