/**
 * Reads everything the analyses need from one export into typed columns (one allocation per column, no
 * object per row). This is the gatherer: it knows tables and ids; joining, sorting and aligning clocks are
 * the trace model's job (analyzer/model).
 */
import { TraceError } from './errors.js';
import { f64, i32, u8 } from './columns.js';
import { kernelRows, memcpyRows, memsetRows } from './gpuOps.js';
import { gpuRows, type GpuRow } from './gpus.js';
import { launchRows } from './launches.js';
import { exportMeta, isNsysExport, type ExportMeta } from './metadata.js';
import { nvtxDomains, nvtxRangeRows } from './nvtx.js';
import { openTraceDb, sqliteReason, type Db } from './open.js';
import { processRows, threadNameRows, type ProcessRow, type ThreadNameRow } from './processes.js';
import { probeSchema, type Schema } from './schema.js';
import { loadStrings } from './strings.js';
import { graphTraceRows } from './graphs.js';
import { hostCallRows, type HostCallRow } from './hostCalls.js';
import { ncclPayloads, type NcclPayloads } from './ncclPayloads.js';

export const OP_KERNEL = 0;
export const OP_MEMCPY = 1;
export const OP_MEMSET = 2;
/** A CUDA graph execution traced at graph level: the GPU was busy, the kernels inside are not in the trace. */
export const OP_GRAPH = 3;

export interface RawOps {
  n: number;
  start: Float64Array;
  end: Float64Array;
  deviceId: Int32Array;
  stream: Int32Array;
  kind: Uint8Array;
  /** StringIds id of the short name (kernels); memcpy: copyKind; memset: 0; graph: graphId. */
  nameId: Int32Array;
  /** StringIds id of the demangled name (kernels only). */
  longNameId: Int32Array;
  bytes: Float64Array;
  /** graphNodeId, NaN when the op was not launched from a graph. */
  graphNode: Float64Array;
  correlation: Float64Array;
  globalPid: Float64Array;
}

export interface RawLaunches {
  n: number;
  start: Float64Array;
  end: Float64Array;
  globalTid: Float64Array;
  correlation: Float64Array;
  nameId: Int32Array;
}

export interface RawNvtx {
  n: number;
  start: Float64Array;
  /** -1 when the range never ended. */
  end: Float64Array;
  globalTid: Float64Array;
  domainId: Int32Array;
  /** Index into `texts`. */
  text: Int32Array;
  texts: string[];
}

export interface RawTrace {
  path: string;
  meta: ExportMeta;
  gpus: GpuRow[];
  processes: ProcessRow[];
  threadNames: ThreadNameRow[];
  ops: RawOps;
  launches: RawLaunches;
  nvtx: RawNvtx;
  nvtxDomains: Map<number, string>;
  /** NCCL calls with message sizes and communicator layouts, when the export carries NVTX payloads. */
  nccl: NcclPayloads;
  /** Long or notable CUDA API / OS runtime calls of the threads that launch GPU work. */
  hostCalls: HostCallRow[];
  /** StringIds values referenced by ops (names), launches and host calls (API names). */
  strings: Map<number, string>;
  /** Set while reading when the trace lacks something the analyses would use. */
  warnings: string[];
}

function readOps(db: Db, s: Schema): RawOps {
  const start = f64(), end = f64(), dev = i32(), stream = i32(), kind = u8(), name = i32(), longName = i32();
  const bytes = f64(), graph = f64(), corr = f64(), pid = f64();
  for (const r of kernelRows(db, s)) {
    start.push(r[0]); end.push(r[1]); dev.push(r[2]); stream.push(r[3]); corr.push(r[4]); pid.push(r[5]);
    name.push(r[6]); longName.push(r[7]); graph.push(r[8] ?? NaN); kind.push(OP_KERNEL); bytes.push(0);
  }
  for (const r of memcpyRows(db, s)) {
    start.push(r[0]); end.push(r[1]); dev.push(r[2]); stream.push(r[3]); corr.push(r[4]); pid.push(r[5]);
    bytes.push(r[6]); name.push(r[7]); longName.push(-1); graph.push(NaN); kind.push(OP_MEMCPY);
  }
  for (const r of memsetRows(db, s)) {
    start.push(r[0]); end.push(r[1]); dev.push(r[2]); stream.push(r[3]); corr.push(r[4]); pid.push(r[5]);
    bytes.push(r[6]); name.push(0); longName.push(-1); graph.push(NaN); kind.push(OP_MEMSET);
  }
  for (const r of graphTraceRows(db, s)) {
    start.push(r[0]); end.push(r[1]); dev.push(r[2]); stream.push(r[3]); corr.push(r[4]); pid.push(r[5]);
    bytes.push(0); name.push(r[6]); longName.push(-1); graph.push(NaN); kind.push(OP_GRAPH);
  }
  return {
    n: start.length, start: start.finish(), end: end.finish(), deviceId: dev.finish(), stream: stream.finish(),
    kind: kind.finish(), nameId: name.finish(), longNameId: longName.finish(), bytes: bytes.finish(),
    graphNode: graph.finish(), correlation: corr.finish(), globalPid: pid.finish(),
  };
}

function readLaunches(db: Db, s: Schema): { launches: RawLaunches; nameIds: number[] } {
  const start = f64(), end = f64(), tid = f64(), corr = f64(), name = i32();
  const q = launchRows(db, s);
  for (const r of q.rows) {
    start.push(r[0]); end.push(r[1]); tid.push(r[2]); corr.push(r[3]); name.push(r[4]);
  }
  return {
    launches: { n: start.length, start: start.finish(), end: end.finish(), globalTid: tid.finish(), correlation: corr.finish(), nameId: name.finish() },
    nameIds: q.nameIds,
  };
}

function readNvtx(db: Db, s: Schema): RawNvtx {
  const start = f64(), end = f64(), tid = f64(), dom = i32(), text = i32();
  const texts: string[] = [];
  const index = new Map<string, number>();
  for (const r of nvtxRangeRows(db, s)) {
    const t = r[4] ?? '';
    let ti = index.get(t);
    if (ti === undefined) { ti = texts.length; texts.push(t); index.set(t, ti); }
    start.push(r[0]); end.push(r[1]); tid.push(r[2]); dom.push(r[3]); text.push(ti);
  }
  return { n: start.length, start: start.finish(), end: end.finish(), globalTid: tid.finish(), domainId: dom.finish(), text: text.finish(), texts };
}

/** Reads one export. Throws TraceError for anything that is not an analysable nsys export. */
export function readRawTrace(path: string): RawTrace {
  const db = openTraceDb(path);
  try {
    return readOpen(db, path);
  } catch (e) {
    if (e instanceof TraceError) throw e;
    throw new TraceError(`${path}: unreadable nsys export (${sqliteReason(e)})`);
  } finally {
    db.close();
  }
}

function readOpen(db: Db, path: string): RawTrace {
  const s = probeSchema(db);
  if (!isNsysExport(s)) throw new TraceError(`${path}: an SQLite database, but not an Nsight Systems export (no StringIds / META_DATA_EXPORT tables)`);
  const warnings: string[] = [];
  const ops = readOps(db, s);
  if (ops.n === 0) {
    throw new TraceError(
      `${path}: no GPU activity in this export (a CPU-only profile?); capture with: nsys profile -t cuda,nvtx ...`,
    );
  }
  const { launches, nameIds } = readLaunches(db, s);
  const ids = new Set<number>(nameIds);
  const launchThreads = [...new Set(launches.globalTid)];
  const host = hostCallRows(db, s, launchThreads);
  for (const id of host.nameIds) ids.add(id);
  for (let i = 0; i < ops.n; i++) {
    if (ops.kind[i] !== OP_KERNEL) continue;
    ids.add(ops.nameId[i]!);
    ids.add(ops.longNameId[i]!);
  }
  if (launches.n === 0 && ops.n > 0) warnings.push('no CUDA API launches in the trace: NVTX ranges cannot be projected onto the GPUs');
  return {
    path,
    meta: exportMeta(db, s),
    gpus: gpuRows(db, s),
    processes: processRows(db, s),
    threadNames: threadNameRows(db, s),
    ops,
    launches,
    nvtx: readNvtx(db, s),
    nvtxDomains: nvtxDomains(db, s),
    nccl: ncclPayloads(db, s),
    hostCalls: host.rows,
    strings: loadStrings(db, s, ids),
    warnings,
  };
}
