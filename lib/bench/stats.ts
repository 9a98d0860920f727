/**
 * Summaries across repeated runs: the median is what tables show, the spread says how much the
 * runs disagreed (on a shared machine it is the first thing to look at before trusting a ratio).
 */

/** The median (mean of the two middle values for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** (max - min) / median as a percentage; 0 for fewer than two values or a zero median. */
export function spreadPercent(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = median(values);
  if (!Number.isFinite(m) || m === 0) return 0;
  return ((Math.max(...values) - Math.min(...values)) / Math.abs(m)) * 100;
}

/** The value at quantile q of unsorted samples (nearest rank); NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** One metric over runs: the median, the spread and every run's value. */
export interface Summary {
  readonly median: number;
  readonly spreadPercent: number;
  readonly runs: readonly number[];
}

/** Summarizes one metric's per-run values. */
export function summarize(runs: readonly number[]): Summary {
  return { median: median(runs), spreadPercent: spreadPercent(runs), runs: [...runs] };
}
