/** Sorting helpers for columnar data. */

type Keys = Float64Array | Int32Array;

/**
 * Indices 0..n-1 ordered by keys[i] ascending, stable for equal keys. A natural merge sort: it finds the
 * ascending runs already there and merges neighbours pairwise. nsys writes each table in start order, so
 * a trace model's columns are a few sorted runs (one per table and file) and sorting them costs a few
 * linear merges; input without runs still sorts in n log n, with no comparator call per comparison.
 */
export function argsort(keys: Keys, n = keys.length): Uint32Array {
  let src = new Uint32Array(n);
  for (let i = 0; i < n; i++) src[i] = i;
  // Run boundaries: runs[r] is the first index of run r; runs[count] = n.
  const bounds: number[] = [0];
  for (let i = 1; i < n; i++) if (keys[i]! < keys[i - 1]!) bounds.push(i);
  bounds.push(n);
  if (bounds.length <= 2) return src;
  let runs = Uint32Array.from(bounds);
  let dst = new Uint32Array(n);
  while (runs.length > 2) {
    const next: number[] = [];
    let r = 0;
    for (; r + 2 < runs.length; r += 2) {
      mergeRuns(keys, src, dst, runs[r]!, runs[r + 1]!, runs[r + 2]!);
      next.push(runs[r]!);
    }
    if (r + 1 < runs.length) {
      // An odd run out: carried over as it is.
      dst.set(src.subarray(runs[r]!, runs[r + 1]!), runs[r]!);
      next.push(runs[r]!);
    }
    next.push(n);
    runs = Uint32Array.from(next);
    const t = src;
    src = dst;
    dst = t;
  }
  return src;
}

/** Merges src[a, b) and src[b, c) (each sorted by key) into dst[a, c); ties take the left run first. */
function mergeRuns(keys: Keys, src: Uint32Array, dst: Uint32Array, a: number, b: number, c: number): void {
  let i = a;
  let j = b;
  let k = a;
  if (i < b && j < c) {
    let ki = keys[src[i]!]!;
    let kj = keys[src[j]!]!;
    for (;;) {
      if (kj < ki) {
        dst[k++] = src[j++]!;
        if (j === c) break;
        kj = keys[src[j]!]!;
      } else {
        dst[k++] = src[i++]!;
        if (i === b) break;
        ki = keys[src[i]!]!;
      }
    }
  }
  while (i < b) dst[k++] = src[i++]!;
  while (j < c) dst[k++] = src[j++]!;
}

/** Whether order is 0, 1, 2, ...: then permuting is a no-op and can be skipped. */
export function isIdentity(order: Uint32Array): boolean {
  for (let i = 0; i < order.length; i++) if (order[i] !== i) return false;
  return true;
}

type Typed = Float64Array | Int32Array | Uint32Array | Uint16Array | Int16Array | Uint8Array | Int8Array;

/** A new array holding src[order[0]], src[order[1]], ... */
export function permute<T extends Typed>(src: T, order: Uint32Array): T {
  const out = new (src.constructor as new (n: number) => T)(order.length);
  for (let i = 0; i < order.length; i++) out[i] = src[order[i]!]!;
  return out;
}

/**
 * Reorders columns in place (col[i] becomes the old col[order[i]]) through one scratch buffer of 8 bytes
 * a row shared by all of them, instead of a new array per column: for a model of tens of millions of
 * rows, the difference between the peak being the model plus one column and the model twice over.
 * Columns are moved as raw elements of their width (one loop per width, each seeing one array type: a
 * loop over arrays of seven types runs several times slower).
 */
export function permuteInPlace(cols: readonly Typed[], order: Uint32Array): void {
  const n = order.length;
  const scratch = new ArrayBuffer(8 * n);
  for (const col of cols) {
    const size = col.BYTES_PER_ELEMENT;
    if (size === 8) gather64(new Float64Array(col.buffer, col.byteOffset, n), new Float64Array(scratch, 0, n), order);
    else if (size === 4) gather32(new Uint32Array(col.buffer, col.byteOffset, n), new Uint32Array(scratch, 0, n), order);
    else if (size === 2) gather16(new Uint16Array(col.buffer, col.byteOffset, n), new Uint16Array(scratch, 0, n), order);
    else gather8(new Uint8Array(col.buffer, col.byteOffset, n), new Uint8Array(scratch, 0, n), order);
  }
}

function gather64(col: Float64Array, tmp: Float64Array, order: Uint32Array): void {
  for (let i = 0; i < order.length; i++) tmp[i] = col[order[i]!]!;
  col.set(tmp);
}
function gather32(col: Uint32Array, tmp: Uint32Array, order: Uint32Array): void {
  for (let i = 0; i < order.length; i++) tmp[i] = col[order[i]!]!;
  col.set(tmp);
}
function gather16(col: Uint16Array, tmp: Uint16Array, order: Uint32Array): void {
  for (let i = 0; i < order.length; i++) tmp[i] = col[order[i]!]!;
  col.set(tmp);
}
function gather8(col: Uint8Array, tmp: Uint8Array, order: Uint32Array): void {
  for (let i = 0; i < order.length; i++) tmp[i] = col[order[i]!]!;
  col.set(tmp);
}

/** First index i in [lo, hi) with arr[i] >= x (arr sorted ascending). */
export function lowerBound(arr: Float64Array, x: number, lo = 0, hi = arr.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
