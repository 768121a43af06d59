/**
 * Numeric keys of which there are few (a file's threads, processes, devices, names) mapped to dense
 * indices, looked up once per row of tables with millions of rows. A linear scan of a small typed array
 * beats a Map several times on keys that are not small integers (a globalTid is about 2^48); past 32 keys
 * a Map takes over.
 */
const LINEAR = 32;

export class FewKeys {
  private readonly keys = new Float64Array(LINEAR);
  private readonly values = new Int32Array(LINEAR);
  private n = 0;
  private map: Map<number, number> | null = null;

  /** The value for key, or -1. */
  get(key: number): number {
    const n = this.n;
    const keys = this.keys;
    for (let i = 0; i < n; i++) if (keys[i] === key) return this.values[i]!;
    return this.map?.get(key) ?? -1;
  }

  set(key: number, value: number): void {
    if (this.n < LINEAR) {
      this.keys[this.n] = key;
      this.values[this.n++] = value;
    } else {
      (this.map ??= new Map()).set(key, value);
    }
  }

  /** The value for key, made by `make` the first time. */
  getOr(key: number, make: (key: number) => number): number {
    let v = this.get(key);
    if (v < 0) this.set(key, (v = make(key)));
    return v;
  }
}
