/**
 * Per device and phase, over its steady steps (docs/architecture.md §3): the step-time distribution
 * (median, p10, p90 of the spans) and where the time goes: sums over the steady steps, so that time per
 * step is their mean and every share is a part of the summed spans (a time-weighted mean). One statistic
 * per quantity: a share is never a median beside a mean. Outlier steps are listed, not summed.
 */
import { median, quantile } from 'd3-array';
import { type Exclusion, KERNEL_CLASSES, type KernelClass, type Phase } from '../contract/vocabulary.js';
import { MOE_PARTS, type MoePart } from '../classify/moeParts.js';
import type { Step, StepSet } from '../steps/types.js';
import { lowerMedian } from '../util/stats.js';
import type { StepBreakdown } from './stepBreakdown.js';

export interface OutlierStep {
  step: number;
  name: string;
  spanNs: number;
  /** Span relative to the phase's typical step (the lower median of the steps described). */
  ratio: number;
  /** outlier: too slow for the pass the numbers describe; earlier-pass: a step of a warm-up pass. */
  reason: Exclusion;
  /** Where the step ran (session clock, ns): to find it in the Nsight Systems timeline. */
  startNs: number;
}

export interface PhaseSummary {
  phase: Phase;
  device: number;
  /** All steps of the phase on the device, outliers included. */
  count: number;
  /** Steps the times and shares below describe: all but the outliers. */
  steadyCount: number;
  /** The steady steps' spans: median, p10, p90, min, max. */
  medianNs: number;
  p10Ns: number;
  p90Ns: number;
  minNs: number;
  maxNs: number;
  /** Sums over the steady steps (divide by steadyCount for the mean per step). */
  totalSpanNs: number;
  timeNs: Record<KernelClass | 'idle', number>;
  /** The moe class's time in parts (sums over the steady steps; classify/moeParts.ts). */
  moeNs: Record<MoePart, number>;
  /** FP8 GEMMs and the quantisation of their inputs (sums over the steady steps; classify/quantParts.ts). */
  fp8GemmNs: number;
  fp8QuantNs: number;
  busyNs: number;
  commNs: number;
  /** Communication split into the data moving (each collective's transfer) and waiting for other ranks. */
  commTransferNs: number;
  commWaitNs: number;
  exposedCommNs: number;
  overlapNs: number;
  /** Parts of the summed spans (or, for overlap, of the summed communication). */
  commShare: number;
  overlap: number;
  exposedCommShare: number;
  idleShare: number;
  outliers: OutlierStep[];
}

/**
 * The StepSet says which steps count (`steady`: the measured pass, outliers out) and why the others do not;
 * `transfer[step]` is the step's collective transfer time (collectives/stepTransfer.ts), of which at most
 * its communication time is transfer.
 */
export function summarisePhase(
  phase: Phase, device: number, set: StepSet, breakdowns: readonly StepBreakdown[], transfer: Float64Array,
): PhaseSummary | null {
  const all = set.byDevice[device]!.filter((s) => s.phase === phase);
  if (all.length === 0) return null;
  const kept = all.filter((s) => set.steady[s.index] === 1).map((s) => [s, breakdowns[s.index]!] as const);
  if (kept.length === 0) return null;
  const typical = lowerMedian(kept.map(([, b]) => b.spanNs));
  const spans = kept.map(([, b]) => b.spanNs);
  const sum = (f: (b: StepBreakdown, s: Step) => number) => kept.reduce((a, [s, b]) => a + f(b, s), 0);
  const timeNs = Object.fromEntries(KERNEL_CLASSES.map((c, i) => [c, sum((b) => b.classNs[i]!)])) as Record<KernelClass | 'idle', number>;
  timeNs.idle = sum((b) => b.idleNs);
  const moeNs = Object.fromEntries(MOE_PARTS.map((m, i) => [m, sum((b) => b.moeNs[i]!)])) as Record<MoePart, number>;
  const totalSpanNs = sum((b) => b.spanNs);
  const commNs = sum((b) => b.commNs);
  const commTransferNs = sum((b, s) => Math.min(b.commNs, transfer[s.index]!));
  const overlapNs = sum((b) => b.overlapNs);
  const exposedCommNs = sum((b) => b.exposedCommNs);
  const of = (x: number, whole: number) => (whole > 0 ? x / whole : 0);
  return {
    phase, device, count: all.length, steadyCount: kept.length,
    medianNs: median(spans) ?? 0, p10Ns: quantile(spans, 0.1) ?? 0, p90Ns: quantile(spans, 0.9) ?? 0,
    minNs: spans.length ? Math.min(...spans) : 0, maxNs: spans.length ? Math.max(...spans) : 0,
    totalSpanNs, timeNs, moeNs, fp8GemmNs: sum((b) => b.fp8GemmNs), fp8QuantNs: sum((b) => b.fp8QuantNs), busyNs: sum((b) => b.busyNs), commNs, commTransferNs, commWaitNs: commNs - commTransferNs, exposedCommNs, overlapNs,
    commShare: of(commNs, totalSpanNs), overlap: of(overlapNs, commNs), exposedCommShare: of(exposedCommNs, totalSpanNs), idleShare: of(timeNs.idle, totalSpanNs),
    outliers: all
      .filter((s) => set.exclusion[s.index] !== null)
      .map((s) => {
        const b = breakdowns[s.index]!;
        return { step: s.index, name: s.name, spanNs: b.spanNs, ratio: b.spanNs / typical, reason: set.exclusion[s.index]!, startNs: s.start };
      }),
  };
}

/** A device's summary of a phase, if it has steady steps in it. */
export function phaseOf(phases: readonly PhaseSummary[], device: number, phase: string): PhaseSummary | undefined {
  return phases.find((p) => p.device === device && p.phase === phase);
}
