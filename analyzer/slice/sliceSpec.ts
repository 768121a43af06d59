/**
 * What a slice keeps of a trace for some steps (queries/slice.ts writes it): the steps' GPU ops, by the
 * (globalPid, correlationId, start) the export stores them under; each step's host thread over its host
 * range (or, for steps cut from the kernels, each launching thread over its launches); and the windows
 * every other timed table is cut to; for CUDA graph replays of collectives, the instant their node was
 * captured on its thread (where the call with the size is). Times are on the export's own clock (ns).
 */
import type { SliceSpec, Window } from '../model/sliceSpec.js';
import type { TraceModel } from '../model/types.js';
import type { Step } from '../steps/types.js';

export function mergeWindows(ws: Window[]): Window[] {
  const sorted = [...ws].sort((a, b) => a.start - b.start);
  const out: Window[] = [];
  for (const w of sorted) {
    const last = out[out.length - 1];
    if (last && w.start <= last.end) last.end = Math.max(last.end, w.end);
    else out.push({ ...w });
  }
  return out;
}

/** What to keep for the given steps: their ops, their threads' host ranges, and the overall windows. */
export function sliceSpec(model: TraceModel, steps: Step[], padNs: number): SliceSpec {
  const off = model.files[0]!.offsetNs;
  const gpuOps = new Set<string>();
  const threadWindows = new Map<number, Window[]>();
  const { ops } = model;
  for (const s of steps) {
    for (const i of s.ops) gpuOps.add(`${model.processes[ops.process[i]!]!.globalPid}:${ops.correlation[i]}:${ops.start[i]! - off}`);
    if (s.thread >= 0) {
      const tid = model.threads[s.thread]!.globalTid;
      const list = threadWindows.get(tid) ?? [];
      list.push({ start: s.hostStart - padNs - off, end: s.hostEnd + padNs - off });
      threadWindows.set(tid, list);
    } else {
      // Steps found from the kernels (no host range): keep each launching thread's calls over the span of
      // its launches in the step, so the slice still joins its kernels to their launches.
      const span = new Map<number, [number, number]>();
      for (const i of s.ops) {
        const t = ops.thread[i]!;
        const l = ops.launchStart[i]!;
        if (t < 0 || !Number.isFinite(l)) continue;
        const w = span.get(t);
        span.set(t, w ? [Math.min(w[0], l), Math.max(w[1], l)] : [l, l]);
      }
      for (const [t, [a, b]] of span) {
        const tid = model.threads[t]!.globalTid;
        const list = threadWindows.get(tid) ?? [];
        list.push({ start: a - padNs - off, end: b + padNs - off });
        threadWindows.set(tid, list);
      }
    }
  }
  const windows = steps.map((s) => ({ start: Math.min(s.hostStart, s.start) - padNs - off, end: Math.max(s.hostEnd, s.end) + padNs - off }));
  // A replayed collective's size is in the call that captured its node, long before the step: keep the
  // rows that span that instant on the capturing thread.
  const caps = model.graphCaptures;
  const kept = new Set<number>();
  for (const s of steps) for (const i of s.ops) kept.add(i);
  for (let k = 0; k < caps.n; k++) {
    if (!kept.has(caps.op[k]!)) continue;
    const at = { start: caps.start[k]! - off, end: caps.start[k]! - off };
    const tid = model.threads[caps.thread[k]!]!.globalTid;
    threadWindows.set(tid, [...(threadWindows.get(tid) ?? []), at]);
    windows.push(at);
  }
  for (const [tid, list] of threadWindows) threadWindows.set(tid, mergeWindows(list));
  return { windows: mergeWindows(windows), threadWindows, gpuOps };
}
