/**
 * Reads everything the analyses need from one export into typed columns (no object per row). This is the
 * gatherer: it knows tables and ids; joining, sorting and aligning clocks are the trace model's job
 * (analyzer/model). Each table is scanned once, in rowid pages, with SQLite doing the filtering; rows go
 * straight into typed columns, so memory is the columns' bytes. The export's wide ids (globalPid and
 * globalTid, about 2^48; kernel name id pairs) are numbered per file as they are read, so a column holds
 * a small int32 and the model maps each distinct id once, not once per row.
 * Values come as stored: a damaged or edited file can hold NULL, text or absurd numbers anywhere. A row
 * without a usable time (or device, or launch id) is skipped and counted in a warning; a missing detail
 * gets its default. Only SQLite's own errors and missing columns are the file's fault (TraceError).
 */
import { TraceError } from './errors.js';
import { allocate, CHUNK_ROWS, ChunkedColumns, trim } from './columns.js';
import { kernelPages, memcpyPages, memsetPages } from './gpuOps.js';
import { gpuRows, type GpuRow } from './gpus.js';
import { RUNTIME_TABLE, runtimeCallPages } from './launches.js';
import { exportMeta, isNsysExport, type ExportMeta } from './metadata.js';
import { nvtxDomains, nvtxRangePages } from './nvtx.js';
import { openTraceDb, sqliteReason, type Db } from './open.js';
import { processRows, threadNameRows, type ProcessRow, type ThreadNameRow } from './processes.js';
import { ScanProgress, type ProgressCallback } from './progress.js';
import { rowidSpan, spanRows } from './scan.js';
import { probeSchema, SchemaGap, type Schema } from './schema.js';
import { loadStrings } from './strings.js';
import { graphTracePages } from './graphs.js';
import { MIN_HOST_CALL_NS, osrtCallPages } from './hostCalls.js';
import { ncclPayloads, type NcclPayloads } from './ncclPayloads.js';

export const OP_KERNEL = 0;
export const OP_MEMCPY = 1;
export const OP_MEMSET = 2;
/** A CUDA graph execution traced at graph level: the GPU was busy, the kernels inside are not in the trace. */
export const OP_GRAPH = 3;

/** What names an op: kernels by their StringIds ids, the others by kind and a number. */
export interface RawOpName {
  kind: number;
  /** Kernels: StringIds id of the short name; memcpy: copyKind; memset: 0; graph: graphId. */
  nameId: number;
  /** Kernels: StringIds id of the demangled name; -1 for the others. */
  longNameId: number;
}

export interface RawOps {
  n: number;
  start: Float64Array;
  end: Float64Array;
  deviceId: Int32Array;
  stream: Int32Array;
  kind: Uint8Array;
  /** Index into RawTrace.opNames. */
  name: Int32Array;
  bytes: Float64Array;
  /** graphNodeId, NaN when the op was not launched from a graph. */
  graphNode: Float64Array;
  correlation: Float64Array;
  /** Index into RawTrace.globalPids. */
  process: Int32Array;
}

/** The launch calls: only what the model joins to each op (start, thread, API), not their end. */
export interface RawLaunches {
  n: number;
  start: Float64Array;
  /** Index into RawTrace.globalTids. */
  thread: Int32Array;
  correlation: Float64Array;
  nameId: Int32Array;
}

export interface RawHostCalls {
  n: number;
  start: Float64Array;
  end: Float64Array;
  /** Index into RawTrace.globalTids. */
  thread: Int32Array;
  /** StringIds id of the API (CUDA) or function (OS runtime) name. */
  nameId: Int32Array;
  /** 0 CUDA API, 1 OS runtime. */
  source: Uint8Array;
}

export interface RawNvtx {
  n: number;
  start: Float64Array;
  /** -1 when the range never ended. */
  end: Float64Array;
  /** Index into RawTrace.globalTids. */
  thread: Int32Array;
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
  opNames: RawOpName[];
  /** The globalPids the ops' `process` column numbers, in order of first appearance. */
  globalPids: number[];
  /** The globalTids the `thread` columns number (launches first, then host calls, then NVTX). */
  globalTids: number[];
  launches: RawLaunches;
  nvtx: RawNvtx;
  nvtxDomains: Map<number, string>;
  /** NCCL calls with message sizes and communicator layouts, when the export carries NVTX payloads. */
  nccl: NcclPayloads;
  /** Long or notable CUDA API / OS runtime calls of the threads that launch GPU work. */
  hostCalls: RawHostCalls;
  /** StringIds values referenced by ops (names), launches and host calls (API names). */
  strings: Map<number, string>;
  /** Set while reading when the trace lacks something the analyses would use. */
  warnings: string[];
}

const KERNEL_TABLE = 'CUPTI_ACTIVITY_KIND_KERNEL';
const MEMCPY_TABLE = 'CUPTI_ACTIVITY_KIND_MEMCPY';
const MEMSET_TABLE = 'CUPTI_ACTIVITY_KIND_MEMSET';
const GRAPH_TABLE = 'CUPTI_ACTIVITY_KIND_GRAPH_TRACE';
const NVTX_TABLE = 'NVTX_EVENTS';
const OSRT_TABLE = 'OSRT_API';

const OP_COLUMNS = {
  start: Float64Array, end: Float64Array, deviceId: Int32Array, stream: Int32Array, kind: Uint8Array, name: Int32Array,
  bytes: Float64Array, graphNode: Float64Array, correlation: Float64Array, process: Int32Array,
};
const LAUNCH_COLUMNS = { start: Float64Array, thread: Int32Array, correlation: Float64Array, nameId: Int32Array };
const HOST_COLUMNS = { start: Float64Array, end: Float64Array, thread: Int32Array, nameId: Int32Array, source: Uint8Array };
const NVTX_COLUMNS = { start: Float64Array, end: Float64Array, thread: Int32Array, domainId: Int32Array, text: Int32Array };

/**
 * Numbers wide ids (a globalTid is about 2^48, not a small integer to V8) as they come: a scan of the
 * first 32 (a file has a handful of processes and launching threads), then a Map.
 */
class IdNumbering {
  readonly ids: number[] = [];
  private readonly first = new Float64Array(32);
  private readonly map = new Map<number, number>();

  of(id: number): number {
    const n = Math.min(this.ids.length, this.first.length);
    for (let i = 0; i < n; i++) if (this.first[i] === id) return i;
    let k = this.map.get(id);
    if (k === undefined) {
      k = this.ids.length;
      this.ids.push(id);
      if (k < this.first.length) this.first[k] = id;
      else this.map.set(id, k);
    }
    return k;
  }
}

/** Op names numbered as they come: kernels by demangled-name id (checked against the short-name id). */
class OpNameNumbering {
  readonly list: RawOpName[] = [];
  private readonly kernels = new Map<number, number>();
  private readonly others = new Map<number, number>();
  private readonly exact = new Map<string, number>();

  kernel(nameId: number, longNameId: number): number {
    const k = this.kernels.get(longNameId);
    if (k !== undefined && this.list[k]!.nameId === nameId) return k;
    const i = this.of(OP_KERNEL, nameId, longNameId);
    if (k === undefined) this.kernels.set(longNameId, i);
    return i;
  }

  /** A memcpy (by copy kind), memset or graph execution (by graph id). */
  other(kind: number, id: number): number {
    const key = kind * 4294967296 + id;
    let i = this.others.get(key);
    if (i === undefined) this.others.set(key, (i = this.of(kind, id, -1)));
    return i;
  }

  private of(kind: number, nameId: number, longNameId: number): number {
    const key = `${kind}:${nameId}:${longNameId}`;
    let i = this.exact.get(key);
    if (i === undefined) {
      i = this.list.length;
      this.list.push({ kind, nameId, longNameId });
      this.exact.set(key, i);
    }
    return i;
  }
}

/** A stored value as a number, or `fallback` when it is NULL or text (a damaged or edited file). */
const num = (v: unknown, fallback: number): number => (typeof v === 'number' ? v : fallback);
/** A time as stored, or NaN when it is no number or beyond 2^53 ns (104 days: no capture, and past exact doubles). */
const time = (v: unknown): number => (typeof v === 'number' && Math.abs(v) <= Number.MAX_SAFE_INTEGER ? v : NaN);

/**
 * Kernels, copies, sets and graph executions, in that order (each in its table's start order). The four
 * tables' rowid spans bound the row count (and equal it in an nsys export), so the columns are allocated
 * once, at their final size.
 */
function readOps(db: Db, s: Schema, progress: ScanProgress, names: OpNameNumbering, pids: IdNumbering, warnings: string[]): RawOps {
  let cap = 0;
  for (const t of [KERNEL_TABLE, MEMCPY_TABLE, MEMSET_TABLE, GRAPH_TABLE]) if (s.has(t)) cap += spanRows(rowidSpan(db, t));
  const c = allocate(OP_COLUMNS, cap);
  let i = 0;
  let skipped = 0;
  // Columns 0-5 are the same in every GPU table: start, end, deviceId, streamId, correlationId, globalPid.
  // A row without a usable start, end or device places nothing on a timeline: skipped and counted. (The
  // check is written out in each loop: a closure over `i` would make it a context slot in the hot loop.)
  // Fresh columns are zero-filled: kind OP_KERNEL (0) and bytes 0 need no writing for kernels.
  for (const page of kernelPages(db, s, progress.begin(KERNEL_TABLE))) {
    for (let j = 0; j < page.length; j++) {
      const r = page[j]!;
      const t0 = time(r[0]), t1 = time(r[1]);
      if (t0 !== t0 || t1 !== t1 || typeof r[2] !== 'number') { skipped++; continue; }
      c.start[i] = t0; c.end[i] = t1; c.deviceId[i] = r[2]; c.stream[i] = num(r[3], 0); c.correlation[i] = num(r[4], 0);
      c.process[i] = pids.of(num(r[5], 0)); c.name[i] = names.kernel(num(r[6], -1), num(r[7], -1)); c.graphNode[i] = num(r[8], NaN);
      i++;
    }
  }
  for (const page of memcpyPages(db, s, progress.begin(MEMCPY_TABLE))) {
    for (let j = 0; j < page.length; j++) {
      const r = page[j]!;
      const t0 = time(r[0]), t1 = time(r[1]);
      if (t0 !== t0 || t1 !== t1 || typeof r[2] !== 'number') { skipped++; continue; }
      c.start[i] = t0; c.end[i] = t1; c.deviceId[i] = r[2]; c.stream[i] = num(r[3], 0); c.correlation[i] = num(r[4], 0);
      c.process[i] = pids.of(num(r[5], 0)); c.bytes[i] = num(r[6], 0); c.name[i] = names.other(OP_MEMCPY, num(r[7], -1)); c.graphNode[i] = NaN; c.kind[i] = OP_MEMCPY;
      i++;
    }
  }
  for (const page of memsetPages(db, s, progress.begin(MEMSET_TABLE))) {
    for (let j = 0; j < page.length; j++) {
      const r = page[j]!;
      const t0 = time(r[0]), t1 = time(r[1]);
      if (t0 !== t0 || t1 !== t1 || typeof r[2] !== 'number') { skipped++; continue; }
      c.start[i] = t0; c.end[i] = t1; c.deviceId[i] = r[2]; c.stream[i] = num(r[3], 0); c.correlation[i] = num(r[4], 0);
      c.process[i] = pids.of(num(r[5], 0)); c.bytes[i] = num(r[6], 0); c.name[i] = names.other(OP_MEMSET, 0); c.graphNode[i] = NaN; c.kind[i] = OP_MEMSET;
      i++;
    }
  }
  for (const page of graphTracePages(db, s, progress.begin(GRAPH_TABLE))) {
    for (let j = 0; j < page.length; j++) {
      const r = page[j]!;
      const t0 = time(r[0]), t1 = time(r[1]);
      if (t0 !== t0 || t1 !== t1 || typeof r[2] !== 'number') { skipped++; continue; }
      c.start[i] = t0; c.end[i] = t1; c.deviceId[i] = r[2]; c.stream[i] = num(r[3], 0); c.correlation[i] = num(r[4], 0);
      c.process[i] = pids.of(num(r[5], 0)); c.name[i] = names.other(OP_GRAPH, num(r[6], -1)); c.graphNode[i] = NaN; c.kind[i] = OP_GRAPH;
      i++;
    }
  }
  if (skipped) warnings.push(`${skipped} GPU operations without a valid start, end or device (NULL, not a number, or out of range) were skipped`);
  return { n: i, ...(i === cap ? c : trim(c, i)) };
}

/** Ids (StringIds ids, dense from 0 in an export) up to this are flagged in an array, any beyond in a map. */
const FLAG_ARRAY_IDS = 1 << 24;

/**
 * flags[nameId]: 1 a launch API, 2 an API kept as a host call whatever its length. An edited file can hold
 * any id: those past FLAG_ARRAY_IDS go into `far` instead of sizing the array.
 */
function nameFlags(launchIds: readonly number[], keptIds: readonly number[]): { flags: Uint8Array; far: Map<number, number> } {
  const ids = [...launchIds, ...keptIds].filter((id) => id >= 0);
  const flags = new Uint8Array(Math.min(FLAG_ARRAY_IDS, ids.reduce((m, id) => Math.max(m, id + 1), 0)));
  const far = new Map<number, number>();
  const mark = (id: number, bit: number) => {
    if (id < flags.length) flags[id]! |= bit;
    else if (id >= 0) far.set(id, (far.get(id) ?? 0) | bit);
  };
  for (const id of launchIds) mark(id, 1);
  for (const id of keptIds) mark(id, 2);
  return { flags, far };
}

/**
 * Launches and CUDA API host calls from the one runtime pass; OS runtime host calls of the launching threads.
 * A launch without a usable time, thread or correlation id is skipped and counted; such a host call is
 * left out (it explains nothing).
 */
function readApiCalls(db: Db, s: Schema, progress: ScanProgress, tids: IdNumbering, warnings: string[]): { launches: RawLaunches; hostCalls: RawHostCalls; nameIds: number[] } {
  const q = runtimeCallPages(db, s, progress.begin(RUNTIME_TABLE));
  const { flags, far } = nameFlags(q.launchIds, q.keptIds);
  const nFlags = flags.length;
  const L = new ChunkedColumns(LAUNCH_COLUMNS);
  const H = new ChunkedColumns(HOST_COLUMNS);
  let lc = L.chunk, li = 0, hc = H.chunk, hi = 0;
  let skipped = 0;
  for (const page of q.pages) {
    for (let j = 0; j < page.length; j++) {
      const r = page[j]!;
      const name = r[4];
      if (typeof name !== 'number') continue;
      const f = name < nFlags ? flags[name]! : far.size ? far.get(name) ?? 0 : 0;
      const launch = (f & 1) !== 0 && r[3] !== 0;
      const host = (f & 2) !== 0 || r[1] - r[0] >= MIN_HOST_CALL_NS;
      if (!launch && !host) continue;
      const t0 = time(r[0]), t1 = time(r[1]);
      const usable = t0 === t0 && t1 === t1 && typeof r[2] === 'number';
      if (launch && !(usable && typeof r[3] === 'number')) skipped++;
      if (!usable) continue;
      const thread = tids.of(r[2]);
      if (launch && typeof r[3] === 'number') {
        if (li === CHUNK_ROWS) { lc = L.next(); li = 0; }
        lc.start[li] = t0; lc.thread[li] = thread; lc.correlation[li] = r[3]; lc.nameId[li] = name;
        li++;
      }
      if (host) {
        if (hi === CHUNK_ROWS) { hc = H.next(); hi = 0; }
        hc.start[hi] = t0; hc.end[hi] = t1; hc.thread[hi] = thread; hc.nameId[hi] = name;
        hi++;
      }
    }
  }
  if (skipped) warnings.push(`${skipped} CUDA launch calls without a valid start, end, thread or correlation id (NULL, not a number, or out of range) were skipped`);
  const launches = L.finish(li);
  const api = H.finish(hi);
  // Host calls matter on the threads that launch GPU work only: keep those, then add their OS runtime calls.
  const launching = new Uint8Array(tids.ids.length);
  for (let j = 0; j < launches.n; j++) launching[launches.thread[j]!] = 1;
  const H2 = new ChunkedColumns(HOST_COLUMNS);
  let c = H2.chunk, k = 0;
  for (let j = 0; j < api.n; j++) {
    if (!launching[api.thread[j]!]) continue;
    if (k === CHUNK_ROWS) { c = H2.next(); k = 0; }
    c.start[k] = api.start[j]!; c.end[k] = api.end[j]!; c.thread[k] = api.thread[j]!; c.nameId[k] = api.nameId[j]!;
    k++;
  }
  const threads = tids.ids.filter((_t, i) => launching[i]);
  for (const page of osrtCallPages(db, s, threads, progress.begin(OSRT_TABLE))) {
    for (const r of page) {
      const t0 = time(r[0]), t1 = time(r[1]);
      if (t0 !== t0 || t1 !== t1 || typeof r[2] !== 'number' || typeof r[3] !== 'number') continue;
      if (k === CHUNK_ROWS) { c = H2.next(); k = 0; }
      c.start[k] = t0; c.end[k] = t1; c.thread[k] = tids.of(r[2]); c.nameId[k] = r[3]; c.source[k] = 1;
      k++;
    }
  }
  const hostCalls = H2.finish(k);
  return { launches, hostCalls, nameIds: [...q.launchIds, ...distinct(hostCalls.nameId, hostCalls.n)] };
}

/**
 * NVTX ranges; texts are interned (inline texts by value, registered ones by StringIds id, looked up once).
 * A range without a usable start is skipped and counted; one without a usable end is open (-1).
 */
function readNvtx(db: Db, s: Schema, progress: ScanProgress, tids: IdNumbering, warnings: string[]): RawNvtx {
  const t = new ChunkedColumns(NVTX_COLUMNS);
  let c = t.chunk, i = 0;
  const texts: string[] = [];
  const byText = new Map<string, number>();
  const byId = new Map<number, number>();
  let skipped = 0;
  for (const page of nvtxRangePages(db, s, progress.begin(NVTX_TABLE))) {
    for (const r of page) {
      const t0 = time(r[0]);
      if (t0 !== t0) {
        skipped++;
        continue;
      }
      if (i === CHUNK_ROWS) { c = t.next(); i = 0; }
      let ti: number | undefined;
      if (r[4] === null && typeof r[5] === 'number') {
        ti = byId.get(r[5]);
        if (ti === undefined) { ti = texts.length; texts.push(''); byId.set(r[5], ti); }
      } else {
        const text = r[4] ?? '';
        ti = byText.get(text);
        if (ti === undefined) { ti = texts.length; texts.push(text); byText.set(text, ti); }
      }
      const t1 = time(r[1]);
      c.start[i] = t0; c.end[i] = t1 === t1 ? t1 : -1; c.thread[i] = tids.of(num(r[2], 0)); c.domainId[i] = num(r[3], 0); c.text[i] = ti;
      i++;
    }
  }
  if (skipped) warnings.push(`${skipped} NVTX ranges without a valid start time (NULL, not a number, or out of range) were skipped`);
  const names = loadStrings(db, s, byId.keys());
  for (const [id, ti] of byId) texts[ti] = names.get(id) ?? '';
  return { ...t.finish(i), texts };
}

/**
 * Distinct values of ids[0..n) (non-negative integers, StringIds ids), without a set entry per row. Ids far
 * beyond the row count (only in an edited file) are collected in a set instead of sizing a flag array.
 */
function distinct(ids: Int32Array, n: number): number[] {
  let max = -1;
  for (let i = 0; i < n; i++) if (ids[i]! > max) max = ids[i]!;
  if (max > 8 * n + 65536) return [...new Set(ids.subarray(0, n))].filter((id) => id >= 0).sort((a, b) => a - b);
  const seen = new Uint8Array(max + 1);
  for (let i = 0; i < n; i++) if (ids[i]! >= 0) seen[ids[i]!] = 1;
  const out: number[] = [];
  for (let id = 0; id <= max; id++) if (seen[id]) out.push(id);
  return out;
}

/**
 * An export is read in two parts, which two threads can read at once (parallelRead.ts); the split only
 * balances the work. The ops part: the GPU tables (kernels, copies, sets, graph executions) and the NVTX
 * ranges, with the kernel names' strings.
 */
export interface RawOpsPart {
  ops: RawOps;
  opNames: RawOpName[];
  globalPids: number[];
  /** NVTX ranges, their `thread` numbering `nvtxTids` (renumbered into RawTrace.globalTids on joining). */
  nvtx: RawNvtx;
  nvtxTids: number[];
  strings: Map<number, string>;
  /** What was skipped while reading this part. */
  warnings: string[];
}

/**
 * The calls part: CUDA API and OS runtime calls, NCCL payloads, and what names the GPUs, processes and
 * threads, with what was skipped reading them (`warnings`).
 */
export type RawCallsPart = Omit<RawTrace, 'path' | 'ops' | 'opNames' | 'globalPids' | 'nvtx'>;

/** The buffers of every typed column, to transfer a trace (or a part) from a worker thread without copying. */
export function transferables(raw: Partial<Pick<RawTrace, 'ops' | 'launches' | 'nvtx' | 'hostCalls'>>): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const table of [raw.ops, raw.launches, raw.nvtx, raw.hostCalls]) {
    if (!table) continue;
    for (const v of Object.values(table)) if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer) out.add(v.buffer);
  }
  return [...out];
}

export interface ReadOptions {
  /** Called as rows are read (after every page of rows, and at each table's start). */
  onProgress?: ProgressCallback;
}

/** The tables each part scans, in order; the progress estimate covers them all. */
const OPS_TABLES = [KERNEL_TABLE, MEMCPY_TABLE, MEMSET_TABLE, GRAPH_TABLE, NVTX_TABLE];
const CALLS_TABLES = [RUNTIME_TABLE, OSRT_TABLE];

/**
 * Opens an export, checks it is one, and turns the file's faults (SQLite's errors, a missing column) into
 * one clear TraceError; any other exception is a bug here and must not pass for bad input.
 */
function withExport<T>(path: string, read: (db: Db, s: Schema) => T): T {
  const db = openTraceDb(path);
  try {
    // One read transaction: every query of this connection sees the same file even if a writer gets in
    // between them.
    db.exec('BEGIN');
    const s = probeSchema(db);
    if (!isNsysExport(s)) throw new TraceError(`${path}: an SQLite database, but not an Nsight Systems export (no StringIds / META_DATA_EXPORT tables)`);
    return read(db, s);
  } catch (e) {
    if (e instanceof TraceError) throw e;
    if (e instanceof SchemaGap) throw new TraceError(`${path}: ${e.message}`);
    if (String((e as { code?: unknown }).code ?? '').startsWith('SQLITE_')) throw new TraceError(`${path}: unreadable nsys export (${sqliteReason(e)})`);
    throw e;
  } finally {
    db.close();
  }
}

function opsPart(db: Db, s: Schema, path: string, progress: ScanProgress): RawOpsPart {
  const opNames = new OpNameNumbering();
  const pids = new IdNumbering();
  const warnings: string[] = [];
  const ops = readOps(db, s, progress, opNames, pids, warnings);
  if (ops.n === 0) {
    if (warnings.length) throw new TraceError(`${path}: no usable GPU activity: ${warnings[0]}`);
    throw new TraceError(
      `${path}: no GPU activity in this export (a CPU-only profile?); capture with: nsys profile -t cuda,nvtx ...`,
    );
  }
  // Every number nsys-tp reports is GPU time split by kernel class: copies alone would read as a run
  // with nothing wrong.
  if (!ops.kind.subarray(0, ops.n).some((k) => k === OP_KERNEL || k === OP_GRAPH)) {
    throw new TraceError(
      `${path}: the export holds memory copies and sets but no kernels (${s.has(KERNEL_TABLE) ? `no usable rows in ${KERNEL_TABLE}` : `no ${KERNEL_TABLE} table`}), ` +
        'so there is nothing to split into GEMM, attention and communication; capture with nsys profile -t cuda and check that the capture range covers the steps',
    );
  }
  const tids = new IdNumbering();
  const nvtx = readNvtx(db, s, progress, tids, warnings);
  const kernelNames = opNames.list.filter((n) => n.kind === OP_KERNEL).flatMap((n) => [n.nameId, n.longNameId]);
  return { ops, opNames: opNames.list, globalPids: pids.ids, nvtx, nvtxTids: tids.ids, strings: loadStrings(db, s, kernelNames), warnings };
}

function callsPart(db: Db, s: Schema, progress: ScanProgress): RawCallsPart {
  const tids = new IdNumbering();
  const warnings: string[] = [];
  if (!s.has('StringIds')) warnings.push('no StringIds table: kernel, API and NVTX names are unknown, so kernels cannot be classed');
  const { launches, hostCalls, nameIds } = readApiCalls(db, s, progress, tids, warnings);
  return {
    meta: exportMeta(db, s),
    gpus: gpuRows(db, s),
    processes: processRows(db, s),
    threadNames: threadNameRows(db, s),
    globalTids: tids.ids,
    launches,
    nvtxDomains: nvtxDomains(db, s),
    nccl: ncclPayloads(db, s),
    hostCalls,
    strings: loadStrings(db, s, nameIds),
    warnings,
  };
}

/** Reads the ops part of one export. */
export function readOpsPart(path: string, options: ReadOptions = {}): RawOpsPart {
  return withExport(path, (db, s) => {
    const progress = new ScanProgress(db, s, OPS_TABLES, options.onProgress);
    const part = opsPart(db, s, path, progress);
    progress.end();
    return part;
  });
}

/** Reads the calls part of one export. */
export function readCallsPart(path: string, options: ReadOptions = {}): RawCallsPart {
  return withExport(path, (db, s) => {
    const progress = new ScanProgress(db, s, CALLS_TABLES, options.onProgress);
    const part = callsPart(db, s, progress);
    progress.end();
    return part;
  });
}

/** The two parts of one export as one raw trace: NVTX threads numbered after the calls' threads. */
export function joinParts(path: string, ops: RawOpsPart, calls: RawCallsPart): RawTrace {
  const warnings = [...ops.warnings, ...calls.warnings];
  if (calls.launches.n === 0) warnings.push('no CUDA API launches in the trace: NVTX ranges cannot be projected onto the GPUs');
  const globalTids = [...calls.globalTids];
  const index = new Map(globalTids.map((t, i) => [t, i]));
  const renumber = Int32Array.from(ops.nvtxTids, (t) => {
    let i = index.get(t);
    if (i === undefined) {
      index.set(t, (i = globalTids.length));
      globalTids.push(t);
    }
    return i;
  });
  const { thread } = ops.nvtx;
  for (let i = 0; i < thread.length; i++) thread[i] = renumber[thread[i]!]!;
  return {
    ...calls, path, ops: ops.ops, opNames: ops.opNames, globalPids: ops.globalPids, nvtx: ops.nvtx, globalTids,
    strings: new Map([...ops.strings, ...calls.strings]), warnings,
  };
}

/** Reads one export. Throws TraceError for anything that is not an analysable nsys export. */
export function readRawTrace(path: string, options: ReadOptions = {}): RawTrace {
  return withExport(path, (db, s) => {
    const progress = new ScanProgress(db, s, [...OPS_TABLES, ...CALLS_TABLES], options.onProgress);
    const ops = opsPart(db, s, path, progress);
    const calls = callsPart(db, s, progress);
    progress.end();
    return joinParts(path, ops, calls);
  });
}

/** The rows readRawTrace will scan in `path` (what its progress counts to), 0 when it cannot tell. */
export function rowsToScan(path: string): number {
  try {
    return withExport(path, (db, s) => [...OPS_TABLES, ...CALLS_TABLES].reduce((n, t) => n + (s.has(t) ? spanRows(rowidSpan(db, t)) : 0), 0));
  } catch {
    return 0;
  }
}
