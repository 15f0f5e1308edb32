// Small statistics helpers for the benchmark: percentiles by linear interpolation between closest ranks.

/** The p-th percentile (0–100) of `samples` (any order). NaN when empty. */
export const percentile = (samples: readonly number[], p: number): number => {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const a = sorted[low]!;
  const b = sorted[high]!;
  return a + (b - a) * (rank - low);
};

export const median = (samples: readonly number[]): number => percentile(samples, 50);

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

export const summarize = (samples: readonly number[]): Summary => ({
  n: samples.length,
  p50: percentile(samples, 50),
  p95: percentile(samples, 95),
  p99: percentile(samples, 99),
  mean: samples.length ? samples.reduce((s, x) => s + x, 0) / samples.length : Number.NaN,
  min: samples.length ? Math.min(...samples) : Number.NaN,
  max: samples.length ? Math.max(...samples) : Number.NaN,
});

/** Fisher–Yates on a copy: the order functions are measured in changes every round, so drift is shared. */
export const shuffled = <T>(items: readonly T[]): T[] => {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
};

export const fmt = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
export const kb = (bytes: number): string => (bytes / 1024).toFixed(1);
export const pct = (part: number, whole: number): string => `${((part / whole) * 100).toFixed(0)}%`;
