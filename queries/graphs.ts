/**
 * CUDA graph launches as the GPU ran them, when graphs were traced at graph level (nsys' default,
 * `--cuda-graph-trace=graph`): one row per graph execution and no rows for the kernels inside.
 *
 * Table read: CUPTI_ACTIVITY_KIND_GRAPH_TRACE (start, end, deviceId, streamId, correlationId, globalPid,
 * graphId, graphExecId). Units: start_ns / end_ns on the session clock.
 */
import type { Db } from './open.js';
import { pages } from './scan.js';
import { requireColumns, type Schema } from './schema.js';
import { GPU_OP_COLUMNS } from './gpuOps.js';

/** start_ns, end_ns, deviceId, streamId, correlationId, globalPid, graphId, graphExecId */
export type GraphTraceRow = [number, number, number, number, number, number, number, number];

const T = 'CUPTI_ACTIVITY_KIND_GRAPH_TRACE';

export function graphTracePages(db: Db, s: Schema, scanned?: (n: number) => void): Iterable<GraphTraceRow[]> {
  if (!s.has(T)) return [];
  requireColumns(s, T, GPU_OP_COLUMNS);
  const c = (n: string, d: string) => (s.hasColumn(T, n) ? `coalesce("${n}", ${d})` : d);
  return pages<GraphTraceRow>(db, T, `SELECT start, end, deviceId, ${c('streamId', '0')}, ${c('correlationId', '0')}, ${c('globalPid', '0')},
      ${c('graphId', '0')}, ${c('graphExecId', '0')} FROM ${T} WHERE rowid BETWEEN ? AND ?`, scanned);
}
