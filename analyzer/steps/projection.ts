/**
 * Projecting host ranges onto GPUs: a GPU op belongs to a range if the API call that launched it (same
 * process, same thread) started inside the range. GPU time is asynchronous: the op itself may run long
 * after the range closed, so time windows on the GPU timeline would get it wrong.
 */
import type { TraceModel } from '../model/types.js';
import { argsort } from '../util/sort.js';

export interface LaunchIndex {
  /** Op indices launched from each thread, sorted by launch start (ops.launchStart). */
  opsByThread: Map<number, Uint32Array>;
}

export function buildLaunchIndex(model: TraceModel): LaunchIndex {
  const { ops } = model;
  const counts = new Int32Array(model.threads.length);
  for (let i = 0; i < ops.n; i++) {
    const t = ops.thread[i]!;
    if (t >= 0) counts[t]!++;
  }
  const lists = Array.from(counts, (c) => new Uint32Array(c));
  const fill = new Int32Array(model.threads.length);
  for (let i = 0; i < ops.n; i++) {
    const t = ops.thread[i]!;
    if (t >= 0) lists[t]![fill[t]!++] = i;
  }
  const opsByThread = new Map<number, Uint32Array>();
  lists.forEach((idx, t) => {
    if (idx.length === 0) return;
    // Ops are in start order; by launch start they are a few interleaved runs (one per stream), which
    // argsort merges. Ties keep op order, as the index tie-break did.
    const starts = new Float64Array(idx.length);
    for (let k = 0; k < idx.length; k++) starts[k] = ops.launchStart[idx[k]!]!;
    const order = argsort(starts);
    for (let k = 0; k < order.length; k++) order[k] = idx[order[k]!]!;
    opsByThread.set(t, order);
  });
  return { opsByThread };
}

/** First k in [lo, idx.length) with launchStart[idx[k]] >= x (or > x when `after`). */
function searchLaunch(launchStart: Float64Array, idx: Uint32Array, x: number, lo: number, after: boolean): number {
  let hi = idx.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = launchStart[idx[mid]!]!;
    if (v < x || (after && v === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

let counts = new Int32Array(16);

/**
 * Ops launched by `thread` during [start, end] (or [start, end) with `endExclusive`: a range cut where
 * the next begins), grouped by device, each sorted by op start.
 */
export function projectRange(model: TraceModel, index: LaunchIndex, thread: number, start: number, end: number, endExclusive = false): Map<number, Uint32Array> {
  const out = new Map<number, Uint32Array>();
  const idx = index.opsByThread.get(thread);
  if (!idx) return out;
  const lo = searchLaunch(model.ops.launchStart, idx, start, 0, false);
  const hi = searchLaunch(model.ops.launchStart, idx, end, lo, !endExclusive);
  if (hi <= lo) return out;
  // Counted per device first, then filled: typed arrays from the start, nothing per op on the JS heap. Called
  // for every step and layer range (hundreds of thousands in a big trace): the counters are reused.
  const { device } = model.ops;
  const ndev = model.devices.length;
  if (counts.length < ndev) counts = new Int32Array(ndev);
  const seen: number[] = [];
  for (let k = lo; k < hi; k++) {
    const d = device[idx[k]!]!;
    if (counts[d]!++ === 0) seen.push(d);
  }
  const lists: Uint32Array[] = new Array(ndev);
  for (const d of seen) {
    lists[d] = new Uint32Array(counts[d]!);
    out.set(d, lists[d]!);
    counts[d] = 0;
  }
  let sorted = true;
  for (let k = lo; k < hi; k++) {
    const op = idx[k]!;
    const d = device[op]!;
    const at = counts[d]!++;
    const list = lists[d]!;
    if (at > 0 && list[at - 1]! > op) sorted = false;
    list[at] = op;
  }
  for (const d of seen) counts[d] = 0;
  // Op indices are in start order (the model sorts ops by start), so sorting indices sorts by time; ops
  // launched in order usually are already.
  if (!sorted) for (const list of out.values()) list.sort();
  return out;
}
