/**
 * Typed columns for tables of tens of millions of rows: a table costs its bytes and nothing else, no
 * object per row. Allocated once when the row count is known beforehand (`allocate`); otherwise filled
 * row by row into fixed-size chunks (`ChunkedColumns`), so growing never copies, and `finish` copies each
 * column once into an exact-size array, dropping that column's chunks before the next: the peak is the
 * data plus one column, not twice the data.
 */
type Ctor = Float64ArrayConstructor | Int32ArrayConstructor | Uint32ArrayConstructor | Uint8ArrayConstructor;
export type Schema = Record<string, Ctor>;
export type Columns<S extends Schema> = { [K in keyof S]: InstanceType<S[K]> };

/** Columns of `n` rows, zero-filled. */
export function allocate<S extends Schema>(schema: S, n: number): Columns<S> {
  const c = {} as Columns<S>;
  for (const k in schema) c[k] = new schema[k]!(n) as Columns<S>[typeof k];
  return c;
}

/** Copies of the first `n` rows (when fewer rows came than were allocated for). */
export function trim<S extends Schema>(cols: Columns<S>, n: number): Columns<S> {
  const c = {} as Columns<S>;
  for (const k in cols) c[k] = cols[k].slice(0, n) as Columns<S>[typeof k];
  return c;
}

/** Rows per chunk: 512 KiB for a Float64 column. */
export const CHUNK_ROWS = 65536;

export class ChunkedColumns<S extends Schema> {
  /** The chunk being written; write row `fill` of it, then call `next` when fill reaches CHUNK_ROWS. */
  chunk: Columns<S>;
  private readonly full: Columns<S>[] = [];

  constructor(private readonly schema: S) {
    this.chunk = allocate(schema, CHUNK_ROWS);
  }

  /** Stores the current (full) chunk and returns a fresh one. */
  next(): Columns<S> {
    this.full.push(this.chunk);
    this.chunk = allocate(this.schema, CHUNK_ROWS);
    return this.chunk;
  }

  /** Exact-size columns holding every full chunk and the first `fill` rows of the current one. */
  finish(fill: number): { n: number } & Columns<S> {
    const chunks = [...this.full, this.chunk];
    this.full.length = 0;
    const n = (chunks.length - 1) * CHUNK_ROWS + fill;
    const out = { n } as { n: number } & Columns<S>;
    for (const k in this.schema) {
      const col = new this.schema[k]!(n) as Columns<S>[typeof k];
      chunks.forEach((c, i) => {
        const rows = i === chunks.length - 1 ? fill : CHUNK_ROWS;
        col.set(rows === CHUNK_ROWS ? c[k] : c[k].subarray(0, rows), i * CHUNK_ROWS);
        c[k] = undefined as unknown as Columns<S>[typeof k];
      });
      (out as Columns<S>)[k] = col;
    }
    return out;
  }
}
