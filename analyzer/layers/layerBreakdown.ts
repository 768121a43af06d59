/**
 * Per-layer time on one device, as time windows that tile the step exactly: prologue (step start to the
 * first layer), then each layer's attention block and MLP block, then the epilogue (after the last layer to
 * the step end). A layer's window runs from its first kernel's start to the next layer's first kernel's
 * start, so the idle time between two layers belongs to the earlier one; the MLP window starts at the MLP
 * block's first kernel. Each window is measured like a step (stepBreakdown.ts) over the ops clipped to it,
 * so the windows' spans, busy, compute, comm and idle times add up to the step's, to the nanosecond.
 */
import { breakdownOps } from '../breakdown/stepBreakdown.js';
import type { GpuOps } from '../model/types.js';
import type { Step } from '../steps/types.js';
import type { LayerSource, StepLayers } from './types.js';

export interface WindowTimes {
  startNs: number;
  endNs: number;
  spanNs: number;
  /** |union of compute kernels| (DESIGN 3 compute: not communication, not memory). */
  computeNs: number;
  /** |union of communication kernels|. */
  commNs: number;
  /** |comm ∩ compute|. */
  overlapNs: number;
  /** |comm − compute|. */
  exposedCommNs: number;
  /** Busy with neither compute nor communication: copies and fills alone. */
  copyNs: number;
  busyNs: number;
  idleNs: number;
}

export interface LayerTimes {
  name: string;
  attention: WindowTimes;
  mlp: WindowTimes;
}

export interface StepLayerBreakdown {
  step: number;
  source: LayerSource;
  prologue: WindowTimes;
  layers: LayerTimes[];
  epilogue: WindowTimes;
}

/** Measures windows of one step: ops overlapping [a, b) found by binary search on start and a running max of end. */
class StepWindows {
  private readonly maxEnd: Float64Array;
  constructor(private readonly ops: GpuOps, private readonly opClass: Uint8Array, private readonly seq: Uint32Array) {
    this.maxEnd = new Float64Array(seq.length);
    let m = -Infinity;
    seq.forEach((op, p) => (this.maxEnd[p] = m = Math.max(m, ops.end[op]!)));
  }

  private firstStartAtOrAfter(t: number): number {
    let lo = 0;
    let hi = this.seq.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ops.start[this.seq[mid]!]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private firstEndingAfter(t: number): number {
    let lo = 0;
    let hi = this.seq.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.maxEnd[mid]! <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  measure(a: number, b: number): WindowTimes {
    const hi = this.firstStartAtOrAfter(b);
    const inside: number[] = [];
    for (let p = this.firstEndingAfter(a); p < hi; p++) {
      const op = this.seq[p]!;
      if (this.ops.end[op]! > a) inside.push(op);
    }
    const r = breakdownOps(this.ops, this.opClass, inside, a, b);
    return {
      startNs: a, endNs: b, spanNs: r.spanNs, computeNs: r.computeNs, commNs: r.commNs, overlapNs: r.overlapNs,
      exposedCommNs: r.exposedCommNs, copyNs: r.busyNs - r.computeNs - r.exposedCommNs, busyNs: r.busyNs, idleNs: r.idleNs,
    };
  }
}

export function breakdownStepLayers(ops: GpuOps, opClass: Uint8Array, step: Step, layers: StepLayers): StepLayerBreakdown | null {
  if (layers.source === null || layers.cuts.length === 0) return null;
  const seq = step.ops;
  const w = new StepWindows(ops, opClass, seq);
  // Window edges are op starts, clamped so they never run backwards.
  let last = step.start;
  const at = (p: number) => (last = Math.min(step.end, Math.max(last, p < seq.length ? ops.start[seq[p]!]! : step.end)));
  const cuts = layers.cuts;
  const firstStart = at(cuts[0]!.first);
  const prologue = w.measure(step.start, firstStart);
  const out: LayerTimes[] = [];
  let start = firstStart;
  cuts.forEach((c, k) => {
    const next = cuts[k + 1];
    const split = at(next ? Math.min(c.split, next.first) : c.split);
    const end = at(next ? next.first : c.end);
    out.push({ name: c.name, attention: w.measure(start, split), mlp: w.measure(split, end) });
    start = end;
  });
  return { step: step.index, source: layers.source, prologue, layers: out, epilogue: w.measure(start, step.end) };
}
