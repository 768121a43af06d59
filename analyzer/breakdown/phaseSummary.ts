/**
 * Per device and phase: the DESIGN 6 numbers. Times are sums over the phase's steady steps, shares and the
 * step time medians over them; outlier steps (a warm-up pass 50x a normal step) are listed, not averaged in.
 */
import { median, quantile } from 'd3-array';
import { KERNEL_CLASSES, type KernelClass } from '../classify/kernelClasses.js';
import type { Phase, StepSet } from '../steps/types.js';
import { lowerMedian } from '../steps/steady.js';
import type { StepBreakdown } from './stepBreakdown.js';

export interface OutlierStep {
  step: number;
  name: string;
  spanNs: number;
  /** Span relative to the phase's typical step (the lower median of the described steps). */
  ratio: number;
  /** outlier: too slow for the pass the numbers describe; earlier-pass: a step of a warm-up pass. */
  reason: 'outlier' | 'earlier-pass';
}

export interface PhaseSummary {
  phase: Phase;
  device: number;
  /** All steps of the phase on the device, outliers included. */
  count: number;
  /** Steps the times and shares below describe: all but the outliers. */
  steadyCount: number;
  medianNs: number;
  p10Ns: number;
  p90Ns: number;
  minNs: number;
  maxNs: number;
  totalSpanNs: number;
  /** Sums over the steady steps. */
  timeNs: Record<KernelClass | 'idle', number>;
  busyNs: number;
  commNs: number;
  exposedCommNs: number;
  overlapNs: number;
  /** Medians over the steady steps. */
  commShare: number;
  overlap: number;
  exposedCommShare: number;
  idleShare: number;
  outliers: OutlierStep[];
}


export function summarisePhase(phase: Phase, device: number, set: StepSet, breakdowns: StepBreakdown[]): PhaseSummary | null {
  const all = set.byDevice[device]!.map((s) => [s, breakdowns[s.index]!] as const).filter(([s]) => s.phase === phase);
  if (all.length === 0) return null;
  // Times and shares describe the steady steps (StepSet.steady: the measured pass, outliers out); outliers
  // of that pass are listed, steps of earlier passes are the StepSet's to report.
  const pairs = all.filter(([s]) => set.steady[s.index] === 1);
  if (pairs.length === 0) return null;
  const typical = lowerMedian(pairs.map(([, b]) => b.spanNs));
  const spans = pairs.map(([, b]) => b.spanNs);
  const med = median(spans) ?? 0;
  const ratio = (num: (b: StepBreakdown) => number) => median(pairs.map(([, b]) => (b.spanNs > 0 ? num(b) / b.spanNs : 0))) ?? 0;
  const sum = (f: (b: StepBreakdown) => number) => pairs.reduce((a, [, b]) => a + f(b), 0);
  const timeNs = Object.fromEntries(KERNEL_CLASSES.map((c, i) => [c, sum((b) => b.classNs[i]!)])) as Record<KernelClass | 'idle', number>;
  timeNs.idle = sum((b) => b.idleNs);
  const commNs = sum((b) => b.commNs);
  const overlapNs = sum((b) => b.overlapNs);
  return {
    phase, device, count: all.length, steadyCount: pairs.length, medianNs: med,
    p10Ns: quantile(spans, 0.1) ?? 0, p90Ns: quantile(spans, 0.9) ?? 0,
    minNs: Math.min(...spans), maxNs: Math.max(...spans),
    totalSpanNs: sum((b) => b.spanNs),
    timeNs,
    busyNs: sum((b) => b.busyNs),
    commNs,
    exposedCommNs: sum((b) => b.exposedCommNs),
    overlapNs,
    commShare: ratio((b) => b.commNs),
    overlap: median(pairs.filter(([, b]) => b.commNs > 0).map(([, b]) => b.overlapNs / b.commNs)) ?? 0,
    exposedCommShare: ratio((b) => b.exposedCommNs),
    idleShare: ratio((b) => b.idleNs),
    outliers: all
      .filter(([s]) => set.exclusion[s.index] !== null)
      .map(([s, b]) => ({ step: s.index, name: s.name, spanNs: b.spanNs, ratio: b.spanNs / typical, reason: set.exclusion[s.index]! })),
  };
}
