/**
 * The interval algebra and the step breakdown against brute force (time in integer ns): random interval
 * sets, random GPU ops of random classes on overlapping streams clipped to a random step span, and the
 * real samples' steps against an exact sweep over their op boundaries.
 */
import { describe, expect, it } from 'vitest';
import { breakdownOps } from '../analyzer/breakdown/stepBreakdown.js';
import { KERNEL_CLASSES } from '../analyzer/contract/vocabulary.js';
import type { GpuOps } from '../analyzer/model/types.js';
import { intersect, measure, overlapFraction, subtract, union, UnionMeter, type Interval } from '../analyzer/util/intervals.js';
import { Analysis, loadTrace } from '../index.js';
import { samplePath } from './support/traces.js';

/** Seeded generator (LCG): a failure names its seed and replays. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function randomIntervals(r: () => number, n: number, span: number): Interval[] {
  return Array.from({ length: n }, () => {
    const start = Math.floor(r() * span);
    // Some empty and some backwards intervals: they cover nothing.
    const len = r() < 0.1 ? -Math.floor(r() * 5) : Math.floor(r() * span * 0.2);
    return { start, end: start + len };
  });
}

/** Brute force: mark every ns covered. */
function covered(ivs: Interval[], span: number): Uint8Array {
  const m = new Uint8Array(span * 2);
  for (const { start, end } of ivs) for (let t = start; t < end; t++) m[t] = 1;
  return m;
}
const count = (m: Uint8Array) => m.reduce((a, b) => a + b, 0);

describe('interval algebra', () => {
  it('union, intersection, difference, overlap and the streaming meter match brute force', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const r = rng(seed);
      const span = 200;
      const a = randomIntervals(r, Math.floor(r() * 14), span);
      const b = randomIntervals(r, Math.floor(r() * 14), span);
      const A = covered(a, span);
      const B = covered(b, span);
      const AB = count(A.map((x, i) => x & B[i]!));
      expect(measure(a), `seed ${seed}`).toBe(count(A));
      expect(measure(intersect(a, b)), `seed ${seed}`).toBe(AB);
      expect(measure(subtract(a, b)), `seed ${seed}`).toBe(count(A.map((x, i) => x & (1 - B[i]!))));
      expect(overlapFraction(a, b), `seed ${seed}`).toBeCloseTo(count(A) ? AB / count(A) : 0, 12);
      const meter = new UnionMeter();
      for (const iv of [...a].sort((x, y) => x.start - y.start)) meter.add(iv.start, iv.end);
      expect(meter.finish(), `seed ${seed}`).toBe(count(A));
      const u = union(a);
      for (let i = 1; i < u.length; i++) expect(u[i]!.start, `seed ${seed}`).toBeGreaterThan(u[i - 1]!.end);
      for (const iv of u) expect(iv.end, `seed ${seed}`).toBeGreaterThan(iv.start);
    }
  });

  it('the meter is exact at session-clock magnitudes (ns near 2^40) and restarts clean after finish', () => {
    const base = 2 ** 40;
    const meter = new UnionMeter();
    meter.add(base, base + 10);
    meter.add(base + 5, base + 7);
    meter.add(base + 10, base + 12); // touching: one run
    meter.add(base + 20, base + 20); // empty
    meter.add(base + 30, base + 31);
    expect(meter.finish()).toBe(13);
    meter.add(5, 9);
    expect(meter.finish()).toBe(17);
  });
});

/** docs/architecture.md §3: compute is every class but communication and memory. */
const COMPUTE = new Set(['gemm', 'attention', 'norm', 'elementwise', 'moe', 'other']);
const COMM_CLASS = KERNEL_CLASSES.indexOf('communication');

interface Reference {
  classNs: number[];
  busyNs: number;
  computeNs: number;
  commNs: number;
  overlapNs: number;
  exposedCommNs: number;
  idleNs: number;
  classCount: number[];
}

/**
 * The breakdown by definition, over elementary segments: between consecutive op boundaries the set of
 * ops running is constant, so each segment is wholly comm, compute, both or neither. With unit segments
 * (`perNs`) this is the per-ns brute force.
 */
function reference(start: ArrayLike<number>, end: ArrayLike<number>, cls: ArrayLike<number>, idx: number[], s0: number, s1: number, perNs = false): Reference {
  const cuts = new Set<number>([s0, s1]);
  if (perNs) for (let t = s0; t < s1; t++) cuts.add(t);
  else for (const i of idx) for (const t of [start[i]!, end[i]!]) if (t > s0 && t < s1) cuts.add(t);
  const pts = [...cuts].sort((a, b) => a - b);
  const ref: Reference = { classNs: KERNEL_CLASSES.map(() => 0), busyNs: 0, computeNs: 0, commNs: 0, overlapNs: 0, exposedCommNs: 0, idleNs: 0, classCount: KERNEL_CLASSES.map(() => 0) };
  for (const i of idx) ref.classCount[cls[i]!]!++;
  for (let k = 0; k + 1 < pts.length; k++) {
    const [a, b] = [pts[k]!, pts[k + 1]!];
    const len = b - a;
    const on = new Set<number>();
    for (const i of idx) if (start[i]! <= a && end[i]! >= b && end[i]! > start[i]!) on.add(cls[i]!);
    for (const c of on) ref.classNs[c]! += len;
    const compute = [...on].some((c) => COMPUTE.has(KERNEL_CLASSES[c]!));
    const comm = on.has(COMM_CLASS);
    if (on.size) ref.busyNs += len;
    else ref.idleNs += len;
    if (compute) ref.computeNs += len;
    if (comm) ref.commNs += len;
    if (comm && compute) ref.overlapNs += len;
    if (comm && !compute) ref.exposedCommNs += len;
  }
  return ref;
}

function expectBreakdown(got: ReturnType<typeof breakdownOps>, ref: Reference, what: string): void {
  expect([...got.classNs], what).toEqual(ref.classNs);
  expect([...got.classCount], what).toEqual(ref.classCount);
  expect({ busy: got.busyNs, compute: got.computeNs, comm: got.commNs, overlap: got.overlapNs, exposed: got.exposedCommNs, idle: got.idleNs }, what).toEqual({
    busy: ref.busyNs, compute: ref.computeNs, comm: ref.commNs, overlap: ref.overlapNs, exposed: ref.exposedCommNs, idle: ref.idleNs,
  });
}

describe('step breakdown (breakdownOps)', () => {
  it('matches the per-ns brute force on random ops of random classes on overlapping streams', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = rng(seed * 7919);
      const n = Math.floor(r() * 40);
      const span = 300;
      const streams = 1 + Math.floor(r() * 4);
      // Ops laid out per stream (mostly back to back, as a stream runs), then merged by start as the model sorts them.
      const ops: { start: number; end: number; cls: number }[] = [];
      for (let s = 0; s < streams; s++) {
        let t = Math.floor(r() * 40);
        for (let k = 0; k < n / streams; k++) {
          const len = r() < 0.1 ? 0 : 1 + Math.floor(r() * 30);
          ops.push({ start: t, end: t + len, cls: Math.floor(r() * KERNEL_CLASSES.length) });
          t += len + (r() < 0.5 ? 0 : Math.floor(r() * 20)) - (r() < 0.1 ? Math.floor(len / 2) : 0);
        }
      }
      ops.sort((a, b) => a.start - b.start);
      const start = Float64Array.from(ops, (o) => o.start);
      const end = Float64Array.from(ops, (o) => o.end);
      const cls = Uint8Array.from(ops, (o) => o.cls);
      // A step span that cuts some ops and leaves some outside; a random subset of ops belongs to the step.
      const s0 = Math.floor(r() * 60);
      const s1 = s0 + Math.floor(r() * (span - s0));
      const idx = ops.map((_, i) => i).filter(() => r() < 0.9);
      const got = breakdownOps({ start, end } as unknown as GpuOps, cls, idx, s0, s1);
      // Clipping to the span is part of the definition: ops count only inside it.
      const clippedStart = Float64Array.from(start, (x) => Math.max(x, s0));
      const clippedEnd = Float64Array.from(end, (x) => Math.min(x, s1));
      expectBreakdown(got, reference(clippedStart, clippedEnd, cls, idx, s0, s1, true), `seed ${seed * 7919}`);
      expect(got.spanNs).toBe(Math.max(0, s1 - s0));
    }
  });

  it('matches the exact sweep on every step of real samples (eager with copies; sequence parallel)', () => {
    for (const name of ['tp4-eager.sqlite', 'tp4sp.sqlite']) {
      const a = new Analysis(loadTrace(samplePath(name)));
      const { start, end } = a.model.ops;
      expect(a.steps.steps.length, name).toBeGreaterThan(0);
      for (const [k, step] of a.steps.steps.entries()) {
        const idx = [...step.ops];
        const cs = Float64Array.from(start, (x) => Math.max(x, step.start));
        const ce = Float64Array.from(end, (x) => Math.min(x, step.end));
        expectBreakdown(a.breakdowns[k]!, reference(cs, ce, a.classes.opClass, idx, step.start, step.end), `${name} step ${k}`);
      }
    }
  });
});
