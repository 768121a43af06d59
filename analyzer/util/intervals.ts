/**
 * Interval algebra on half-open [start, end) intervals in ns. Every measure the report shows (comm share,
 * overlap, exposed comm, idle) is a length of a union, an intersection or a difference of these.
 */

export interface Interval {
  start: number;
  end: number;
}

/** Sorted, disjoint, non-empty intervals covering the same time as the input. */
export function union(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const iv of sorted) {
    const last = out[out.length - 1];
    if (last && iv.start <= last.end) last.end = Math.max(last.end, iv.end);
    else out.push({ start: iv.start, end: iv.end });
  }
  return out;
}

/** Total length of the union. */
export function measure(intervals: readonly Interval[]): number {
  let total = 0;
  for (const iv of union(intervals)) total += iv.end - iv.start;
  return total;
}

/** Intersection of two unions (inputs need not be normalised). */
export function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const A = union(a);
  const B = union(b);
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < A.length && j < B.length) {
    const s = Math.max(A[i]!.start, B[j]!.start);
    const e = Math.min(A[i]!.end, B[j]!.end);
    if (e > s) out.push({ start: s, end: e });
    if (A[i]!.end < B[j]!.end) i++;
    else j++;
  }
  return out;
}

/** The parts of a not covered by b. */
export function subtract(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const A = union(a);
  const B = union(b);
  const out: Interval[] = [];
  let j = 0;
  for (const iv of A) {
    let cur = iv.start;
    while (j < B.length && B[j]!.end <= cur) j++;
    let k = j;
    while (k < B.length && B[k]!.start < iv.end) {
      if (B[k]!.start > cur) out.push({ start: cur, end: B[k]!.start });
      cur = Math.max(cur, B[k]!.end);
      k++;
    }
    if (cur < iv.end) out.push({ start: cur, end: iv.end });
  }
  return out;
}

/** Overlap = |comm ∩ compute| / |comm| (0 when there is no comm). */
export function overlapFraction(comm: readonly Interval[], compute: readonly Interval[]): number {
  const c = measure(comm);
  return c > 0 ? measure(intersect(comm, compute)) / c : 0;
}

/**
 * Streaming union length: feed intervals in ascending start order, read `total` at the end. The hot path
 * of the step breakdown uses one per class instead of building interval lists.
 */
export class UnionMeter {
  total = 0;
  private s = 0;
  private e = -Infinity;
  add(start: number, end: number): void {
    if (end <= start) return;
    if (start > this.e) {
      if (this.e > this.s) this.total += this.e - this.s;
      this.s = start;
      this.e = end;
    } else if (end > this.e) {
      this.e = end;
    }
  }
  /** Closes the last open interval; returns the total. */
  finish(): number {
    if (this.e > this.s) this.total += this.e - this.s;
    this.s = 0;
    this.e = -Infinity;
    return this.total;
  }
}
