/**
 * How far the reading of exports has got: rows scanned against the rows of every table that will be
 * scanned. Both are counted in rowids (scan.ts), so the estimate costs two b-tree descents per table.
 */
export interface LoadProgress {
  /** Rows scanned so far. */
  done: number;
  /** Rows all the scans will visit. */
  total: number;
}

export type ProgressCallback = (p: LoadProgress) => void;
