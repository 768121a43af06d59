/**
 * CUDA API calls, read in one pass over the export's largest table: the calls that put work on a GPU
 * (kernel launches, graph launches, async copies and sets: the host side of every GPU operation) and the
 * host calls that explain GPU idle time (long calls, synchronizations, module loads; see hostCalls.ts).
 * A trace has many more API calls (event queries, attribute lookups) that are neither: SQLite skips them.
 *
 * Table read: CUPTI_ACTIVITY_KIND_RUNTIME (start, end, globalTid, correlationId, nameId), StringIds.
 * Units: start_ns / end_ns on the session clock; globalTid is nsys' global thread id
 * (process id = globalTid >> 24 << 24, the globalPid of the GPU tables).
 * Rows come as stored (NULL or text is possible in a damaged file): the reader (raw.ts) skips such calls
 * and counts the launches among them.
 */
import type { Db } from './open.js';
import { requireColumns, type Schema } from './schema.js';
import { pages } from './scan.js';
import { findStringIds } from './strings.js';
import { ALWAYS_KEPT_API_GLOBS, MIN_HOST_CALL_NS } from './hostCalls.js';

/** start_ns, end_ns, globalTid, correlationId (0 when none), nameId */
export type RuntimeRow = [number, number, number, number, number];

export const RUNTIME_TABLE = 'CUPTI_ACTIVITY_KIND_RUNTIME';
const RT = RUNTIME_TABLE;

/** GLOB patterns of the API names (runtime `cuda*_vNNNN` and driver `cu*`) that enqueue GPU work. */
export const LAUNCH_API_GLOBS = [
  'cuda*Launch*', 'cu*Launch*', 'cuda*GraphLaunch*', 'cuGraphLaunch*',
  'cuda*Memcpy*', 'cuMemcpy*', 'cuda*Memset*', 'cuMemset*',
];

/** Launch calls (by name, with a correlation id), plus host calls worth keeping (long, or by name). */
export function runtimeCallsSql(launchIds: readonly number[], keptIds: readonly number[]): string {
  const ids = [...new Set([...launchIds, ...keptIds])];
  return `SELECT start, end, globalTid, coalesce(correlationId, 0), nameId FROM ${RT}
    WHERE rowid BETWEEN ? AND ? AND (${ids.length ? `nameId IN (${ids.join(',')}) OR ` : ''}end - start >= ${MIN_HOST_CALL_NS})`;
}

export interface RuntimeQuery {
  pages: Iterable<RuntimeRow[]>;
  /** StringIds ids of the launch APIs found in this trace. */
  launchIds: number[];
  /** StringIds ids of the APIs kept as host calls whatever their length. */
  keptIds: number[];
}

export function runtimeCallPages(db: Db, s: Schema, scanned?: (n: number) => void): RuntimeQuery {
  if (!s.has(RT)) return { pages: [], launchIds: [], keptIds: [] };
  requireColumns(s, RT, ['start', 'end', 'globalTid', 'correlationId', 'nameId']);
  const launchIds = findStringIds(db, s, LAUNCH_API_GLOBS);
  const keptIds = findStringIds(db, s, ALWAYS_KEPT_API_GLOBS);
  return { pages: pages<RuntimeRow>(db, RT, runtimeCallsSql(launchIds, keptIds), scanned), launchIds, keptIds };
}

/**
 * Every CUDA API call overlapping [t0, t1] on the given thread: what the host was doing while the GPU sat
 * idle. One query per window set; the caller batches windows.
 * Returns start_ns, end_ns, globalTid, nameId.
 */
export function apiCallsInWindows(db: Db, s: Schema, windows: readonly { t0: number; t1: number }[]): [number, number, number, number][] {
  if (!s.has(RT) || windows.length === 0) return [];
  const cond = windows.map(() => '(start < ? AND end > ?)').join(' OR ');
  const args = windows.flatMap((w) => [w.t1, w.t0]);
  return db.prepare(`SELECT start, end, globalTid, nameId FROM ${RT} WHERE ${cond}`).raw(true).all(...args) as [number, number, number, number][];
}
