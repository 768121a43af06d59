/**
 * What the capture recorded besides the GPU work, for `doctor`: which event streams exist and how many
 * rows each holds, the trace options the profiler recorded, and where a cudaProfilerApi capture range
 * started. Row counts are evidence ("72,189 CUDA API calls"), not analysed data.
 *
 * Tables read: CUPTI_ACTIVITY_KIND_RUNTIME (start, nameId), OSRT_API, NVTX_EVENTS (binaryData),
 * GPU_METRICS, CUPTI_ACTIVITY_KIND_GRAPH_TRACE: row counts; StringIds (id, value) for the profiler start
 * call's name; META_DATA_CAPTURE (name, value): CAPTURE_EVENT_TYPE, START_TRIGGER, START_DELAY_MS,
 * RUN_DURATION_MS, TRACE_AFTER_FORK_BEFORE_EXEC. Units: profilerStartNs and firstCudaApiNs on the export's clock (ns),
 * startDelayMs and durationMs in ms.
 */
import type { RecordedStreams } from '../analyzer/model/input.js';
import type { Db } from './open.js';
import type { Schema } from './schema.js';

function rows(db: Db, s: Schema, table: string, where = ''): number {
  if (!s.has(table)) return 0;
  const v = db.prepare(`SELECT count(*) FROM ${table}${where}`).pluck().get();
  return typeof v === 'number' ? v : 0;
}

export function recordedStreams(db: Db, s: Schema): RecordedStreams {
  const capture = s.hasColumn('META_DATA_CAPTURE', 'name') && s.hasColumn('META_DATA_CAPTURE', 'value')
    ? (db.prepare('SELECT CAST(name AS TEXT), CAST(value AS TEXT) FROM META_DATA_CAPTURE').raw(true).all() as [string | null, string | null][])
    : [];
  const one = (name: string) => capture.find(([n]) => n === name)?.[1] ?? null;
  const traced = capture.filter(([n]) => n === 'CAPTURE_EVENT_TYPE').map(([, v]) => v ?? '');
  const int = (v: string | null) => (v !== null && /^\d+$/.test(v) ? Number(v) : null);
  const fork = one('TRACE_AFTER_FORK_BEFORE_EXEC');
  const RT = 'CUPTI_ACTIVITY_KIND_RUNTIME';
  let profilerStartNs: number | null = null;
  let firstCudaApiNs: number | null = null;
  if (s.hasColumn(RT, 'nameId') && s.hasColumn(RT, 'start') && s.hasColumn('StringIds', 'value')) {
    const v = db.prepare(`SELECT min(start) FROM ${RT} WHERE nameId IN (SELECT id FROM StringIds WHERE value LIKE 'cu%ProfilerStart%')`).pluck().get();
    if (typeof v === 'number') profilerStartNs = v;
    const f = db.prepare(`SELECT min(start) FROM ${RT}`).pluck().get();
    if (typeof f === 'number') firstCudaApiNs = f;
  }
  return {
    traced: capture.length ? traced : null,
    cudaApiCalls: rows(db, s, RT),
    osRuntimeCalls: rows(db, s, 'OSRT_API'),
    nvtxEvents: rows(db, s, 'NVTX_EVENTS'),
    payloadBlobs: s.hasColumn('NVTX_EVENTS', 'binaryData') ? rows(db, s, 'NVTX_EVENTS', ' WHERE binaryData IS NOT NULL') : 0,
    gpuMetricSamples: rows(db, s, 'GPU_METRICS'),
    graphExecutions: rows(db, s, 'CUPTI_ACTIVITY_KIND_GRAPH_TRACE'),
    profilerStartNs,
    firstCudaApiNs,
    startTrigger: one('START_TRIGGER'),
    startDelayMs: int(one('START_DELAY_MS')),
    durationMs: int(one('RUN_DURATION_MS')),
    forkBeforeExec: fork === null ? null : fork === 'true',
  };
}
