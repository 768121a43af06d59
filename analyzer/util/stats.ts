/** Small statistics on plain number arrays (d3-array where it has them). */
import { median as d3median, quantile } from 'd3-array';

export function median(xs: ArrayLike<number>): number {
  return d3median(Array.from(xs)) ?? NaN;
}

export function percentile(xs: ArrayLike<number>, p: number): number {
  return quantile(Array.from(xs), p) ?? NaN;
}

export function sum(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s;
}
