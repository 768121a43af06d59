/**
 * Which steps the numbers describe. With several passes, the measured (last) pass only: earlier passes are
 * excluded whole, as `earlier-pass`. Within what is described, a step more than OUTLIER_FACTOR times its
 * device/phase's typical step (the lower median) is an outlier: the first step of a capture pays for
 * communicator setup, cuBLAS/cuDNN initialisation and first-call compilation and can be 50x a normal one.
 * A step that much faster stays in: a few fast steps among slow ones did less work (a reused plan, no host
 * stall), which is a finding about the slow ones (fastSteps.ts), not noise. Only steps cut at idle gaps,
 * where a tiny stretch of work is a fragment rather than a forward, drop the fast ones too.
 */
import { lowerMedian } from '../util/stats.js';
import type { Step, StepSet } from './types.js';
import type { Exclusion, StepSource } from '../contract/vocabulary.js';

export const OUTLIER_FACTOR = 3;
/** Consecutive slow steps (in a device and phase) from which they are a regime of their own, not outliers. */
export const REGIME_MIN_STEPS = 3;

export function isSlow(span: number, typical: number): boolean {
  return span > OUTLIER_FACTOR * typical;
}

export function isFast(span: number, typical: number): boolean {
  return span * OUTLIER_FACTOR < typical;
}

/** Steps grouped by device and phase (each group in the given order): what "typical" is judged within. */
export function byDevicePhase(steps: Iterable<Step>): Step[][] {
  const groups = new Map<string, Step[]>();
  for (const s of steps) {
    const k = `${s.device}:${s.phase}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(s);
  }
  return [...groups.values()];
}

export interface Steadiness {
  steady: Uint8Array;
  exclusion: (Exclusion | null)[];
}

/** Steadiness of every step: `described(step)` says whether its pass is the one the numbers describe. */
export function steadiness(steps: Step[], source: StepSource, described: (s: Step) => boolean): Steadiness {
  const steady = new Uint8Array(steps.length);
  const exclusion: (Exclusion | null)[] = steps.map(() => null);
  for (const s of steps) if (!described(s)) exclusion[s.index] = 'earlier-pass';
  for (const g of byDevicePhase(steps.filter(described))) {
    const typical = lowerMedian(g.map((s) => s.end - s.start));
    for (const s of g) {
      const span = s.end - s.start;
      const out = isSlow(span, typical) || (source === 'gaps' && isFast(span, typical));
      steady[s.index] = out ? 0 : 1;
      if (out) exclusion[s.index] = 'outlier';
    }
    // A run of slow steps one after the other is the workload running at another speed (the first request
    // building its kernels' plans, a batch size not captured in a graph), not noise: a regime.
    const ordered = [...g].sort((x, y) => x.start - y.start);
    for (let k = 0; k < ordered.length; ) {
      let e = k;
      while (e < ordered.length && exclusion[ordered[e]!.index] === 'outlier' && isSlow(ordered[e]!.end - ordered[e]!.start, typical)) e++;
      if (e - k >= REGIME_MIN_STEPS) for (let q = k; q < e; q++) exclusion[ordered[q]!.index] = 'regime';
      k = Math.max(e, k + 1);
    }
  }
  return { steady, exclusion };
}

/** The steady steps of a device and phase: what findings judge. */
export function steadyStepsOf(steps: StepSet, device: number, phase: string): Step[] {
  return steps.byDevice[device]!.filter((s) => s.phase === phase && steps.steady[s.index] === 1);
}
