/**
 * Growable typed columns: rows are appended as numbers, never as objects, so a table of tens of millions of
 * rows costs its bytes and nothing else.
 */
type TypedCtor = Float64ArrayConstructor | Int32ArrayConstructor | Uint32ArrayConstructor | Uint8ArrayConstructor;
type Typed = Float64Array | Int32Array | Uint32Array | Uint8Array;

export class Column<T extends Typed> {
  private buf: T;
  length = 0;
  constructor(private readonly ctor: TypedCtor, capacity = 1024) {
    this.buf = new ctor(capacity) as T;
  }
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new this.ctor(this.buf.length * 2) as T;
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
  /** The filled part, trimmed: the builder is not used afterwards. */
  finish(): T {
    return this.buf.slice(0, this.length) as T;
  }
}

export const f64 = (cap?: number) => new Column<Float64Array>(Float64Array, cap);
export const i32 = (cap?: number) => new Column<Int32Array>(Int32Array, cap);
export const u32 = (cap?: number) => new Column<Uint32Array>(Uint32Array, cap);
export const u8 = (cap?: number) => new Column<Uint8Array>(Uint8Array, cap);

/** Interns strings to dense indices: a kernel name is stored once however many kernels share it. */
export class StringTable {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();
  intern(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(s);
      this.index.set(s, i);
    }
    return i;
  }
}
