/**
 * Steady steps: those whose span is within a factor of the phase's typical step on that device. A warm-up
 * pass (communicator setup, cuBLAS/cuDNN initialisation, first-call compilation) can be 50x a normal step
 * and, with two prefill steps, would be half of every median; findings judge the steady steps and name the
 * others as outliers. The typical step is the lower median, so with two steps it is the shorter one.
 */
import type { Step, StepSet } from './types.js';

export const OUTLIER_FACTOR = 3;

export function lowerMedian(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? NaN;
}

export function isSteady(span: number, typical: number): boolean {
  return span <= OUTLIER_FACTOR * typical && span * OUTLIER_FACTOR >= typical;
}

/** steady[stepIndex]: 1 when the step is within OUTLIER_FACTOR of its device/phase's typical span. */
export function steadySteps(steps: StepSet): Uint8Array {
  const out = new Uint8Array(steps.steps.length);
  const groups = new Map<string, Step[]>();
  for (const s of steps.steps) {
    const k = `${s.device}:${s.phase}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(s);
  }
  for (const g of groups.values()) {
    const typical = lowerMedian(g.map((s) => s.end - s.start));
    for (const s of g) {
      const span = s.end - s.start;
      out[s.index] = isSteady(span, typical) ? 1 : 0;
    }
  }
  return out;
}
