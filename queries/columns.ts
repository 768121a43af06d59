/**
 * Typed columns for tables of tens of millions of rows: a table costs its bytes and nothing else, no
 * object per row, and each column is as narrow as its values allow. Rows are appended a page at a time
 * into fixed-size chunks (growing never copies); a chunk's column starts narrow and is widened, once, when
 * a value does not fit. A reader (one worker thread) hands its chunks over as they are (transferred, not
 * copied), and `concat` joins the chunks of every reader into one exact-size column, freeing each
 * reader's chunks of that column as it goes: the peak is the data plus one column.
 */

/**
 * f64: any number. u8: flags and kinds (0-255). index: a small non-negative integer, an index into a
 * dictionary (uint8, then uint16, then int32 as values grow). exact: a uint32 while every value is one,
 * else float64 (ids kept exact).
 */
export type ColumnKind = 'f64' | 'u8' | 'index' | 'exact';
export type Kinds = Record<string, ColumnKind>;

export type Typed = Float64Array | Uint32Array | Int32Array | Uint16Array | Uint8Array;
export type TypedCtor = Float64ArrayConstructor | Uint32ArrayConstructor | Int32ArrayConstructor | Uint16ArrayConstructor | Uint8ArrayConstructor;

/** Rows per chunk: 512 KiB for a float64 column. */
export const CHUNK_ROWS = 65536;

const MAX: Record<string, number> = { Uint8Array: 255, Uint16Array: 65535, Int32Array: 2147483647, Uint32Array: 4294967295, Float64Array: Infinity };

function initial(kind: ColumnKind): TypedCtor {
  return kind === 'f64' ? Float64Array : kind === 'exact' ? Uint32Array : Uint8Array;
}

/** The narrowest array for non-negative integers up to `max`. */
export function indexCtor(max: number): Uint8ArrayConstructor | Uint16ArrayConstructor | Int32ArrayConstructor {
  return max <= 255 ? Uint8Array : max <= 65535 ? Uint16Array : Int32Array;
}

/** Whether every value of col[0, n) can be stored in an array of `ctor` unchanged. */
function fits(ctor: TypedCtor, col: ArrayLike<number>, n: number): boolean {
  if (ctor === Float64Array) return true;
  const max = MAX[ctor.name]!;
  if (ctor === Uint32Array) {
    for (let i = 0; i < n; i++) {
      const v = col[i]!;
      if (!(v >= 0 && v <= max && v === Math.floor(v))) return false;
    }
    return true;
  }
  for (let i = 0; i < n; i++) if (col[i]! > max) return false;
  return true;
}

function wider(kind: ColumnKind, from: TypedCtor): TypedCtor {
  if (kind === 'exact') return Float64Array;
  return from === Uint8Array ? Uint16Array : Int32Array;
}

export type Chunk<K extends string> = { rows: number } & Record<K, Typed>;

/** A table being read: chunks of columns, appended to a page at a time. */
export class ChunkedTable<K extends string> {
  readonly chunks: Chunk<K>[] = [];
  n = 0;

  constructor(readonly kinds: Record<K, ColumnKind>) {}

  private fresh(): Chunk<K> {
    const c = { rows: 0 } as Chunk<K>;
    for (const k in this.kinds) (c as Record<K, Typed>)[k] = new (initial(this.kinds[k]))(CHUNK_ROWS);
    this.chunks.push(c);
    return c;
  }

  /** Appends rows [0, m) of `cols` (one array per column, values as numbers). */
  append(cols: Record<K, ArrayLike<number>>, m: number): void {
    let done = 0;
    while (done < m) {
      let c = this.chunks[this.chunks.length - 1];
      if (!c || c.rows === CHUNK_ROWS) c = this.fresh();
      const take = Math.min(m - done, CHUNK_ROWS - c.rows);
      for (const k in this.kinds) {
        const src = cols[k] as Float64Array;
        const part = done === 0 && take === src.length ? src : src.subarray(done, done + take);
        let dst: Typed = c[k];
        let ctor = dst.constructor as TypedCtor;
        while (!fits(ctor, part, take)) ctor = wider(this.kinds[k], ctor);
        if (ctor !== dst.constructor) {
          const w = new ctor(CHUNK_ROWS);
          w.set(dst.subarray(0, c.rows));
          dst = w;
          (c as Record<K, Typed>)[k] = w;
        }
        dst.set(part, c.rows);
      }
      c.rows += take;
      done += take;
      this.n += take;
    }
  }
}

/** The buffers of a table's chunks: what a worker thread transfers. */
export function chunkBuffers(t: { chunks: Chunk<string>[] }, out: Set<ArrayBuffer>): void {
  for (const c of t.chunks) for (const [k, v] of Object.entries(c)) if (k !== 'rows' && ArrayBuffer.isView(v)) out.add((v as Typed).buffer as ArrayBuffer);
}

/**
 * One column from several readers' chunks, in order, into an exact-size array of the widest type among
 * them (or `ctor`), each value passed through `map` when given (dictionary indices of one reader onto the
 * joined dictionary, or onto the values themselves). Each chunk's column is dropped once copied.
 */
export function concat<K extends string>(
  tables: { chunks: Chunk<K>[] }[], col: K, options: { ctor?: TypedCtor; map?: (table: number) => ArrayLike<number> } = {},
): Typed {
  let n = 0;
  let ctor: TypedCtor | undefined = options.ctor;
  const rank = (c: TypedCtor) => ['Uint8Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float64Array'].indexOf(c.name);
  for (const t of tables) {
    for (const c of t.chunks) {
      n += c.rows;
      if (!options.ctor) {
        const cc = c[col].constructor as TypedCtor;
        if (!ctor || rank(cc) > rank(ctor)) ctor = cc;
      }
    }
  }
  const out = new (ctor ?? Uint8Array)(n);
  const tmp = options.map ? new Float64Array(CHUNK_ROWS) : null;
  let at = 0;
  tables.forEach((t, ti) => {
    const map = options.map ? Float64Array.from(options.map(ti)) : null;
    for (const c of t.chunks) {
      const src = c[col];
      if (map) {
        // Through a float64 scratch, one loop per index width: each loop sees one array type.
        const size = src.BYTES_PER_ELEMENT;
        if (size === 1) remap8(src as Uint8Array, map, tmp!, c.rows);
        else if (size === 2) remap16(src as Uint16Array, map, tmp!, c.rows);
        else remap32(src as Int32Array, map, tmp!, c.rows);
        out.set(tmp!.subarray(0, c.rows), at);
      } else {
        out.set(src.subarray(0, c.rows), at);
      }
      at += c.rows;
      (c as Record<K, Typed | undefined>)[col] = undefined;
    }
  });
  return out;
}

function remap8(src: Uint8Array, map: Float64Array, out: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = map[src[i]!]!;
}
function remap16(src: Uint16Array, map: Float64Array, out: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = map[src[i]!]!;
}
function remap32(src: Int32Array, map: Float64Array, out: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = map[src[i]!]!;
}
