/**
 * Projecting host ranges onto GPUs: a GPU op belongs to a range if the API call that launched it (same
 * process, same thread) started inside the range. GPU time is asynchronous: the op itself may run long
 * after the range closed, so time windows on the GPU timeline would get it wrong.
 */
import type { TraceModel } from '../model/types.js';
import { lowerBound } from '../util/sort.js';

export interface LaunchIndex {
  /** Op indices launched from each thread, sorted by launch start. */
  opsByThread: Map<number, Uint32Array>;
  /** Launch start of the ops in opsByThread, same order. */
  startsByThread: Map<number, Float64Array>;
}

export function buildLaunchIndex(model: TraceModel): LaunchIndex {
  const { ops } = model;
  const counts = new Map<number, number>();
  for (let i = 0; i < ops.n; i++) {
    const t = ops.thread[i]!;
    if (t >= 0) counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  const opsByThread = new Map<number, Uint32Array>();
  const fill = new Map<number, number>();
  for (const [t, c] of counts) {
    opsByThread.set(t, new Uint32Array(c));
    fill.set(t, 0);
  }
  for (let i = 0; i < ops.n; i++) {
    const t = ops.thread[i]!;
    if (t < 0) continue;
    const k = fill.get(t)!;
    opsByThread.get(t)![k] = i;
    fill.set(t, k + 1);
  }
  const startsByThread = new Map<number, Float64Array>();
  for (const [t, idx] of opsByThread) {
    idx.sort((a, b) => ops.launchStart[a]! - ops.launchStart[b]! || a - b);
    startsByThread.set(t, Float64Array.from(idx, (i) => ops.launchStart[i]!));
  }
  return { opsByThread, startsByThread };
}

/** Ops launched by `thread` during [start, end], grouped by device, each sorted by op start. */
export function projectRange(model: TraceModel, index: LaunchIndex, thread: number, start: number, end: number): Map<number, Uint32Array> {
  const out = new Map<number, Uint32Array>();
  const idx = index.opsByThread.get(thread);
  const starts = index.startsByThread.get(thread);
  if (!idx || !starts) return out;
  const lo = lowerBound(starts, start);
  let hi = lowerBound(starts, end, lo);
  while (hi < starts.length && starts[hi] === end) hi++;
  if (hi <= lo) return out;
  const byDev = new Map<number, number[]>();
  for (let k = lo; k < hi; k++) {
    const op = idx[k]!;
    const d = model.ops.device[op]!;
    let list = byDev.get(d);
    if (!list) byDev.set(d, (list = []));
    list.push(op);
  }
  // Op indices are in start order (the model sorts ops by start), so sorting indices sorts by time.
  for (const [d, list] of byDev) out.set(d, Uint32Array.from(list).sort());
  return out;
}
