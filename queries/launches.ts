/**
 * CUDA API calls that put work on a GPU (kernel launches, graph launches, async copies and sets), the host
 * side of every GPU operation. Only these calls are read: a trace has many more API calls (event queries,
 * attribute lookups) that never launch anything.
 *
 * Table read: CUPTI_ACTIVITY_KIND_RUNTIME (start, end, globalTid, correlationId, nameId), StringIds.
 * Units: start_ns / end_ns on the session clock; globalTid is nsys' global thread id
 * (process id = globalTid >> 24 << 24, the globalPid of the GPU tables).
 */
import type { Db } from './open.js';
import { requireColumns, type Schema } from './schema.js';
import { findStringIds } from './strings.js';

/** start_ns, end_ns, globalTid, correlationId, nameId */
export type LaunchRow = [number, number, number, number, number];

const RT = 'CUPTI_ACTIVITY_KIND_RUNTIME';

/** GLOB patterns of the API names (runtime `cuda*_vNNNN` and driver `cu*`) that enqueue GPU work. */
export const LAUNCH_API_GLOBS = [
  'cuda*Launch*', 'cu*Launch*', 'cuda*GraphLaunch*', 'cuGraphLaunch*',
  'cuda*Memcpy*', 'cuMemcpy*', 'cuda*Memset*', 'cuMemset*',
];

export function launchesSql(nameIds: readonly number[]): string {
  return `SELECT start, end, globalTid, correlationId, nameId FROM ${RT}
    WHERE correlationId IS NOT NULL AND correlationId != 0 AND nameId IN (${nameIds.join(',')})`;
}

export interface LaunchQuery {
  rows: Iterable<LaunchRow>;
  /** StringIds ids of the launch APIs found in this trace. */
  nameIds: number[];
}

export function launchRows(db: Db, s: Schema): LaunchQuery {
  if (!s.has(RT)) return { rows: [], nameIds: [] };
  requireColumns(s, RT, ['start', 'end', 'globalTid', 'correlationId', 'nameId']);
  const nameIds = findStringIds(db, s, LAUNCH_API_GLOBS);
  if (nameIds.length === 0) return { rows: [], nameIds };
  return { rows: db.prepare(launchesSql(nameIds)).raw(true).iterate() as Iterable<LaunchRow>, nameIds };
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
