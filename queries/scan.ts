/**
 * Reading a big table: in rowid ranges of PAGE_ROWS, each range fetched whole (better-sqlite3 `all()` in raw
 * mode). Per row this is about 15% cheaper than stepping an iterator (no call into SQLite and no result
 * object per row), and it still streams: one page of rows is alive at a time. The rowid span also measures
 * progress exactly, filtered or not: nsys writes every table once, in order, so rowids run 1..rows.
 *
 * Queries given here have the form `SELECT ... FROM T WHERE rowid BETWEEN ? AND ? [AND ...]`.
 */
import type { Db } from './open.js';

export const PAGE_ROWS = 4096;

export interface RowidSpan {
  first: number;
  last: number;
}

/**
 * First and last rowid of a table; last < first when the table is empty. Two queries: SQLite answers a
 * lone min() or max() with one b-tree descent, but both in one query with a full scan.
 */
export function rowidSpan(db: Db, table: string): RowidSpan {
  const q = `"${table.replace(/"/g, '""')}"`;
  const first = db.prepare(`SELECT min(rowid) FROM ${q}`).pluck().get() as number | null;
  const last = db.prepare(`SELECT max(rowid) FROM ${q}`).pluck().get() as number | null;
  return first === null || last === null ? { first: 0, last: -1 } : { first, last };
}

/** Number of rowids in the span: the table's row count when it has no gaps. */
export function spanRows(span: RowidSpan): number {
  return Math.max(0, span.last - span.first + 1);
}

/**
 * Pages of the query's rows, in rowid order. `scanned(n)` is told how many rowids of the span are behind
 * after each page. A stretch without rows (a gap in rowids) is skipped by asking for the next rowid.
 */
export function* pages<R>(db: Db, table: string, sql: string, scanned?: (rows: number) => void): Generator<R[]> {
  const span = rowidSpan(db, table);
  if (span.last < span.first) return;
  const stmt = db.prepare(sql).raw(true);
  const next = db.prepare(`SELECT min(rowid) FROM "${table.replace(/"/g, '""')}" WHERE rowid > ?`).pluck();
  let lo = span.first;
  while (lo <= span.last) {
    const hi = Math.min(lo + PAGE_ROWS - 1, span.last);
    const rows = stmt.all(lo, hi) as R[];
    scanned?.(hi - span.first + 1);
    if (rows.length) yield rows;
    if (hi >= span.last) break;
    lo = hi + 1;
    if (!rows.length) lo = (next.get(hi) as number | null) ?? span.last + 1;
  }
}
