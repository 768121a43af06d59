/** A sample of step times summed up: count, median, p10, p90 (ns). */
import { quantile } from 'd3-array';
import { median } from './stats.js';

/** The shape is the contract's StepSample (analyzer/contract/summary.ts); a leaf cannot import it, the literal is it. */
export function stepSample(xs: readonly number[]) {
  return { count: xs.length, medianNs: median(xs), p10Ns: quantile(xs, 0.1) ?? NaN, p90Ns: quantile(xs, 0.9) ?? NaN };
}
