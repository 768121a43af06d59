/**
 * Where each NCCL kernel replayed from a CUDA graph was captured: the host thread and time at which its
 * graph node was first created. NCCL emits its NVTX ranges (with the message size, `--include-blobs=true`)
 * when a collective is called, and for a graph that happens once, at capture: a replayed kernel has no
 * range of its own, but the capture-time call that created its node has one. The trace model joins the two.
 *
 * Tables read: CUDA_GRAPH_NODE_EVENTS (start, globalTid, graphNodeId, originalGraphNodeId): one row per
 * node created, a node of an instantiated graph naming the node it was cloned from; CUPTI_ACTIVITY_KIND_KERNEL
 * (start, end, deviceId, globalPid, graphNodeId, shortName) and StringIds for the NCCL kernels' names.
 * Node ids are per process, so a node is looked up in its kernel's process (globalPid / 2^24 packs the
 * pid into thread ids as well). Units: start_ns / end_ns / capture_ns on the export's session clock.
 */
import type { Db } from './open.js';
import type { Schema } from './schema.js';

export interface GraphCaptureRow {
  /** The replayed kernel: device, start and end (ns). */
  deviceId: number;
  start: number;
  end: number;
  /** The thread that created the kernel's graph node, and when (ns): inside the NCCL call made at capture. */
  globalTid: number;
  captureStart: number;
}

const EVENTS = 'CUDA_GRAPH_NODE_EVENTS';
const KERNELS = 'CUPTI_ACTIVITY_KIND_KERNEL';
/** Clones of clones: a graph instantiated from an instantiated graph. Deeper chains are not followed. */
const MAX_DEPTH = 16;

export function graphCaptures(db: Db, s: Schema): GraphCaptureRow[] {
  const need: [string, string[]][] = [
    [EVENTS, ['start', 'globalTid', 'graphNodeId', 'originalGraphNodeId']],
    [KERNELS, ['start', 'end', 'deviceId', 'globalPid', 'graphNodeId', 'shortName']],
    ['StringIds', ['id', 'value']],
  ];
  if (!need.every(([t, cols]) => s.has(t) && cols.every((c) => s.hasColumn(t, c)))) return [];
  const rows = db.prepare(`
    WITH RECURSIVE
      node(pid, id, orig, start, tid) AS (
        SELECT globalTid / 16777216, graphNodeId, originalGraphNodeId, start, globalTid FROM ${EVENTS}
        WHERE graphNodeId IS NOT NULL AND globalTid IS NOT NULL AND start IS NOT NULL),
      chain(pid, id, cur, start, tid, depth) AS (
        SELECT pid, id, orig, start, tid, 0 FROM node
        UNION ALL
        SELECT c.pid, c.id, n.orig, n.start, n.tid, c.depth + 1 FROM chain c JOIN node n ON n.pid = c.pid AND n.id = c.cur
        WHERE c.cur IS NOT NULL AND c.depth < ${MAX_DEPTH}),
      root AS (SELECT pid, id, min(start) AS start, tid FROM chain WHERE cur IS NULL GROUP BY pid, id)
    SELECT k.deviceId, k.start, k.end, r.tid, r.start
    FROM ${KERNELS} k
    JOIN StringIds n ON n.id = k.shortName
    JOIN root r ON r.pid = k.globalPid / 16777216 AND r.id = k.graphNodeId
    WHERE k.graphNodeId IS NOT NULL AND (n.value LIKE 'ncclDevKernel%' OR n.value LIKE 'ncclKernel%')`).raw(true).all() as unknown[][];
  const out: GraphCaptureRow[] = [];
  for (const [deviceId, start, end, tid, at] of rows) {
    // A damaged row (text, NULL) is left out: the kernel then has no capture, as without this table.
    if (![deviceId, start, end, tid, at].every((v) => typeof v === 'number' || typeof v === 'bigint')) continue;
    out.push({ deviceId: Number(deviceId), start: Number(start), end: Number(end), globalTid: Number(tid), captureStart: Number(at) });
  }
  return out;
}
