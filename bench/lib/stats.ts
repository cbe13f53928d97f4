// Small, dependency-free statistics used by every suite. Percentiles use linear interpolation between closest
// ranks so that p99 of a few hundred samples is stable rather than jumping to the single worst sample.

/** Summary of a sample of numbers (usually milliseconds per call). */
export interface Summary {
  n: number;
  median: number;
  mean: number;
  p99: number;
  min: number;
  max: number;
}

/** Sorted copy; NaN/Infinity are dropped because a failed timing must not poison a median. */
function sortedFinite(values: readonly number[]): number[] {
  return values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
}

/** Percentile `p` in [0, 100] of `values`, NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile: p must be within [0, 100], got ${p}`);
  const s = sortedFinite(values);
  if (s.length === 0) return Number.NaN;
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const loV = s[lo] as number;
  const hiV = s[hi] as number;
  return loV + (hiV - loV) * (rank - lo);
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function summarize(values: readonly number[]): Summary {
  const s = sortedFinite(values);
  if (s.length === 0) {
    return { n: 0, median: Number.NaN, mean: Number.NaN, p99: Number.NaN, min: Number.NaN, max: Number.NaN };
  }
  const sum = s.reduce((a, b) => a + b, 0);
  return {
    n: s.length,
    median: percentile(s, 50),
    mean: sum / s.length,
    p99: percentile(s, 99),
    min: s[0] as number,
    max: s[s.length - 1] as number,
  };
}

/**
 * Ratio of two subjects measured in interleaved rounds: the median over rounds of (a_round / b_round).
 * Pairing per round cancels slow drifts of the machine (other processes, thermal) that a ratio of pooled
 * medians would absorb. Rounds where either side is missing are ignored; NaN when nothing pairs.
 */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  const ratios: number[] = [];
  const len = Math.min(a.length, b.length);
  for (let i = 0; i < len; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (Number.isFinite(x) && Number.isFinite(y) && y > 0) ratios.push(x / y);
  }
  return median(ratios);
}

/** Round to `digits` significant decimals for display/JSON without losing small values. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
