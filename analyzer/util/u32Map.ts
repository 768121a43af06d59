/**
 * An open-addressing hash from uint32 keys (not 0) to row indices, 8 bytes a slot at a load of at most
 * 0.7: the launch join holds one entry per launch, millions of them, for each process. The table size is
 * not a power of two (the hash is mapped onto it by multiplication), so it stays close to what the load
 * needs instead of doubling.
 */
export class U32Map {
  private readonly keys: Uint32Array;
  private readonly values: Int32Array;
  private readonly cap: number;

  constructor(expected: number) {
    this.cap = Math.max(8, Math.ceil(expected / 0.7));
    this.keys = new Uint32Array(this.cap);
    this.values = new Int32Array(this.cap);
  }

  private slot(key: number): number {
    const h = Math.imul(key ^ (key >>> 16), 0x45d9f3b) >>> 0;
    return Math.floor((h * this.cap) / 4294967296);
  }

  /** Whether the key can be stored: a uint32 other than 0. */
  static fits(key: number): boolean {
    return key > 0 && key <= 0xffffffff && Number.isInteger(key);
  }

  /** First value set for a key wins: a later duplicate is ignored. */
  set(key: number, value: number): void {
    let i = this.slot(key);
    for (;;) {
      const k = this.keys[i]!;
      if (k === 0) {
        this.keys[i] = key;
        this.values[i] = value;
        return;
      }
      if (k === key) return;
      if (++i === this.cap) i = 0;
    }
  }

  /** The value for key, or -1. */
  get(key: number): number {
    let i = this.slot(key);
    for (;;) {
      const k = this.keys[i]!;
      if (k === key) return this.values[i]!;
      if (k === 0) return -1;
      if (++i === this.cap) i = 0;
    }
  }
}
