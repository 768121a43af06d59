/** A sample of step times summed up: count, median, p10, p90 (ns). */
import { quantile } from 'd3-array';
import { median } from './stats.js';

export interface StepSample {
  count: number;
  medianNs: number;
  p10Ns: number;
  p90Ns: number;
}

export function stepSample(xs: readonly number[]): StepSample {
  return { count: xs.length, medianNs: median(xs), p10Ns: quantile(xs, 0.1) ?? NaN, p90Ns: quantile(xs, 0.9) ?? NaN };
}
