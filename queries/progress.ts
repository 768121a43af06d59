/**
 * How far the reading of an export has got: rows scanned against the rows of every table that will be
 * scanned. Both come from rowid spans (scan.ts), so the estimate costs two b-tree descents per table.
 *
 * Tables read: the scanned event tables (min and max rowid).
 */
import type { Db } from './open.js';
import { rowidSpan, spanRows } from './scan.js';
import type { Schema } from './schema.js';

export interface LoadProgress {
  /** Rows scanned so far. */
  done: number;
  /** Rows all the scans will visit. */
  total: number;
}

export type ProgressCallback = (p: LoadProgress) => void;

export class ScanProgress {
  private readonly rows = new Map<string, number>();
  private readonly total: number;
  private base = 0;
  private current = 0;
  private last = -1;

  constructor(db: Db, s: Schema, tables: readonly string[], private readonly cb?: ProgressCallback) {
    let total = 0;
    for (const t of tables) {
      const n = cb && s.has(t) ? spanRows(rowidSpan(db, t)) : 0;
      this.rows.set(t, n);
      total += n;
    }
    this.total = total;
  }

  /** The scan of `table` starts; returns what to call with the rows scanned so far in it. */
  begin(table: string): (scanned: number) => void {
    this.base += this.current;
    this.current = this.rows.get(table) ?? 0;
    this.emit(0);
    return (scanned) => this.emit(scanned);
  }

  end(): void {
    this.base += this.current;
    this.current = 0;
    this.emit(0);
  }

  private emit(inScan: number): void {
    if (!this.cb) return;
    const done = Math.min(this.total, this.base + Math.max(0, Math.min(inScan, this.current)));
    if (done <= this.last) return;
    this.last = done;
    this.cb({ done, total: this.total });
  }
}
