/**
 * The GPU between steps (docs/architecture.md §3, "Between steps"): a step's span runs from its first op to
 * its last, so the time from one step's end to the next step's start is in no step. In a serving loop that
 * is where the scheduler, sampling, detokenising and IPC run while the GPU waits: decode steps of 4.4 ms
 * every 7.1 ms leave the GPU idle 38% of the time, which no per-step share shows. Async scheduling and
 * overlap schedulers exist to remove exactly this.
 *
 * Per device and phase, over consecutive steps of the pass the numbers describe, both steady and of that phase: the
 * period (one step's start to the next one's), the gap after each step (its end to the next start), the
 * GPU idle inside that gap (ops outside any step, such as sampling kernels, are work, not idle), and the
 * host calls in flight during the gaps on the thread that launched the next step.
 */
import { median } from 'd3-array';
import type { TraceModel } from '../model/types.js';
import type { Step, StepSet } from '../steps/types.js';
import type { Phase } from '../contract/vocabulary.js';
import { tallyHostCalls, topCalls, type CallTotal, type HostCallIndex } from '../host/hostActivity.js';

export interface BetweenSteps {
  phase: Phase;
  device: number;
  /** Pairs of consecutive steady steps of this phase. */
  pairs: number;
  /** Median step start to next step start (ns). */
  periodNs: number;
  /** Median span of the steps the pairs start with (ns). */
  spanNs: number;
  /** Median gap: step end to next step start (ns). */
  gapNs: number;
  /** Sums over the pairs: start-to-start time, and GPU idle inside the gaps (ns). */
  totalNs: number;
  idleNs: number;
  /** idleNs / totalNs: the share of the loop's time the GPU waits between steps. */
  idleShare: number;
  /** The host calls in flight during the gaps (longest total first, at most five). */
  hostCalls: CallTotal[];
  /** Host time in the gaps not covered by any CUDA or OS call (ns, summed): CPU-side work such as Python. */
  uncoveredNs: number;
  /** The longest gap (session clock, ns). */
  longest: { startNs: number; endNs: number; step: number } | null;
}

/** GPU idle in [t0, t1] on a device: the window minus the union of the ops in it (ops are in start order). */
function idleIn(model: TraceModel, list: Uint32Array, from: number, t0: number, t1: number): number {
  const { start, end } = model.ops;
  let busy = 0;
  let cursor = t0;
  for (let p = from; p < list.length; p++) {
    const o = list[p]!;
    if (start[o]! >= t1) break;
    const s = Math.max(cursor, start[o]!);
    const e = Math.min(t1, end[o]!);
    if (e > s) {
      busy += e - s;
      cursor = e;
    }
  }
  return Math.max(0, t1 - t0 - busy);
}

function firstAtOrAfter(model: TraceModel, list: Uint32Array, t: number): number {
  // The earliest op that may still be running at t: ops are sorted by start, so search on start and step
  // back over ops that started earlier but end after t.
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (model.ops.start[list[mid]!]! < t) lo = mid + 1;
    else hi = mid;
  }
  while (lo > 0 && model.ops.end[list[lo - 1]!]! > t) lo--;
  return lo;
}

export function betweenSteps(model: TraceModel, set: StepSet, deviceOps: Uint32Array[], hosts: HostCallIndex): BetweenSteps[] {
  const out: BetweenSteps[] = [];
  set.byDevice.forEach((list, device) => {
    const pairs = new Map<Phase, [Step, Step][]>();
    for (let k = 0; k + 1 < list.length; k++) {
      const a = list[k]!;
      const b = list[k + 1]!;
      if (!set.steady[a.index] || !set.steady[b.index] || a.pass !== b.pass || a.phase !== b.phase || b.start < a.end) continue;
      let l = pairs.get(a.phase);
      if (!l) pairs.set(a.phase, (l = []));
      l.push([a, b]);
    }
    for (const [phase, ps] of pairs) {
      const ops = deviceOps[device]!;
      const calls = new Map<string, CallTotal>();
      let idle = 0;
      let total = 0;
      let uncovered = 0;
      let longest: BetweenSteps['longest'] = null;
      for (const [a, b] of ps) {
        total += b.start - a.start;
        idle += idleIn(model, ops, firstAtOrAfter(model, ops, a.end), a.end, b.start);
        if (!longest || b.start - a.end > longest.endNs - longest.startNs) longest = { startNs: a.end, endNs: b.start, step: a.index };
        const first = b.ops[0];
        uncovered += tallyHostCalls(model, hosts, first === undefined ? -1 : model.ops.thread[first]!, a.end, b.start, calls);
      }
      out.push({
        phase, device, pairs: ps.length,
        periodNs: median(ps.map(([a, b]) => b.start - a.start)) ?? 0,
        spanNs: median(ps.map(([a]) => a.end - a.start)) ?? 0,
        gapNs: median(ps.map(([a, b]) => b.start - a.end)) ?? 0,
        totalNs: total, idleNs: idle, idleShare: total > 0 ? idle / total : 0,
        hostCalls: topCalls(calls, 5),
        uncoveredNs: uncovered,
        longest,
      });
    }
  });
  return out;
}

/** A device's gaps between steady steps of a phase. */
export function betweenOfPhase(between: readonly BetweenSteps[], device: number, phase: string): BetweenSteps | undefined {
  return between.find((b) => b.device === device && b.phase === phase);
}
