/**
 * Did a phase's step time change between two traces, beyond noise? Three tests, all must pass:
 * 1. the medians differ by more than RUN_TO_RUN (3%): two captures of one configuration differ by 1–2%
 *    with nothing changed (tp2graph and tp2graph-blobs, the same run captured twice:
 *    decode 3.016 vs 2.979 ms, −1.2%, though the rank test alone calls it significant at p = 2e-5;
 *    prefill 45.64 vs 44.80 ms, −1.9%), and the steps within one trace cannot show that;
 * 2. each median lies outside the other trace's p10–p90 band of steady steps: the change is larger than
 *    either trace's own step-to-step spread;
 * 3. the Mann–Whitney rank test rejects "same distribution" at p < ALPHA, when the samples are large
 *    enough for it to ever do so (4 + 4, 3 + 5 or 2 + 8 steps at least); with fewer, tests 1–2 decide.
 */
import { stepSample } from '../../util/stepSample.js';
import type { StepSample } from '../../contract/summary.js';

export { stepSample, type StepSample };
import { mannWhitney, smallestP } from '../../util/rankTest.js';

export const RUN_TO_RUN = 0.03;
export const ALPHA = 0.05;

import type { ShiftVerdict } from '../../text/change.js';
import type { StepShift } from '../../contract/comparison.js';

export type { ShiftVerdict };


const outside = (x: number, s: StepSample) => x < s.p10Ns || x > s.p90Ns;

function fmtP(p: number): string {
  return p < 1e-4 ? p.toExponential(0) : p < 0.01 ? p.toFixed(4) : p.toFixed(2);
}

export function judgeShift(baseNs: readonly number[], newNs: readonly number[]): StepShift | null {
  if (baseNs.length === 0 || newNs.length === 0) return null;
  const base = stepSample(baseNs);
  const next = stepSample(newNs);
  const change = next.medianNs / base.medianNs - 1;
  const separated = outside(next.medianNs, base) && outside(base.medianNs, next);
  const testable = smallestP(baseNs.length, newNs.length) < ALPHA;
  const p = testable ? mannWhitney(newNs, baseNs).p : null;
  let reason: string;
  let beyond = false;
  if (Math.abs(change) <= RUN_TO_RUN) reason = `within the ${RUN_TO_RUN * 100}% run-to-run noise`;
  else if (!separated) reason = "within the steps' p10–p90 spread";
  else if (p !== null && !(p < ALPHA)) reason = `rank test p = ${fmtP(p)}, not significant`;
  else {
    beyond = true;
    reason = p === null
      ? `beyond both traces' p10–p90 and the ${RUN_TO_RUN * 100}% run-to-run noise (${baseNs.length} and ${newNs.length} steps: too few for a rank test)`
      : `beyond noise: outside both traces' p10–p90, rank test p = ${fmtP(p)}`;
  }
  return { base, new: next, change, p, separated, verdict: beyond ? (change > 0 ? 'slower' : 'faster') : 'unchanged', reason };
}
