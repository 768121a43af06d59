/**
 * Host calls that explain GPU idle time and late ranks: CUDA API and OS runtime calls that lasted long
 * enough to matter, plus every synchronization and module load whatever its length. The CUDA API ones come
 * from the runtime pass (launches.ts), which reads that table once for launches and host calls together.
 *
 * Table read here: OSRT_API (start, end, globalTid, nameId). Units: start_ns / end_ns on the session clock.
 * Only threads that launch GPU work are read from OSRT_API (other threads' waits explain nothing here).
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

export function osrtCallPages(db: Db, s: Schema, threads: readonly number[], scanned?: (n: number) => void): Iterable<OsrtCallRow[]> {
  if (threads.length === 0 || !s.hasColumn('OSRT_API', 'nameId') || !s.hasColumn('OSRT_API', 'globalTid')) return [];
  const sql = `SELECT start, end, globalTid, nameId FROM OSRT_API
    WHERE rowid BETWEEN ? AND ? AND globalTid IN (${threads.map(String).join(',')}) AND end - start >= ${MIN_HOST_CALL_NS}`;
  return pages<OsrtCallRow>(db, 'OSRT_API', sql, scanned);
}
