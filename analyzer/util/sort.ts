/** Sorting helpers for columnar data. */

/** Indices 0..n-1 ordered by keys[i] ascending (stable for equal keys). */
export function argsort(keys: Float64Array | Int32Array, n = keys.length): Uint32Array {
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  let sorted = true;
  for (let i = 1; i < n; i++) {
    if (keys[i]! < keys[i - 1]!) {
      sorted = false;
      break;
    }
  }
  if (sorted) return idx;
  return idx.sort((a, b) => keys[a]! - keys[b]! || a - b);
}

type Typed = Float64Array | Int32Array | Uint32Array | Uint8Array;

/** A new array holding src[order[0]], src[order[1]], ... */
export function permute<T extends Typed>(src: T, order: Uint32Array): T {
  const out = new (src.constructor as new (n: number) => T)(order.length);
  for (let i = 0; i < order.length; i++) out[i] = src[order[i]!]!;
  return out;
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
