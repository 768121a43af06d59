/** Small statistics on plain number arrays (d3-array where it has them). */
import { median as d3median, quantile } from 'd3-array';

/** The median, halfway between the two middle values of an even count (NaN when empty). */
export function median(xs: ArrayLike<number>): number {
  return d3median(Array.from(xs)) ?? NaN;
}

/**
 * The lower median: the smaller of the two middle values of an even count, so always one of the values
 * (an op count, a position; NaN when empty).
 */
export function lowerMedian(xs: ArrayLike<number>): number {
  if (xs.length === 0) return NaN;
  const s = Array.from(xs).sort((a, b) => a - b);
  return s[(s.length - 1) >> 1]!;
}

/** The value at rank round(q · (n − 1)) of the sorted values: always one of them, not interpolated (NaN when empty). */
export function nearestRankQuantile(xs: ArrayLike<number>, q: number): number {
  const s = Array.from(xs).sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))] ?? NaN;
}

export function percentile(xs: ArrayLike<number>, p: number): number {
  return quantile(Array.from(xs), p) ?? NaN;
}

export function sum(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s;
}
