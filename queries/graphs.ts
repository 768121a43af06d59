/**
 * CUDA graph launches as the GPU ran them, when graphs were traced at graph level (nsys' default,
 * `--cuda-graph-trace=graph`): one row per graph execution and no rows for the kernels inside.
 *
 * Table read: CUPTI_ACTIVITY_KIND_GRAPH_TRACE (start, end, deviceId, streamId, correlationId, globalPid,
 * graphId). Units: start / end on the session clock.
 */
import type { ColumnSpec } from './columnar.js';
import { gpuOpColumns, GPU_OP_COLUMNS } from './gpuOps.js';
import { requireColumns, type Schema } from './schema.js';

export const GRAPH_TABLE = 'CUPTI_ACTIVITY_KIND_GRAPH_TRACE';

/** start, end, deviceId, streamId, correlationId, globalPid, graphId */
export function graphTraceSpec(s: Schema): ColumnSpec | null {
  const T = GRAPH_TABLE;
  if (!s.has(T)) return null;
  requireColumns(s, T, GPU_OP_COLUMNS);
  return { table: T, numbers: [...gpuOpColumns(s, T), s.hasColumn(T, 'graphId') ? 'coalesce("graphId", 0)' : '0'] };
}
