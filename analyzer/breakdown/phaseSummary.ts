/**
 * Per device and phase: the DESIGN 6 numbers. Times are sums over the phase's steady steps, shares and the
 * step time medians over them; outlier steps (a warm-up pass 50x a normal step) are listed, not averaged in.
 */
import { median, quantile } from 'd3-array';
import { KERNEL_CLASSES, type KernelClass } from '../classify/kernelClasses.js';
import type { Phase, Step } from '../steps/types.js';
import { isSteady, lowerMedian } from '../steps/steady.js';
import type { StepBreakdown } from './stepBreakdown.js';

export interface OutlierStep {
  step: number;
  name: string;
  spanNs: number;
  /** Span relative to the phase's typical step (its lower median): outside [1/3, 3] (steps/steady.ts). */
  ratio: number;
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


export function summarisePhase(phase: Phase, device: number, steps: Step[], breakdowns: StepBreakdown[]): PhaseSummary | null {
  const all = steps.map((s) => [s, breakdowns[s.index]!] as const).filter(([s]) => s.phase === phase && s.device === device);
  if (all.length === 0) return null;
  const typical = lowerMedian(all.map(([, b]) => b.spanNs));
  // Times and shares describe the steady steps; the others are listed as outliers (steps/steady.ts).
  const pairs = all.filter(([s]) => isSteady(s.end - s.start, typical));
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
      .filter(([s]) => !isSteady(s.end - s.start, typical))
      .map(([s, b]) => ({ step: s.index, name: s.name, spanNs: b.spanNs, ratio: b.spanNs / typical })),
  };
}
