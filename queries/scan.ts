/**
 * Reading a big table in rowid ranges. A table's rowids are 64-bit integers that need not be dense: nsys
 * writes 1..rows, but an edited file can hold gaps of any size and negative rowids. So ranges are BigInt
 * (exact beyond 2^53), a range without rows is skipped by asking SQLite for the next rowid, and nothing is
 * ever sized by a rowid span. A table's span is split into contiguous shards, one per reader (worker
 * thread); each shard is read in pages of PAGE_ROWIDS rowids.
 *
 * Queries given here end in `WHERE rowid BETWEEN ? AND ? [AND ...]`.
 */
import type { Db } from './open.js';

/** Rowids per page: one statement per page, its rows aggregated by SQLite (columnar.ts). */
export const PAGE_ROWIDS = 16384n;

/** An inclusive range of rowids; empty when last < first. */
export interface RowidRange {
  first: bigint;
  last: bigint;
}

export const quoteId = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * First and last rowid of a table. Two queries: SQLite answers a lone min() or max() with one b-tree
 * descent, but both in one query with a full scan.
 */
export function rowidSpan(db: Db, table: string): RowidRange {
  const one = (fn: string) => db.prepare(`SELECT ${fn}(rowid) FROM ${quoteId(table)}`).safeIntegers(true).pluck().get() as bigint | null;
  const first = one('min');
  const last = one('max');
  return first === null || last === null ? { first: 0n, last: -1n } : { first, last };
}

/** Rowids in a range (the rows, when there are no gaps), as a number for progress. */
export function rangeSize(r: RowidRange): number {
  return r.last < r.first ? 0 : Number(r.last - r.first + 1n);
}

/** Shard k of n: contiguous, together covering the span exactly, each about 1/n of it. */
export function shardOf(span: RowidRange, k: number, n: number): RowidRange {
  if (span.last < span.first) return span;
  const size = span.last - span.first + 1n;
  const at = (i: number) => span.first + (size * BigInt(i)) / BigInt(n);
  return { first: at(k), last: at(k + 1) - 1n };
}

/**
 * The pages of a range: `read(lo, hi)` is called for consecutive ranges of PAGE_ROWIDS rowids and returns
 * whether it found rows; after an empty page the next starts at the table's next rowid, so a gap of any
 * size costs one lookup. `scanned(n)` hears how many rowids of the range are behind after each page.
 */
export function forEachPage(
  db: Db, table: string, range: RowidRange, read: (lo: bigint, hi: bigint) => boolean, scanned?: (rowids: number) => void,
): void {
  if (range.last < range.first) return;
  const next = db.prepare(`SELECT min(rowid) FROM ${quoteId(table)} WHERE rowid > ?`).safeIntegers(true).pluck();
  let lo = range.first;
  while (lo <= range.last) {
    const hi = lo + PAGE_ROWIDS - 1n < range.last ? lo + PAGE_ROWIDS - 1n : range.last;
    const found = read(lo, hi);
    scanned?.(Number(hi - range.first + 1n));
    if (hi >= range.last) break;
    lo = hi + 1n;
    if (!found) lo = (next.get(hi) as bigint | null) ?? range.last + 1n;
  }
}
