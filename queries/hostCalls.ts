/**
 * Host calls that explain GPU idle time and late ranks: CUDA API and OS runtime calls that lasted long
 * enough to matter, plus every synchronization and module load whatever its length.
 *
 * Tables read: CUPTI_ACTIVITY_KIND_RUNTIME (start, end, globalTid, nameId), OSRT_API (start, end, globalTid,
 * nameId), StringIds. Units: start_ns / end_ns on the session clock.
 * Only threads that launch GPU work are read from OSRT_API (other threads' waits explain nothing here).
 */
import type { Db } from './open.js';
import type { Schema } from './schema.js';
import { findStringIds } from './strings.js';

/** start_ns, end_ns, globalTid, nameId, source (0 CUDA API, 1 OS runtime) */
export type HostCallRow = [number, number, number, number, number];

/** Calls shorter than this are launch overhead, not a stall. */
export const MIN_HOST_CALL_NS = 20_000;

/** Synchronizations and kernel-library loads matter at any length. */
export const ALWAYS_KEPT_API_GLOBS = ['*Synchronize*', 'cuLibraryLoad*', 'cuModuleLoad*', 'cudaMemcpy_*', 'cudaMemcpy2D_*', 'cuMemcpyDtoH*', 'cuMemcpyHtoD_*', 'cudaMalloc*', 'cudaFree*'];

/** A damaged file can hold NULL or text in any column: such calls explain nothing and are left out. */
const timed = (r: readonly unknown[]) => typeof r[0] === 'number' && typeof r[1] === 'number' && typeof r[3] === 'number';

export function hostCallRows(db: Db, s: Schema, threads: readonly number[]): { rows: HostCallRow[]; nameIds: Set<number> } {
  const rows: HostCallRow[] = [];
  const nameIds = new Set<number>();
  // Thread ids come from the launches as stored: only integers go into the SQL.
  const ids = threads.filter((t) => Number.isSafeInteger(t));
  if (ids.length === 0) return { rows, nameIds };
  const tids = ids.join(',');
  const kept = findStringIds(db, s, ALWAYS_KEPT_API_GLOBS);
  const RT = 'CUPTI_ACTIVITY_KIND_RUNTIME';
  if (s.hasColumn(RT, 'nameId')) {
    const sql = `SELECT start, end, globalTid, nameId, 0 FROM ${RT}
      WHERE globalTid IN (${tids}) AND (end - start >= ${MIN_HOST_CALL_NS}${kept.length ? ` OR nameId IN (${kept.join(',')})` : ''})`;
    for (const r of db.prepare(sql).raw(true).iterate() as Iterable<HostCallRow>) {
      if (!timed(r)) continue;
      rows.push(r);
      nameIds.add(r[3]);
    }
  }
  if (['start', 'end', 'nameId', 'globalTid'].every((c) => s.hasColumn('OSRT_API', c))) {
    const sql = `SELECT start, end, globalTid, nameId, 1 FROM OSRT_API WHERE globalTid IN (${tids}) AND end - start >= ${MIN_HOST_CALL_NS}`;
    for (const r of db.prepare(sql).raw(true).iterate() as Iterable<HostCallRow>) {
      if (!timed(r)) continue;
      rows.push(r);
      nameIds.add(r[3]);
    }
  }
  return { rows, nameIds };
}
