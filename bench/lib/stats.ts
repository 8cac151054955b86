/** Small statistics over samples (milliseconds unless told). */

export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  // Nearest rank: the smallest value with at least p% of the samples at or below it.
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function max(samples: readonly number[]): number {
  return samples.reduce((m, x) => (x > m ? x : m), Number.NEGATIVE_INFINITY);
}

export function mean(samples: readonly number[]): number {
  return samples.length ? samples.reduce((s, x) => s + x, 0) / samples.length : Number.NaN;
}

export function summary(samples: readonly number[]): { n: number; p50: number; p90: number; p99: number; max: number; mean: number } {
  return {
    n: samples.length,
    p50: percentile(samples, 50),
    p90: percentile(samples, 90),
    p99: percentile(samples, 99),
    max: max(samples),
    mean: mean(samples),
  };
}
