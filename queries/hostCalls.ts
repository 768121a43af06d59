/**
 * Host calls that explain GPU idle time and late ranks: CUDA API and OS runtime calls that lasted long
 * enough to matter, plus every synchronization and module load whatever its length. The CUDA API ones come
 * from the runtime pass (launches.ts), which reads that table once for launches and host calls together.
 *
 * Table read here: OSRT_API (start, end, globalTid, nameId). Units: start / end on the session clock.
 * Only the calls of threads that launch GPU work are kept (other threads' waits explain nothing here);
 * which threads those are is known only once the runtime table is read, so the reader (nsysTrace.ts)
 * keeps them after reading. A damaged file can hold NULL or text in any column: such calls are left out.
 */
import type { ColumnSpec } from './columnar.js';
import type { Schema } from './schema.js';

/** Calls shorter than this are launch overhead, not a stall. */
export const MIN_HOST_CALL_NS = 20_000;

/** Synchronizations and kernel-library loads matter at any length. */
export const ALWAYS_KEPT_API_GLOBS = ['*Synchronize*', 'cuLibraryLoad*', 'cuModuleLoad*', 'cudaMemcpy_*', 'cudaMemcpy2D_*', 'cuMemcpyDtoH*', 'cuMemcpyHtoD_*', 'cudaMalloc*', 'cudaFree*'];

export const OSRT_TABLE = 'OSRT_API';
/** The columns a host call is read by; a table without them has no calls to give. */
const OSRT_COLUMNS = ['start', 'end', 'nameId', 'globalTid'];

/** start, end, globalTid, nameId of the calls of MIN_HOST_CALL_NS or more. */
export function osrtSpec(s: Schema): ColumnSpec | null {
  if (!OSRT_COLUMNS.every((c) => s.hasColumn(OSRT_TABLE, c))) return null;
  return { table: OSRT_TABLE, numbers: ['start', 'end', 'globalTid', 'nameId'], where: `end - start >= ${MIN_HOST_CALL_NS}` };
}
