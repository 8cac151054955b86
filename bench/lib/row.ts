/**
 * One line of the results table. Every benchmark returns a list of these; run-all prints
 * them, saves them in bench/results/latest.json and renders BENCHMARKS.md from them.
 */

export type Unit = 'ms' | 's' | 'tasks/s' | 'MB/s' | 'bytes' | 'x' | 'count' | 'fps' | 'updates/s' | 'MB' | '%';

export interface Goal {
  /** measured (or ratio) must be ≤ / ≥ / = value. */
  op: '<=' | '>=' | '==';
  value: number;
  /** What the goal applies to: the measured figure (default) or the ratio to the baseline. */
  on?: 'measured' | 'ratio';
  /** Where the goal comes from when it is not the brief's (e.g. "derived"). */
  source?: string;
}

export interface Row {
  bench: string;
  metric: string;
  unit: Unit;
  measured: number | null;
  /** The baseline measured in the same run, when there is one. */
  baseline?: number | null;
  baselineLabel?: string;
  /** measured / baseline. */
  ratio?: number | null;
  goal?: Goal;
  /** true/false when there is a goal; null when there is none (information only). */
  pass?: boolean | null;
  note?: string;
  /** The benchmark crashed or timed out: this row only carries the reason. */
  error?: boolean;
}

export function resultText(r: Row): string {
  if (r.error) return 'ERROR';
  return r.pass === null || r.pass === undefined ? '—' : r.pass ? 'PASS' : 'FAIL';
}

export function row(r: Omit<Row, 'ratio' | 'pass'> & { ratio?: number | null }): Row {
  const ratio = r.ratio !== undefined ? r.ratio
    : r.baseline != null && r.measured != null && r.baseline !== 0 ? r.measured / r.baseline : null;
  return { ...r, ratio: ratio === null ? null : round(ratio, 3), pass: judge(r.goal, r.measured, ratio) };
}

export function judge(goal: Goal | undefined, measured: number | null, ratio: number | null): boolean | null {
  if (!goal) return null;
  const value = goal.on === 'ratio' ? ratio : measured;
  if (value === null || !Number.isFinite(value)) return false;
  switch (goal.op) {
    case '<=':
      return value <= goal.value;
    case '>=':
      return value >= goal.value;
    case '==':
      return value === goal.value;
  }
}

export function goalText(goal: Goal | undefined, unit: Unit): string {
  if (!goal) return 'report';
  const op = goal.op === '<=' ? '≤' : goal.op === '>=' ? '≥' : '=';
  const what = goal.on === 'ratio' ? `ratio ${op} ${goal.value}` : `${op} ${formatValue(goal.value, unit)}`;
  return goal.source ? `${what} (${goal.source})` : what;
}

export function formatValue(value: number | null | undefined, unit: Unit): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  switch (unit) {
    case 'ms':
      return `${value < 10 ? value.toFixed(3) : value.toFixed(1)} ms`;
    case 's':
      return `${value.toFixed(2)} s`;
    case 'tasks/s':
      return `${Math.round(value).toLocaleString('en-US')} tasks/s`;
    case 'MB/s':
      return `${Math.round(value)} MB/s`;
    case 'bytes':
      return `${Math.round(value).toLocaleString('en-US')} B`;
    case 'x':
      return `${value.toFixed(3)}×`;
    case 'count':
      return Math.round(value).toLocaleString('en-US');
    case 'fps':
      return `${value.toFixed(1)} fps`;
    case 'updates/s':
      return `${Math.round(value).toLocaleString('en-US')} updates/s`;
    case 'MB':
      return `${value.toFixed(1)} MB`;
    case '%':
      return `${value.toFixed(1)} %`;
  }
}

export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
