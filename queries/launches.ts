/**
 * CUDA API calls, read in one pass over the export's largest table: the calls that put work on a GPU
 * (kernel launches, graph launches, async copies and sets: the host side of every GPU operation) and the
 * host calls that explain GPU idle time (long calls, synchronizations, module loads; see hostCalls.ts).
 * A trace has many more API calls (event queries, attribute lookups) that are neither: SQLite skips them.
 *
 * Table read: CUPTI_ACTIVITY_KIND_RUNTIME (start, end, globalTid, correlationId, nameId), StringIds.
 * Units: start / end on the session clock; globalTid is nsys' global thread id
 * (process id = globalTid >> 24 << 24, the globalPid of the GPU tables).
 * Rows come as stored (NULL or text is possible in a damaged file): the reader (shard.ts) skips such
 * calls and counts the launches among them.
 */
import type { Db } from './open.js';
import type { ColumnSpec } from './columnar.js';
import { requireColumns, type Schema } from './schema.js';
import { findStringIds } from './strings.js';
import { ALWAYS_KEPT_API_GLOBS, MIN_HOST_CALL_NS } from './hostCalls.js';

export const RUNTIME_TABLE = 'CUPTI_ACTIVITY_KIND_RUNTIME';
const RT = RUNTIME_TABLE;

/** GLOB patterns of the API names (runtime `cuda*_vNNNN` and driver `cu*`) that enqueue GPU work. */
export const LAUNCH_API_GLOBS = [
  'cuda*Launch*', 'cu*Launch*', 'cuda*GraphLaunch*', 'cuGraphLaunch*',
  'cuda*Memcpy*', 'cuMemcpy*', 'cuda*Memset*', 'cuMemset*',
];

export interface RuntimeQuery {
  /** start, end, globalTid, correlationId (0 when none), nameId */
  spec: ColumnSpec;
  /** StringIds ids of the launch APIs found in this trace. */
  launchIds: number[];
  /** StringIds ids of the APIs kept as host calls whatever their length. */
  keptIds: number[];
}

/** Launch calls (by name, with a correlation id), plus host calls worth keeping (long, or by name). */
export function runtimeQuery(db: Db, s: Schema): RuntimeQuery | null {
  if (!s.has(RT)) return null;
  requireColumns(s, RT, ['start', 'end', 'globalTid', 'correlationId', 'nameId']);
  const launchIds = findStringIds(db, s, LAUNCH_API_GLOBS);
  const keptIds = findStringIds(db, s, ALWAYS_KEPT_API_GLOBS);
  const ids = [...new Set([...launchIds, ...keptIds])];
  return {
    spec: {
      table: RT,
      numbers: ['start', 'end', 'globalTid', 'coalesce(correlationId, 0)', 'nameId'],
      where: `${ids.length ? `nameId IN (${ids.join(',')}) OR ` : ''}end - start >= ${MIN_HOST_CALL_NS}`,
    },
    launchIds,
    keptIds,
  };
}
