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
import type { StepLayers } from './types.js';
import type { LayerSource } from '../contract/vocabulary.js';

export interface WindowTimes {
  startNs: number;
  endNs: number;
  spanNs: number;
  /** |union of compute kernels| (docs/architecture.md §3 compute: not communication, not memory). */
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

/**
 * A window's ten numbers, kept in one Float64Array per step: a big trace has tens of thousands of steps of
 * a dozen windows each, and ten numbers as object fields cost a heap number apiece (about 250 bytes a
 * window instead of 80 plus a small view object).
 */
const FIELDS = 10;
class PackedWindow implements WindowTimes {
  constructor(private readonly buf: Float64Array, private readonly at: number) {}
  get startNs(): number { return this.buf[this.at]!; }
  get endNs(): number { return this.buf[this.at + 1]!; }
  get spanNs(): number { return this.buf[this.at + 2]!; }
  get computeNs(): number { return this.buf[this.at + 3]!; }
  get commNs(): number { return this.buf[this.at + 4]!; }
  get overlapNs(): number { return this.buf[this.at + 5]!; }
  get exposedCommNs(): number { return this.buf[this.at + 6]!; }
  get copyNs(): number { return this.buf[this.at + 7]!; }
  get busyNs(): number { return this.buf[this.at + 8]!; }
  get idleNs(): number { return this.buf[this.at + 9]!; }
  toJSON(): WindowTimes {
    const { startNs, endNs, spanNs, computeNs, commNs, overlapNs, exposedCommNs, copyNs, busyNs, idleNs } = this;
    return { startNs, endNs, spanNs, computeNs, commNs, overlapNs, exposedCommNs, copyNs, busyNs, idleNs };
  }
}

/** The ops of the window being measured, reused by every window (one is measured at a time). */
let scratch = new Uint32Array(1024);

/** Measures windows of one step: ops overlapping [a, b) found by binary search on start and a running max of end. */
class StepWindows {
  private readonly maxEnd: Float64Array;
  private next = 0;
  constructor(private readonly ops: GpuOps, private readonly opClass: Uint8Array, private readonly seq: Uint32Array, private readonly buf: Float64Array) {
    this.maxEnd = new Float64Array(seq.length);
    let m = -Infinity;
    for (let p = 0; p < seq.length; p++) this.maxEnd[p] = m = Math.max(m, ops.end[seq[p]!]!);
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
    const lo = this.firstEndingAfter(a);
    if (scratch.length < hi - lo) scratch = new Uint32Array(2 * (hi - lo));
    let n = 0;
    for (let p = lo; p < hi; p++) {
      const op = this.seq[p]!;
      if (this.ops.end[op]! > a) scratch[n++] = op;
    }
    const r = breakdownOps(this.ops, this.opClass, scratch.subarray(0, n), a, b);
    const at = this.next;
    this.next += FIELDS;
    this.buf.set([a, b, r.spanNs, r.computeNs, r.commNs, r.overlapNs, r.exposedCommNs, r.busyNs - r.computeNs - r.exposedCommNs, r.busyNs, r.idleNs], at);
    return new PackedWindow(this.buf, at);
  }
}

export function breakdownStepLayers(ops: GpuOps, opClass: Uint8Array, step: Step, layers: StepLayers): StepLayerBreakdown | null {
  if (layers.source === null || layers.cuts.length === 0) return null;
  const seq = step.ops;
  // Prologue, attention and MLP of each layer, epilogue.
  const w = new StepWindows(ops, opClass, seq, new Float64Array(FIELDS * (2 * layers.cuts.length + 2)));
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
