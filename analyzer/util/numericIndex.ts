/**
 * An open-addressing hash from non-negative integer keys (below 2^53) to row indices, in two typed arrays:
 * the correlation join sees one entry per launch, millions in a production trace, where a Map would cost
 * tens of bytes per entry and a garbage-collected object per key.
 */
export class NumericIndex {
  private readonly keys: Float64Array;
  private readonly values: Int32Array;
  private readonly mask: number;

  constructor(expected: number) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.keys = new Float64Array(cap).fill(-1);
    this.values = new Int32Array(cap);
    this.mask = cap - 1;
  }

  private slot(key: number): number {
    // Mix high and low halves: keys are (process << 32) + correlationId.
    const lo = key >>> 0;
    const hi = Math.floor(key / 4294967296) >>> 0;
    let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 13;
    return h & this.mask;
  }

  /** First value set for a key wins: a later duplicate is ignored. */
  set(key: number, value: number): void {
    let i = this.slot(key);
    for (;;) {
      const k = this.keys[i]!;
      if (k === -1) {
        this.keys[i] = key;
        this.values[i] = value;
        return;
      }
      if (k === key) return;
      i = (i + 1) & this.mask;
    }
  }

  /** The value for key, or -1. */
  get(key: number): number {
    let i = this.slot(key);
    for (;;) {
      const k = this.keys[i]!;
      if (k === key) return this.values[i]!;
      if (k === -1) return -1;
      i = (i + 1) & this.mask;
    }
  }
}
