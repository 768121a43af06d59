/**
 * Host calls that explain GPU idle time and late ranks: CUDA API and OS runtime calls that lasted long
 * enough to matter, plus every synchronization and module load whatever its length. The CUDA API ones come
 * from the runtime pass (launches.ts), which reads that table once for launches and host calls together.
 *
 * Table read here: OSRT_API (start, end, globalTid, nameId). Units: start_ns / end_ns on the session clock.
 * Only threads that launch GPU work are read from OSRT_API (other threads' waits explain nothing here).
 * A damaged file can hold NULL or text in any column: the reader (raw.ts) leaves such calls out.
 */
import type { Db } from './open.js';
import { pages } from './scan.js';
import type { Schema } from './schema.js';

/** start_ns, end_ns, globalTid, nameId */
export type OsrtCallRow = [number, number, number, number];

/** Calls shorter than this are launch overhead, not a stall. */
export const MIN_HOST_CALL_NS = 20_000;

/** Synchronizations and kernel-library loads matter at any length. */
export const ALWAYS_KEPT_API_GLOBS = ['*Synchronize*', 'cuLibraryLoad*', 'cuModuleLoad*', 'cudaMemcpy_*', 'cudaMemcpy2D_*', 'cuMemcpyDtoH*', 'cuMemcpyHtoD_*', 'cudaMalloc*', 'cudaFree*'];

/** The columns a host call is read by; a table without them has no calls to give. */
const OSRT_COLUMNS = ['start', 'end', 'nameId', 'globalTid'];

export function osrtCallPages(db: Db, s: Schema, threads: readonly number[], scanned?: (n: number) => void): Iterable<OsrtCallRow[]> {
  // Thread ids come from the launches as stored: only integers go into the SQL.
  const ids = threads.filter((t) => Number.isSafeInteger(t));
  if (ids.length === 0 || !OSRT_COLUMNS.every((c) => s.hasColumn('OSRT_API', c))) return [];
  const sql = `SELECT start, end, globalTid, nameId FROM OSRT_API
    WHERE rowid BETWEEN ? AND ? AND globalTid IN (${ids.join(',')}) AND end - start >= ${MIN_HOST_CALL_NS}`;
  return pages<OsrtCallRow>(db, 'OSRT_API', sql, scanned);
}
