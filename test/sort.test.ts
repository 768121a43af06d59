/**
 * The sorts the trace model relies on at production sizes: a natural merge argsort (stable) and an
 * in-place permutation, checked against Array.prototype.sort with an index tie-break on real columns.
 */
import { describe, expect, it } from 'vitest';
import { readTraceInput } from '../queries/nsysTrace.js';
import { argsort, isIdentity, permuteInPlace } from '../analyzer/util/sort.js';
import { samplePath } from './support/traces.js';

function reference(keys: Float64Array): number[] {
  return Array.from(keys, (_k, i) => i).sort((a, b) => keys[a]! - keys[b]! || a - b);
}

describe('argsort', () => {
  // Kernels, then copies, then sets, each in start order: the shape of every export's op columns.
  const raw = readTraceInput(samplePath('tp4-eager.sqlite'));
  const starts = raw.ops.start;
  it('merges the per-table runs of a real export into start order, stable on ties', () => {
    const order = argsort(starts);
    expect(Array.from(order)).toEqual(reference(starts));
    expect(isIdentity(order)).toBe(false);
  });
  it('sorts any input: reversed, with repeated values, already sorted', () => {
    const reversed = Float64Array.from(starts).reverse();
    expect(Array.from(argsort(reversed))).toEqual(reference(reversed));
    const coarse = Float64Array.from(starts, (s) => Math.floor(s / 1e8));
    expect(Array.from(argsort(coarse))).toEqual(reference(coarse));
    const sorted = Float64Array.from(starts).sort();
    expect(isIdentity(argsort(sorted))).toBe(true);
  });
  it('permuteInPlace reorders every column type like a gather', () => {
    const order = argsort(starts);
    const name = Array.from(raw.ops.name);
    const cols = [
      Float64Array.from(starts), Int32Array.from(name, (v) => v - 100000), Uint32Array.from(raw.ops.correlation), Uint16Array.from(name),
      Int16Array.from(name, (v) => -v), Uint8Array.from(raw.ops.kind), Int8Array.from(name, (v) => (v % 200) - 100),
    ];
    const before = cols.map((c) => Array.from(c as ArrayLike<number>));
    permuteInPlace(cols, order);
    cols.forEach((c, j) => expect(Array.from(c as ArrayLike<number>), c.constructor.name).toEqual(Array.from(order, (k) => before[j]![k])));
  });
});
