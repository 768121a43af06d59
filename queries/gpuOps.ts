/**
 * GPU activity: kernels, memory copies and memory sets, one row per operation as CUPTI recorded it.
 *
 * Tables read:
 *   CUPTI_ACTIVITY_KIND_KERNEL  (start, end, deviceId, streamId, correlationId, globalPid, shortName,
 *                                demangledName, graphNodeId)
 *   CUPTI_ACTIVITY_KIND_MEMCPY  (start, end, deviceId, streamId, correlationId, globalPid, bytes, copyKind)
 *   CUPTI_ACTIVITY_KIND_MEMSET  (start, end, deviceId, streamId, correlationId, globalPid, bytes)
 *
 * Units: start / end are nanoseconds on the session clock (the export's own time base); bytes are bytes.
 * shortName / demangledName are StringIds ids. graphNodeId is NULL for kernels that were not launched
 * from a CUDA graph (or whose graph was traced at graph level, where no kernel rows exist).
 * correlationId ties a GPU operation to the runtime call that launched it, but only within one process:
 * ids repeat across the processes of a multi-rank report. copyKind is ENUM_CUDA_MEMCPY_OPER.
 * Values come as stored (columnar.ts): NULL or text where nsys writes integers is possible in a damaged
 * or edited file, and the reader (shard.ts) skips or defaults such values rather than this SQL dropping
 * them unseen.
 */
import type { ColumnSpec } from './columnar.js';
import { colOr, requireColumns, type Schema } from './schema.js';

export const KERNEL_TABLE = 'CUPTI_ACTIVITY_KIND_KERNEL';
export const MEMCPY_TABLE = 'CUPTI_ACTIVITY_KIND_MEMCPY';
export const MEMSET_TABLE = 'CUPTI_ACTIVITY_KIND_MEMSET';

/** Every GPU table is read for these; without them a row places nothing on a timeline. */
export const GPU_OP_COLUMNS = ['start', 'end', 'deviceId'];

/** Columns 0-5 of every GPU table's spec: start, end, deviceId, streamId, correlationId (0 when none), globalPid. */
export function gpuOpColumns(s: Schema, t: string): string[] {
  return ['start', 'end', 'deviceId', colOr(s, t, 'streamId', 'NULL'), `coalesce(${colOr(s, t, 'correlationId', '0')}, 0)`,
    `coalesce(${colOr(s, t, 'globalPid', '0')}, 0)`];
}

function spec(s: Schema, table: string, extra: string[]): ColumnSpec | null {
  if (!s.has(table)) return null;
  requireColumns(s, table, GPU_OP_COLUMNS);
  return { table, numbers: [...gpuOpColumns(s, table), ...extra] };
}

/** ... shortName, demangledName, graphNodeId */
export function kernelSpec(s: Schema): ColumnSpec | null {
  const K = KERNEL_TABLE;
  return spec(s, K, [colOr(s, K, 'shortName', '-1'), colOr(s, K, 'demangledName', colOr(s, K, 'shortName', '-1')), colOr(s, K, 'graphNodeId', 'NULL')]);
}

/** ... bytes, copyKind */
export function memcpySpec(s: Schema): ColumnSpec | null {
  return spec(s, MEMCPY_TABLE, [`coalesce(${colOr(s, MEMCPY_TABLE, 'bytes', '0')}, 0)`, colOr(s, MEMCPY_TABLE, 'copyKind', '0')]);
}

/** ... bytes */
export function memsetSpec(s: Schema): ColumnSpec | null {
  return spec(s, MEMSET_TABLE, [`coalesce(${colOr(s, MEMSET_TABLE, 'bytes', '0')}, 0)`]);
}

/** CUPTI's copy kinds (ENUM_CUDA_MEMCPY_OPER), as nsys names them. */
export const MEMCPY_KINDS: Record<number, string> = {
  1: 'HtoD', 2: 'DtoH', 3: 'HtoA', 4: 'AtoH', 5: 'AtoA', 6: 'AtoD', 7: 'DtoA', 8: 'DtoD', 9: 'HtoH', 10: 'PtoP',
  11: 'Unified HtoD', 12: 'Unified DtoH', 13: 'Unified DtoD',
};
