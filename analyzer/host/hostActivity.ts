/**
 * What the host was doing during a stretch of GPU idle time: the long or notable CUDA API and OS calls
 * of the launching thread that overlap it (model.hostCalls), and when the next kernel was launched.
 */
import type { TraceModel } from '../model/types.js';
import { lowerBound } from '../util/sort.js';

export interface HostCallInWindow {
  name: string;
  source: 'cuda' | 'os';
  start: number;
  end: number;
  /** Time of the call inside the window (ns). */
  overlapNs: number;
}

export interface HostCallIndex {
  byThread: Map<number, { calls: Uint32Array; starts: Float64Array; maxDur: number }>;
}

export function hostCallIndex(model: TraceModel): HostCallIndex {
  const hc = model.hostCalls;
  // Counted per thread, then filled: typed arrays throughout (a production trace has millions of calls).
  const counts = new Map<number, number>();
  for (let i = 0; i < hc.n; i++) counts.set(hc.thread[i]!, (counts.get(hc.thread[i]!) ?? 0) + 1);
  const byThread = new Map<number, { calls: Uint32Array; starts: Float64Array; maxDur: number }>();
  for (const [t, c] of counts) byThread.set(t, { calls: new Uint32Array(c), starts: new Float64Array(c), maxDur: 0 });
  const fill = new Map<number, number>();
  let entry: { calls: Uint32Array; starts: Float64Array; maxDur: number } | undefined;
  let last = NaN;
  let k = 0;
  for (let i = 0; i < hc.n; i++) {
    const t = hc.thread[i]!;
    if (t !== last) {
      if (entry) fill.set(last, k);
      entry = byThread.get(t)!;
      k = fill.get(t) ?? 0;
      last = t;
    }
    entry!.calls[k] = i;
    entry!.starts[k++] = hc.start[i]!;
    entry!.maxDur = Math.max(entry!.maxDur, hc.end[i]! - hc.start[i]!);
  }
  return { byThread };
}

/** Calls of `thread` overlapping [t0, t1], longest overlap first. */
export function hostCallsDuring(model: TraceModel, index: HostCallIndex, thread: number, t0: number, t1: number): HostCallInWindow[] {
  const entry = index.byThread.get(thread);
  if (!entry || t1 <= t0) return [];
  const hc = model.hostCalls;
  const out: HostCallInWindow[] = [];
  // Calls start in order; one starting before t0 - maxDur cannot reach t0.
  for (let k = lowerBound(entry.starts, t0 - entry.maxDur); k < entry.calls.length && entry.starts[k]! < t1; k++) {
    const i = entry.calls[k]!;
    const overlap = Math.min(t1, hc.end[i]!) - Math.max(t0, hc.start[i]!);
    if (overlap <= 0) continue;
    out.push({ name: hc.names[hc.name[i]!]!, source: hc.source[i] ? 'os' : 'cuda', start: hc.start[i]!, end: hc.end[i]!, overlapNs: overlap });
  }
  return out.sort((a, b) => b.overlapNs - a.overlapNs);
}

/** Host calls summed over several windows of one kind (the gaps between steps, the idle gaps of a run of steps), by source and name. */
export interface CallTotal {
  name: string;
  source: 'cuda' | 'os';
  /** Time of the call inside the windows, summed (ns). */
  ns: number;
  /** Windows it was in flight in. */
  gaps: number;
}

/**
 * Adds the calls of `thread` during [t0, t1] to `totals` and returns the window's time no call covers
 * (CPU-side work: Python, scheduling); a thread of -1 (launch unknown) covers nothing.
 */
export function tallyHostCalls(model: TraceModel, index: HostCallIndex, thread: number, t0: number, t1: number, totals: Map<string, CallTotal>): number {
  const during = thread >= 0 ? hostCallsDuring(model, index, thread, t0, t1) : [];
  let covered = 0;
  for (const c of during) {
    const key = `${c.source}:${c.name}`;
    const g = totals.get(key) ?? { name: c.name, source: c.source, ns: 0, gaps: 0 };
    g.ns += c.overlapNs;
    g.gaps++;
    totals.set(key, g);
    covered += c.overlapNs;
  }
  return Math.max(0, t1 - t0 - covered);
}

/** The longest totals first, at most `n`. */
export function topCalls(totals: Map<string, CallTotal>, n: number): CallTotal[] {
  return [...totals.values()].sort((x, y) => y.ns - x.ns).slice(0, n);
}

/**
 * What the host was doing in a window of GPU idle time, as data (a rule states it with the `hostCalls`
 * message of rules/sharedMessages.ts): the calls with the most time in it, what no call covers, and
 * whether a kernel library was loaded.
 */
export interface HostActivity {
  /** The calls with the most time inside the window, at most 3, longest first (ns inside the window). */
  calls: { name: string; overlapNs: number }[];
  /** The window (ns). */
  windowNs: number;
  /**
   * The window less the calls' time inside it, summed over every call in flight (at least 0): CPU-side
   * work with no CUDA or OS call in flight (Python, framework, scheduling).
   */
  uncoveredNs: number;
  /** The calls cover less than half the window: the uncovered rest is most of it, so it is named. */
  mostlyUncovered: boolean;
  /**
   * A CUDA library or module was loaded in the window: right before a launch, that is a kernel compiled
   * or loaded at run time (a new cuDNN or Triton plan).
   */
  libraryLoad: boolean;
}

/** The host's activity during a window of `windowNs` from the calls in flight in it (longest overlap first). */
export function hostActivity(calls: HostCallInWindow[], windowNs: number): HostActivity {
  const covered = calls.reduce((a, c) => a + c.overlapNs, 0);
  return {
    calls: calls.slice(0, 3).map((c) => ({ name: c.name, overlapNs: c.overlapNs })),
    windowNs,
    uncoveredNs: Math.max(0, windowNs - covered),
    mostlyUncovered: covered < windowNs * 0.5,
    libraryLoad: calls.some((c) => /^cu(Library|Module)Load/.test(c.name)),
  };
}
