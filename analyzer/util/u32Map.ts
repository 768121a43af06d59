/**
 * An open-addressing hash from uint32 keys (not 0) to row indices, for the launch join: one entry per
 * launch, millions of them, looked up once per GPU op. Key and value sit side by side (a lookup touches one
 * cache line, not two), 8 bytes a slot at a load of at most 0.7; the table size is not a power of two
 * (the hash is mapped onto it by multiplication), so it stays close to what that load needs.
 */
export class U32Map {
  /** [key, value] pairs; key 0 is an empty slot. */
  private readonly slots: Uint32Array;
  private readonly cap: number;

  constructor(expected: number) {
    this.cap = Math.max(8, Math.ceil(expected / 0.7));
    this.slots = new Uint32Array(2 * this.cap);
  }

  private slot(key: number): number {
    const h = Math.imul(key ^ (key >>> 16), 0x45d9f3b) >>> 0;
    return Math.floor((h * this.cap) / 4294967296);
  }

  /** Whether the key can be stored: a uint32 other than 0. */
  static fits(key: number): boolean {
    return key > 0 && key <= 0xffffffff && Number.isInteger(key);
  }

  /** Whether every key[0, n) can be stored. */
  static fitsAll(keys: ArrayLike<number>, n: number): boolean {
    for (let i = 0; i < n; i++) if (!U32Map.fits(keys[i]!)) return false;
    return true;
  }

  /** First value set for a key wins: a later duplicate is ignored. */
  set(key: number, value: number): void {
    const s = this.slots;
    let i = this.slot(key);
    for (;;) {
      const k = s[2 * i]!;
      if (k === 0) {
        s[2 * i] = key;
        s[2 * i + 1] = value;
        return;
      }
      if (k === key) return;
      if (++i === this.cap) i = 0;
    }
  }

  /** The value for key, or -1. */
  get(key: number): number {
    const s = this.slots;
    let i = this.slot(key);
    for (;;) {
      const k = s[2 * i]!;
      if (k === key) return s[2 * i + 1]!;
      if (k === 0) return -1;
      if (++i === this.cap) i = 0;
    }
  }
}
