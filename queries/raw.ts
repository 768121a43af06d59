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
import { probeSchema, SchemaGap, type Schema } from './schema.js';
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

/** A stored value as a number, or `fallback` when it is NULL or text (a damaged or edited file). */
const num = (v: unknown, fallback: number): number => (typeof v === 'number' ? v : fallback);
/** A time as stored, or NaN when it is no number or beyond 2^53 ns (104 days: no capture, and past exact doubles). */
const time = (v: unknown): number => (typeof v === 'number' && Math.abs(v) <= Number.MAX_SAFE_INTEGER ? v : NaN);

function readOps(db: Db, s: Schema, warnings: string[]): RawOps {
  const start = f64(), end = f64(), dev = i32(), stream = i32(), kind = u8(), name = i32(), longName = i32();
  const bytes = f64(), graph = f64(), corr = f64(), pid = f64();
  let skipped = 0;
  // Columns 0-5 are the same in every GPU table: start, end, deviceId, streamId, correlationId, globalPid.
  const common = (r: readonly unknown[], k: number, nameId: unknown, longNameId: unknown, nBytes: unknown, graphNode: unknown): void => {
    const s0 = time(r[0]), e0 = time(r[1]);
    if (Number.isNaN(s0) || Number.isNaN(e0) || typeof r[2] !== 'number') {
      skipped++;
      return;
    }
    start.push(s0); end.push(e0); dev.push(r[2]); stream.push(num(r[3], 0)); corr.push(num(r[4], 0)); pid.push(num(r[5], 0));
    name.push(num(nameId, -1)); longName.push(num(longNameId, -1)); bytes.push(num(nBytes, 0)); graph.push(num(graphNode, NaN)); kind.push(k);
  };
  for (const r of kernelRows(db, s)) common(r, OP_KERNEL, r[6], r[7], 0, r[8]);
  for (const r of memcpyRows(db, s)) common(r, OP_MEMCPY, r[7], -1, r[6], NaN);
  for (const r of memsetRows(db, s)) common(r, OP_MEMSET, 0, -1, r[6], NaN);
  for (const r of graphTraceRows(db, s)) common(r, OP_GRAPH, r[6], -1, 0, NaN);
  if (skipped) warnings.push(`${skipped} GPU operations without a valid start, end or device (NULL, not a number, or out of range) were skipped`);
  return {
    n: start.length, start: start.finish(), end: end.finish(), deviceId: dev.finish(), stream: stream.finish(),
    kind: kind.finish(), nameId: name.finish(), longNameId: longName.finish(), bytes: bytes.finish(),
    graphNode: graph.finish(), correlation: corr.finish(), globalPid: pid.finish(),
  };
}

function readLaunches(db: Db, s: Schema, warnings: string[]): { launches: RawLaunches; nameIds: number[] } {
  const start = f64(), end = f64(), tid = f64(), corr = f64(), name = i32();
  const q = launchRows(db, s);
  let skipped = 0;
  for (const r of q.rows) {
    const s0 = time(r[0]), e0 = time(r[1]);
    if (Number.isNaN(s0) || Number.isNaN(e0) || typeof r[2] !== 'number' || typeof r[3] !== 'number') {
      skipped++;
      continue;
    }
    start.push(s0); end.push(e0); tid.push(r[2]); corr.push(r[3]); name.push(r[4]);
  }
  if (skipped) warnings.push(`${skipped} CUDA launch calls without a valid start, end, thread or correlation id (NULL, not a number, or out of range) were skipped`);
  return {
    launches: { n: start.length, start: start.finish(), end: end.finish(), globalTid: tid.finish(), correlation: corr.finish(), nameId: name.finish() },
    nameIds: q.nameIds,
  };
}

function readNvtx(db: Db, s: Schema, warnings: string[]): RawNvtx {
  const start = f64(), end = f64(), tid = f64(), dom = i32(), text = i32();
  const texts: string[] = [];
  const index = new Map<string, number>();
  let skipped = 0;
  for (const r of nvtxRangeRows(db, s)) {
    const s0 = time(r[0]);
    if (Number.isNaN(s0)) {
      skipped++;
      continue;
    }
    const t = r[4] === null || r[4] === undefined ? '' : String(r[4]);
    let ti = index.get(t);
    if (ti === undefined) { ti = texts.length; texts.push(t); index.set(t, ti); }
    const e0 = time(r[1]);
    start.push(s0); end.push(Number.isNaN(e0) ? -1 : e0); tid.push(num(r[2], 0)); dom.push(num(r[3], 0)); text.push(ti);
  }
  if (skipped) warnings.push(`${skipped} NVTX ranges without a valid start time (NULL, not a number, or out of range) were skipped`);
  return { n: start.length, start: start.finish(), end: end.finish(), globalTid: tid.finish(), domainId: dom.finish(), text: text.finish(), texts };
}

/** Reads one export. Throws TraceError for anything that is not an analysable nsys export. */
export function readRawTrace(path: string): RawTrace {
  const db = openTraceDb(path);
  try {
    // One read transaction: every query sees the same file even if a writer gets in between them.
    db.exec('BEGIN');
    return readOpen(db, path);
  } catch (e) {
    if (e instanceof TraceError) throw e;
    if (e instanceof SchemaGap) throw new TraceError(`${path}: ${e.message}`);
    // SQLite's complaints are about the file; anything else is a bug here and must not pass for bad input.
    if (String((e as { code?: unknown }).code ?? '').startsWith('SQLITE_')) throw new TraceError(`${path}: unreadable nsys export (${sqliteReason(e)})`);
    throw e;
  } finally {
    db.close();
  }
}

function readOpen(db: Db, path: string): RawTrace {
  const s = probeSchema(db);
  if (!isNsysExport(s)) throw new TraceError(`${path}: an SQLite database, but not an Nsight Systems export (no StringIds / META_DATA_EXPORT tables)`);
  const warnings: string[] = [];
  const ops = readOps(db, s, warnings);
  if (ops.n === 0) {
    if (warnings.length) throw new TraceError(`${path}: no usable GPU activity: ${warnings[0]}`);
    throw new TraceError(
      `${path}: no GPU activity in this export (a CPU-only profile?); capture with: nsys profile -t cuda,nvtx ...`,
    );
  }
  if (!s.has('StringIds')) warnings.push('no StringIds table: kernel, API and NVTX names are unknown, so kernels cannot be classed');
  const { launches, nameIds } = readLaunches(db, s, warnings);
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
    nvtx: readNvtx(db, s, warnings),
    nvtxDomains: nvtxDomains(db, s),
    nccl: ncclPayloads(db, s),
    hostCalls: host.rows,
    strings: loadStrings(db, s, ids),
    warnings,
  };
}
