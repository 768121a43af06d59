/**
 * The nsys SQLite reader: an export in, a TraceInput (analyzer/model/input.ts) out. The event tables are
 * read in shards (shard.ts), by one reader or by several worker threads at once (parallelRead.ts); this
 * file joins the shards and decodes what is nsys' own: global thread ids that pack their process id, CUPTI
 * copy kinds, names as StringIds ids, NCCL payload blobs, NVTX domains. What leaves here is plain ids,
 * strings and nanoseconds on the export's clock; joining launches to ops, clocks across files and sorting
 * are the trace model's.
 *
 * Values come as stored: a damaged or edited file can hold NULL, text or absurd numbers anywhere. A row
 * without a usable time (or device, or launch id) is skipped and counted in a warning; a missing detail
 * gets its default. Only SQLite's own errors and missing columns are the file's fault (TraceError).
 */
import type { CaptureMeta, GpuInfo, Indices, OpName, TraceInput } from '../analyzer/model/input.js';
import { concat, indexCtor, type Chunk, type TypedCtor } from './columns.js';
import { TraceError } from './errors.js';
import { gpuRows } from './gpus.js';
import { graphCaptures, type GraphCaptureRow } from './graphCaptures.js';
import { KERNEL_TABLE, MEMCPY_KINDS } from './gpuOps.js';
import { exportMeta, isNsysExport } from './metadata.js';
import { ncclPayloads, type NcclPayloads } from './ncclPayloads.js';
import { nvtxDomains } from './nvtx.js';
import { openTraceDb, sqliteReason, type Db } from './open.js';
import { processRows, threadNameRows, type ProcessRow, type ThreadNameRow } from './processes.js';
import { rangeSize, rowidSpan, shardOf } from './scan.js';
import { probeSchema, SchemaGap, type Schema } from './schema.js';
import { Dictionary, EVENT_TABLES, GPU_TABLES, OP_COLUMNS, OP_GRAPH, OP_KERNEL, OP_MEMCPY, readShard, type RawOpName, type Shard } from './shard.js';
import { loadStrings } from './strings.js';

/** globalTid = globalPid + OS tid (low 24 bits); globalPid = (..., pid << 24). */
const PID_SHIFT = 16777216;

/**
 * Opens an export, checks it is one, and turns the file's faults (SQLite's errors, a missing column) into
 * one clear TraceError; any other exception is a bug here and must not pass for bad input.
 */
export function withExport<T>(path: string, read: (db: Db, s: Schema) => T): T {
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

/** Rows (rowids) of the event tables of shard k of n: what its progress counts to. */
export function shardRows(db: Db, s: Schema, k: number, n: number): number {
  return EVENT_TABLES.reduce((sum, t) => sum + (s.has(t) ? rangeSize(shardOf(rowidSpan(db, t), k, n)) : 0), 0);
}

/** The rows readTraceInput will scan in `path` (what its progress counts to), 0 when it cannot tell. */
export function rowsToScan(path: string): number {
  try {
    return withExport(path, (db, s) => shardRows(db, s, 0, 1));
  } catch {
    return 0;
  }
}

export interface ProgressRows {
  /** Told the rows scanned so far and the rows to scan. */
  (done: number, total: number): void;
}

/** Reads shard k of n of an export's event tables. */
export function readShardOf(path: string, k: number, n: number, onRows?: ProgressRows): Shard {
  return withExport(path, (db, s) => {
    const total = onRows ? shardRows(db, s, k, n) : 0;
    onRows?.(0, total);
    return readShard(db, s, { k, of: n, onRows: onRows && ((done) => onRows(done, total)) });
  });
}

/** Reads one export in this thread. Throws TraceError for anything that is not an analysable nsys export. */
export function readTraceInput(path: string, onRows?: ProgressRows): TraceInput {
  return assemble(path, [readShardOf(path, 0, 1, onRows)]);
}

/** Per shard, the index in `into` of each entry of the shard's dictionary. */
function remaps(shards: readonly Shard[], values: (s: Shard) => number[], into: Dictionary): Int32Array[] {
  return shards.map((sh) => Int32Array.from(values(sh), (v) => into.of(v)));
}

/** The narrowest exact array for integer values (a stream id): uint16, int32, or float64. */
function exactCtor(values: readonly number[]): TypedCtor {
  let lo = 0, hi = 0, ints = true;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    if (!Number.isInteger(v)) ints = false;
  }
  if (ints && lo >= 0 && hi <= 65535) return Uint16Array;
  if (ints && lo >= -2147483648 && hi <= 2147483647) return Int32Array;
  return Float64Array;
}

type Tables<K extends string> = { chunks: Chunk<K>[] }[];

/** What an export says besides its event tables: read while the workers read those. */
export interface SmallTables {
  meta: CaptureMeta;
  gpus: GpuInfo[];
  processes: ProcessRow[];
  threadNames: ThreadNameRow[];
  domains: Map<number, string>;
  nccl: NcclPayloads;
  captures: GraphCaptureRow[];
}

export function readSmallTables(path: string): SmallTables {
  return withExport(path, (db, s) => ({
    meta: exportMeta(db, s), gpus: gpuRows(db, s), processes: processRows(db, s), threadNames: threadNameRows(db, s),
    domains: nvtxDomains(db, s), ...ncclTables(db, s),
  }));
}

/** NCCL's calls and, for graph replays, where their nodes were captured: only worth a query when calls carry sizes. */
function ncclTables(db: Db, s: Schema): { nccl: NcclPayloads; captures: GraphCaptureRow[] } {
  const nccl = ncclPayloads(db, s);
  return { nccl, captures: nccl.calls.some((c) => c.bytes !== null) ? graphCaptures(db, s) : [] };
}

/** Rows skipped in every shard, summed. */
export function skippedRows(shards: readonly Shard[]): Shard['skipped'] {
  return shards.reduce((a, sh) => ({ ops: a.ops + sh.skipped.ops, launches: a.launches + sh.skipped.launches, nvtx: a.nvtx + sh.skipped.nvtx }), { ops: 0, launches: 0, nvtx: 0 });
}

/**
 * Stage 1: the file's fault when it holds no GPU work to split: no usable op at all, or copies and sets
 * but no kernels (every number nsys-tp reports is GPU time split by kernel class: copies alone would read
 * as a run with nothing wrong). `skippedOps` is the warning for skipped ops, if any.
 */
export function checkGpuWork(path: string, s: Schema, shards: readonly Shard[], skippedOps: string | undefined): void {
  const nOps = shards.reduce((n, sh) => n + sh.ops.reduce((m, t) => m + t.n, 0), 0);
  if (nOps === 0) {
    if (skippedOps) throw new TraceError(`${path}: no usable GPU activity: ${skippedOps}`);
    throw new TraceError(`${path}: no GPU activity in this export (a CPU-only profile?); capture with: nsys profile -t cuda,nvtx ...`);
  }
  if (shards.every((sh) => sh.ops[OP_KERNEL]!.n + sh.ops[OP_GRAPH]!.n === 0)) {
    throw new TraceError(
      `${path}: the export holds memory copies and sets but no kernels (${s.has(KERNEL_TABLE) ? `no usable rows in ${KERNEL_TABLE}` : `no ${KERNEL_TABLE} table`}), ` +
        'so there is nothing to split into GEMM, attention and communication; capture with nsys profile -t cuda and check that the capture range covers the steps',
    );
  }
}

/** Per table of a list of shards × kinds (kind-major), its shard's remap. */
const perShard = (shards: readonly Shard[], maps: Int32Array[]) => (ti: number) => maps[ti % shards.length]!;

/** The joined GPU ops, with the dictionaries their columns index (processes grow on: threads add theirs). */
export interface JoinedOps {
  ops: TraceInput['ops'];
  devices: Dictionary;
  processes: Dictionary;
  /** Op names in the order the joined tables meet them (TraceInput.ops.name indexes these). */
  rawNames: RawOpName[];
}

/**
 * Stage 2: GPU ops: all shards' kernels, then their copies, sets and graph executions (the order nsys
 * wrote each table in, which the model's sort merges).
 */
export function joinOps(shards: readonly Shard[]): JoinedOps {
  const opTables = GPU_TABLES.flatMap((_t, ti) => shards.map((sh) => sh.ops[ti]!));
  const nOps = opTables.reduce((n, t) => n + t.n, 0);
  const devices = new Dictionary();
  const deviceMaps = remaps(shards, (sh) => sh.devices, devices);
  const processes = new Dictionary();
  const pidMaps = remaps(shards, (sh) => sh.pids, processes);
  // Op names in the order the joined tables meet them: table by table, shard by shard.
  const nameKeys = new Map<string, number>();
  const rawNames: RawOpName[] = [];
  const nameMaps = shards.map((sh) => new Int32Array(sh.opNames.length));
  GPU_TABLES.forEach((_t, kind) => shards.forEach((sh, k) => sh.opNames.forEach((n, i) => {
    if (n.kind !== kind) return;
    const key = `${n.kind}:${n.nameId}:${n.longNameId}`;
    let j = nameKeys.get(key);
    if (j === undefined) nameKeys.set(key, (j = rawNames.push(n) - 1));
    nameMaps[k]![i] = j;
  })));
  const streamValues = shards.map((sh) => sh.streams);
  const T = opTables as Tables<keyof typeof OP_COLUMNS>;
  const ops = {
    n: nOps,
    start: concat(T, 'start') as Float64Array,
    end: concat(T, 'end') as Float64Array,
    device: concat(T, 'device', { ctor: indexCtor(devices.values.length - 1), map: perShard(shards, deviceMaps) }) as Indices,
    stream: concat(T, 'stream', {
      ctor: exactCtor(streamValues.flat()),
      map: (ti) => streamValues[ti % shards.length]!,
    }) as Uint16Array | Int32Array | Float64Array,
    kind: concat(T, 'kind', { ctor: Uint8Array }) as Uint8Array,
    name: concat(T, 'name', { ctor: indexCtor(rawNames.length - 1), map: perShard(shards, nameMaps) }) as Indices,
    bytes: concat(T, 'bytes') as Uint32Array | Float64Array,
    fromGraph: concat(T, 'fromGraph', { ctor: Uint8Array }) as Uint8Array,
    correlation: concat(T, 'correlation') as Uint32Array | Float64Array,
    process: concat(T, 'process', { ctor: indexCtor(processes.values.length - 1), map: perShard(shards, pidMaps) }) as Indices,
  };
  return { ops, devices, processes, rawNames };
}

/** Threads and names of the whole file, and each shard's map onto them. */
export interface HostIds {
  threads: Dictionary;
  tidMaps: Int32Array[];
  threadCtor: TypedCtor;
  /** StringIds ids of launch APIs and host calls. */
  names: Dictionary;
  nameIdMaps: Int32Array[];
  nameCtor: TypedCtor;
}

/**
 * Stage 3: threads, every shard's and the NCCL calls' (and graph captures'), in one dictionary; the NCCL
 * calls, inits and graph captures on it, captures on devices the ops have only.
 */
export function joinThreads(shards: readonly Shard[], small: SmallTables, devices: Dictionary) {
  const threads = new Dictionary();
  const tidMaps = remaps(shards, (sh) => sh.tids, threads);
  const { nccl } = small;
  const ncclCalls = nccl.calls.map((c) => ({
    start: c.start, end: c.end, thread: threads.of(c.globalTid), name: c.name, comm: c.commId === null ? null : c.commId.toString(16), bytes: c.bytes,
  }));
  const captures = small.captures.flatMap((c) => {
    const device = devices.values.indexOf(c.deviceId);
    return device < 0 ? [] : [{ device, start: c.start, thread: threads.of(c.globalTid), captureStart: c.captureStart }];
  });
  const ncclInits = nccl.inits.map((c) => ({ comm: c.commId.toString(16), nranks: c.nranks, rank: c.rank, cudaDevice: c.cudaDevice }));
  const names = new Dictionary();
  const ids: HostIds = {
    threads, tidMaps, threadCtor: indexCtor(threads.values.length - 1), names, nameIdMaps: remaps(shards, (sh) => sh.nameIds, names),
    nameCtor: indexCtor(names.values.length - 1),
  };
  return { ids, ncclCalls, captures, ncclInits };
}

/** Stage 4: the CUDA API launches of all shards. */
export function joinLaunches(shards: readonly Shard[], ids: HostIds): TraceInput['launches'] {
  const launchTables = shards.map((sh) => sh.launches);
  return {
    n: launchTables.reduce((n, t) => n + t.n, 0),
    start: concat(launchTables, 'start') as Float64Array,
    thread: concat(launchTables, 'thread', { ctor: ids.threadCtor, map: (k) => ids.tidMaps[k]! }) as Indices,
    correlation: concat(launchTables, 'correlation') as Uint32Array | Float64Array,
    api: concat(launchTables, 'api', { ctor: ids.nameCtor, map: (k) => ids.nameIdMaps[k]! }) as Indices,
  };
}

/**
 * Stage 5: host calls, which matter on the threads that launch GPU work only: those threads' CUDA API
 * calls, then their OS runtime calls (of threads whose id is an integer, as nsys writes them). Names are
 * the caller's to add.
 */
export function joinHostCalls(shards: readonly Shard[], launches: TraceInput['launches'], ids: HostIds): Omit<TraceInput['hostCalls'], 'names'> {
  const { threads, tidMaps, threadCtor, nameIdMaps, nameCtor } = ids;
  const launching = new Uint8Array(threads.values.length);
  for (let i = 0; i < launches.n; i++) launching[launches.thread[i]!] = 1;
  const hostTables = [...shards.map((sh) => sh.apiCalls), ...shards.map((sh) => sh.osrtCalls)];
  const hThread = concat(hostTables, 'thread', { ctor: threadCtor, map: perShard(shards, tidMaps) }) as Indices;
  const hName = concat(hostTables, 'name', { ctor: nameCtor, map: perShard(shards, nameIdMaps) }) as Indices;
  const hStart = concat(hostTables, 'start') as Float64Array;
  const hEnd = concat(hostTables, 'end') as Float64Array;
  const nApi = shards.reduce((n, sh) => n + sh.apiCalls.n, 0);
  let nHost = 0;
  let nApiKept = 0;
  for (let i = 0; i < hThread.length; i++) {
    const t = hThread[i]!;
    const api = i < nApi;
    if (!launching[t] || (!api && !Number.isSafeInteger(threads.values[t]!))) continue;
    if (api) nApiKept++;
    hStart[nHost] = hStart[i]!; hEnd[nHost] = hEnd[i]!; hThread[nHost] = t; hName[nHost] = hName[i]!;
    nHost++;
  }
  const source = new Uint8Array(nHost).fill(1, nApiKept);
  return { n: nHost, start: hStart.slice(0, nHost), end: hEnd.slice(0, nHost), thread: hThread.slice(0, nHost), name: hName.slice(0, nHost), source };
}

/** Stage 6: NVTX ranges, their domains named (`domain N` when the export names none) and their texts read. */
export function joinNvtx(db: Db, s: Schema, shards: readonly Shard[], domainNames: Map<number, string>, ids: HostIds): TraceInput['nvtx'] {
  const { tidMaps, threadCtor } = ids;
  const nvtxTables = shards.map((sh) => sh.nvtx);
  const domainList = new Dictionary();
  const domainMaps = remaps(shards, (sh) => sh.domains, domainList);
  const textList: (string | number)[] = [];
  const textByValue = new Map<string, number>();
  const textById = new Map<number, number>();
  const textMaps = shards.map((sh) => Int32Array.from(sh.texts, (t) => {
    const map = typeof t === 'string' ? (textByValue as Map<string | number, number>) : (textById as Map<string | number, number>);
    let j = map.get(t);
    if (j === undefined) map.set(t, (j = textList.push(t) - 1));
    return j;
  }));
  const textStrings = loadStrings(db, s, textById.keys());
  return {
    n: nvtxTables.reduce((n, t) => n + t.n, 0),
    start: concat(nvtxTables, 'start') as Float64Array,
    end: concat(nvtxTables, 'end') as Float64Array,
    thread: concat(nvtxTables, 'thread', { ctor: threadCtor, map: (k) => tidMaps[k]! }) as Indices,
    domain: concat(nvtxTables, 'domain', { ctor: indexCtor(domainList.values.length - 1), map: (k) => domainMaps[k]! }) as Indices,
    domains: domainList.values.map((id) => (id === 0 ? '' : domainNames.get(id) ?? `domain ${id}`)),
    text: concat(nvtxTables, 'text', { ctor: indexCtor(textList.length - 1), map: (k) => textMaps[k]! }) as Indices,
    texts: textList.map((t) => (typeof t === 'string' ? t : textStrings.get(t) ?? '')),
  };
}

/**
 * Stage 7: threads (now all met) with their processes (each thread's is packed into its id: processes met
 * only here are added); processes with their pid and name.
 */
export function threadAndProcessLists(threads: Dictionary, processes: Dictionary, small: Pick<SmallTables, 'threadNames' | 'processes'>) {
  const threadNames = new Map(small.threadNames.map((t) => [t.globalTid, t.name]));
  const threadList = threads.values.map((tid) => ({ id: tid, process: processes.of(tid - (tid % PID_SHIFT)), name: threadNames.get(tid) ?? '' }));
  const procRows = small.processes;
  const processList = processes.values.map((gp) => {
    const p = procRows.find((x) => x.globalPid === gp);
    return { id: gp, pid: p?.pid ?? Math.floor(gp / PID_SHIFT) % PID_SHIFT, name: p?.name ?? '' };
  });
  return { threads: threadList, processes: processList };
}

/** Stage 8: names: kernels' from StringIds, the others' from their kind; API and host-call names from StringIds. */
export function opAndCallNames(db: Db, s: Schema, rawNames: readonly RawOpName[], names: Dictionary) {
  const kernelIds = rawNames.filter((n) => n.kind === OP_KERNEL).flatMap((n) => [n.nameId, n.longNameId]);
  const strings = loadStrings(db, s, [...kernelIds, ...names.values]);
  const opNames: OpName[] = rawNames.map((n) => {
    if (n.kind === OP_KERNEL) {
      const short = strings.get(n.nameId) ?? strings.get(n.longNameId) ?? `kernel#${n.nameId}`;
      return { short, long: strings.get(n.longNameId) ?? short, kind: n.kind };
    }
    const label = n.kind === OP_MEMCPY ? `[CUDA memcpy ${MEMCPY_KINDS[n.nameId] ?? 'Unknown'}]`
      : n.kind === OP_GRAPH ? `[CUDA graph ${n.nameId}: kernels not traced]`
      : '[CUDA memset]';
    return { short: label, long: label, kind: n.kind };
  });
  return { opNames, apiNames: names.values.map((id) => strings.get(id) ?? `api#${id}`), callNames: names.values.map((id) => strings.get(id) ?? `call#${id}`) };
}

/**
 * The shards of one export (in shard order) and its small tables as one TraceInput: ops → threads →
 * launches → host calls → NVTX → thread and process lists → names. Consumes the shards: each column of
 * theirs is dropped once copied.
 */
export function assemble(path: string, shards: Shard[], small: SmallTables = readSmallTables(path)): TraceInput {
  return withExport(path, (db, s) => {
    const warnings: string[] = [];
    const skipped = skippedRows(shards);
    if (skipped.ops) warnings.push(`${skipped.ops} GPU operations without a valid start, end or device (NULL, not a number, or out of range) were skipped`);
    checkGpuWork(path, s, shards, warnings[0]);
    const { ops, devices, processes, rawNames } = joinOps(shards);
    if (skipped.nvtx) warnings.push(`${skipped.nvtx} NVTX ranges without a valid start time (NULL, not a number, or out of range) were skipped`);
    if (!s.has('StringIds')) warnings.push('no StringIds table: kernel, API and NVTX names are unknown, so kernels cannot be classed');
    if (skipped.launches) warnings.push(`${skipped.launches} CUDA launch calls without a valid start, end, thread or correlation id (NULL, not a number, or out of range) were skipped`);
    const { ids, ncclCalls, captures, ncclInits } = joinThreads(shards, small, devices);
    const launches = joinLaunches(shards, ids);
    if (launches.n === 0) warnings.push('no CUDA API launches in the trace: NVTX ranges cannot be projected onto the GPUs');
    const hostCalls = joinHostCalls(shards, launches, ids);
    const nvtx = joinNvtx(db, s, shards, small.domains, ids);
    const lists = threadAndProcessLists(ids.threads, processes, small);
    const { opNames, apiNames, callNames } = opAndCallNames(db, s, rawNames, ids.names);
    return {
      path,
      meta: small.meta,
      gpus: small.gpus,
      processes: lists.processes,
      threads: lists.threads,
      deviceIds: devices.values,
      ops,
      opNames,
      launches,
      apiNames,
      nvtx,
      hostCalls: { ...hostCalls, names: callNames },
      ncclCalls,
      ncclInits,
      graphCaptures: captures,
      warnings,
    };
  });
}
