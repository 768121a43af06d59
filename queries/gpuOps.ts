/**
 * GPU activity: kernels, memory copies and memory sets, one row per operation as CUPTI recorded it.
 *
 * Tables read:
 *   CUPTI_ACTIVITY_KIND_KERNEL  (start, end, deviceId, streamId, correlationId, globalPid, shortName,
 *                                demangledName, graphNodeId)
 *   CUPTI_ACTIVITY_KIND_MEMCPY  (start, end, deviceId, streamId, correlationId, globalPid, bytes, copyKind)
 *   CUPTI_ACTIVITY_KIND_MEMSET  (start, end, deviceId, streamId, correlationId, globalPid, bytes)
 *
 * Units: start_ns / end_ns are nanoseconds on the session clock (the export's own time base);
 * bytes are bytes. shortName / demangledName are StringIds ids. graphNodeId is NULL for kernels that were
 * not launched from a CUDA graph (or whose graph was traced at graph level, where no kernel rows exist).
 * correlationId ties a GPU operation to the runtime call that launched it, but only within one process:
 * ids repeat across the processes of a multi-rank report.
 * Rows come as stored: NULL or text where nsys writes integers is possible in a damaged or edited file, and
 * the reader (raw.ts) skips or defaults such values rather than this SQL dropping them unseen.
 */
import type { Db } from './open.js';
import { pages } from './scan.js';
import { colOr, requireColumns, type Schema } from './schema.js';

/** start_ns, end_ns, deviceId, streamId, correlationId, globalPid, shortNameId, demangledNameId, graphNodeId */
export type KernelRow = [number, number, number, number, number, number, number, number, number | null];
/** start_ns, end_ns, deviceId, streamId, correlationId, globalPid, bytes, copyKind (ENUM_CUDA_MEMCPY_OPER) */
export type MemcpyRow = [number, number, number, number, number, number, number, number];
/** start_ns, end_ns, deviceId, streamId, correlationId, globalPid, bytes */
export type MemsetRow = [number, number, number, number, number, number, number];

const K = 'CUPTI_ACTIVITY_KIND_KERNEL';
const MC = 'CUPTI_ACTIVITY_KIND_MEMCPY';
const MS = 'CUPTI_ACTIVITY_KIND_MEMSET';

export function kernelsSql(s: Schema): string {
  return `SELECT start, end, deviceId, ${colOr(s, K, 'streamId', '0')},
    coalesce(${colOr(s, K, 'correlationId', '0')}, 0), coalesce(${colOr(s, K, 'globalPid', '0')}, 0),
    ${colOr(s, K, 'shortName', '-1')}, ${colOr(s, K, 'demangledName', colOr(s, K, 'shortName', '-1'))},
    ${colOr(s, K, 'graphNodeId', 'NULL')}
  FROM ${K} WHERE rowid BETWEEN ? AND ?`;
}

export function memcpySql(s: Schema): string {
  return `SELECT start, end, deviceId, ${colOr(s, MC, 'streamId', '0')}, coalesce(${colOr(s, MC, 'correlationId', '0')}, 0),
    coalesce(${colOr(s, MC, 'globalPid', '0')}, 0), coalesce(${colOr(s, MC, 'bytes', '0')}, 0), ${colOr(s, MC, 'copyKind', '0')}
  FROM ${MC} WHERE rowid BETWEEN ? AND ?`;
}

export function memsetSql(s: Schema): string {
  return `SELECT start, end, deviceId, ${colOr(s, MS, 'streamId', '0')}, coalesce(${colOr(s, MS, 'correlationId', '0')}, 0),
    coalesce(${colOr(s, MS, 'globalPid', '0')}, 0), coalesce(${colOr(s, MS, 'bytes', '0')}, 0)
  FROM ${MS} WHERE rowid BETWEEN ? AND ?`;
}

/** Every GPU table is read for these; without them a row places nothing on a timeline. */
export const GPU_OP_COLUMNS = ['start', 'end', 'deviceId'];

function tablePages<R>(db: Db, s: Schema, table: string, sql: string, scanned?: (n: number) => void): Iterable<R[]> {
  if (!s.has(table)) return [];
  requireColumns(s, table, GPU_OP_COLUMNS);
  return pages<R>(db, table, sql, scanned);
}

/** Pages of rows (scan.ts); `scanned` is told the rows read so far. */
export function kernelPages(db: Db, s: Schema, scanned?: (n: number) => void): Iterable<KernelRow[]> {
  return tablePages<KernelRow>(db, s, K, kernelsSql(s), scanned);
}
export function memcpyPages(db: Db, s: Schema, scanned?: (n: number) => void): Iterable<MemcpyRow[]> {
  return tablePages<MemcpyRow>(db, s, MC, memcpySql(s), scanned);
}
export function memsetPages(db: Db, s: Schema, scanned?: (n: number) => void): Iterable<MemsetRow[]> {
  return tablePages<MemsetRow>(db, s, MS, memsetSql(s), scanned);
}

/** Number of kernel rows: zero means a CPU-only profile. */
export function kernelCount(db: Db, s: Schema): number {
  return s.has(K) ? (db.prepare(`SELECT count(*) FROM ${K}`).pluck().get() as number) : 0;
}
