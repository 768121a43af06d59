/** The interval algebra against a brute-force reference on random inputs (time in integer ns). */
import { describe, expect, it } from 'vitest';
import { intersect, measure, subtract, union, UnionMeter, type Interval } from '../analyzer/util/intervals.js';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function randomIntervals(r: () => number, n: number, span: number): Interval[] {
  return Array.from({ length: n }, () => {
    const start = Math.floor(r() * span);
    return { start, end: start + Math.floor(r() * span * 0.2) };
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
  it('union, intersection, difference and the streaming meter match brute force', () => {
    const r = rng(42);
    for (let trial = 0; trial < 300; trial++) {
      const span = 200;
      const a = randomIntervals(r, Math.floor(r() * 12), span);
      const b = randomIntervals(r, Math.floor(r() * 12), span);
      const A = covered(a, span);
      const B = covered(b, span);
      expect(measure(a)).toBe(count(A));
      expect(measure(intersect(a, b))).toBe(count(A.map((x, i) => x & B[i]!)));
      expect(measure(subtract(a, b))).toBe(count(A.map((x, i) => x & (1 - B[i]!))));
      const meter = new UnionMeter();
      for (const iv of [...a].sort((x, y) => x.start - y.start)) meter.add(iv.start, iv.end);
      expect(meter.finish()).toBe(count(A));
      const u = union(a);
      for (let i = 1; i < u.length; i++) expect(u[i]!.start).toBeGreaterThan(u[i - 1]!.end);
    }
  });
});
