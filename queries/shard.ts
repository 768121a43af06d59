/**
 * One reader's share of an export: shard k of n of every event table's rowid span (scan.ts), read a page
 * at a time as columns (columnar.ts) into narrow chunked tables (columns.ts). Several shards are read at
 * once by worker threads (parallelRead.ts) and joined into one trace input (nsysTrace.ts); a single
 * reader reads shard 0 of 1.
 *
 * A shard numbers the ids it meets (devices, streams, processes, threads, names) in order of first
 * appearance, so its columns hold small indices; the values are in its dictionaries, and joining the
 * shards maps each shard's indices onto the whole file's. A row without a usable time, device, thread or
 * launch id is skipped and counted (the warnings say how many).
 */
import { ChunkedTable, chunkBuffers, type ColumnKind } from './columns.js';
import { ColumnReader, type ColumnPage, type ColumnSpec } from './columnar.js';
import { GRAPH_TABLE, graphTraceSpec } from './graphs.js';
import { KERNEL_TABLE, kernelSpec, MEMCPY_TABLE, memcpySpec, MEMSET_TABLE, memsetSpec } from './gpuOps.js';
import { MIN_HOST_CALL_NS, OSRT_TABLE, osrtSpec } from './hostCalls.js';
import { RUNTIME_TABLE, runtimeQuery } from './launches.js';
import { NVTX_TABLE, nvtxRangeSpec } from './nvtx.js';
import type { Db } from './open.js';
import { forEachPage, rowidSpan, shardOf, type RowidRange } from './scan.js';
import type { Schema } from './schema.js';

export const OP_KERNEL = 0;
export const OP_MEMCPY = 1;
export const OP_MEMSET = 2;
/** A CUDA graph execution traced at graph level: the GPU was busy, the kernels inside are not in the trace. */
export const OP_GRAPH = 3;

/** The event tables, in the order they are read; the progress estimate covers them all. */
export const GPU_TABLES = [KERNEL_TABLE, MEMCPY_TABLE, MEMSET_TABLE, GRAPH_TABLE] as const;
export const EVENT_TABLES = [...GPU_TABLES, RUNTIME_TABLE, OSRT_TABLE, NVTX_TABLE] as const;

export const OP_COLUMNS = {
  start: 'f64', end: 'f64', device: 'index', stream: 'index', kind: 'u8', name: 'index', bytes: 'exact', fromGraph: 'u8',
  correlation: 'exact', process: 'index',
} as const satisfies Record<string, ColumnKind>;
export const LAUNCH_COLUMNS = { start: 'f64', thread: 'index', correlation: 'exact', api: 'index' } as const satisfies Record<string, ColumnKind>;
export const CALL_COLUMNS = { start: 'f64', end: 'f64', thread: 'index', name: 'index' } as const satisfies Record<string, ColumnKind>;
export const NVTX_COLUMNS = { start: 'f64', end: 'f64', thread: 'index', domain: 'index', text: 'index' } as const satisfies Record<string, ColumnKind>;

export type OpTable = ChunkedTable<keyof typeof OP_COLUMNS>;
export type LaunchTable = ChunkedTable<keyof typeof LAUNCH_COLUMNS>;
export type CallTable = ChunkedTable<keyof typeof CALL_COLUMNS>;
export type NvtxTable = ChunkedTable<keyof typeof NVTX_COLUMNS>;

/** What names an op: kernels by their StringIds ids, the others by kind and a number. */
export interface RawOpName {
  kind: number;
  /** Kernels: StringIds id of the short name; memcpy: copyKind; memset: 0; graph: graphId. */
  nameId: number;
  /** Kernels: StringIds id of the demangled name; -1 for the others. */
  longNameId: number;
}

/** What one reader read. Dictionary indices in the tables are into this shard's dictionaries. */
export interface Shard {
  /** One table per GPU table (GPU_TABLES order). */
  ops: OpTable[];
  launches: LaunchTable;
  /** CUDA API calls kept as host calls, of every thread (the launching threads are known only when all shards are in). */
  apiCalls: CallTable;
  /** OS runtime calls of MIN_HOST_CALL_NS or more, of every thread. */
  osrtCalls: CallTable;
  nvtx: NvtxTable;
  devices: number[];
  streams: number[];
  /** globalPids (ops' process). */
  pids: number[];
  /** globalTids (launches', host calls' and NVTX ranges' thread). */
  tids: number[];
  opNames: RawOpName[];
  /** StringIds ids of launch APIs (launches' api) and host calls' names. */
  nameIds: number[];
  domains: number[];
  /** NVTX texts: inline ones as strings, registered ones as their StringIds id. */
  texts: (string | number)[];
  skipped: { ops: number; launches: number; nvtx: number };
}

const BITS_F64 = new Float64Array(1);
const BITS_U32 = new Uint32Array(BITS_F64.buffer);

/**
 * Ids numbered as they come (devices, streams, processes, threads, names: a handful to thousands of
 * distinct values over millions of rows): an open-addressing hash of doubles in typed arrays, a few
 * nanoseconds a lookup and no object per entry. Never given NaN (callers default a missing id first).
 */
export class Dictionary {
  readonly values: number[] = [];
  /** The first few values, scanned before hashing: a file has a handful of devices and processes. */
  private readonly first = new Float64Array(8);
  private keys = new Float64Array(64);
  private slots = new Int32Array(64).fill(-1);
  private mask = 63;

  /** The double's bits, mixed (`v | 0` would take a slow path for ids beyond 2^31, a globalTid's size). */
  private static hash(v: number): number {
    BITS_F64[0] = v;
    const h = Math.imul(BITS_U32[0]! ^ Math.imul(BITS_U32[1]!, 0x9e3779b1), 0x85ebca6b);
    return h ^ (h >>> 15);
  }

  of(id: number): number {
    const n = this.values.length < 8 ? this.values.length : 8;
    const first = this.first;
    for (let j = 0; j < n; j++) if (first[j] === id) return j;
    const keys = this.keys;
    const slots = this.slots;
    let i = Dictionary.hash(id) & this.mask;
    for (;;) {
      const k = slots[i]!;
      if (k < 0) break;
      if (keys[i] === id) return k;
      i = (i + 1) & this.mask;
    }
    const k = this.values.length;
    this.values.push(id);
    if (k < 8) first[k] = id;
    keys[i] = id;
    slots[i] = k;
    if (2 * this.values.length > this.mask) this.grow();
    return k;
  }

  private grow(): void {
    const size = 2 * (this.mask + 1);
    this.keys = new Float64Array(size);
    this.slots = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    this.values.forEach((v, k) => {
      let i = Dictionary.hash(v) & this.mask;
      while (this.slots[i]! >= 0) i = (i + 1) & this.mask;
      this.keys[i] = v;
      this.slots[i] = k;
    });
  }
}

/** Op names numbered as they come: kernels by demangled-name id (checked against the short-name id). */
export class OpNameNumbering {
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

/** A time as stored, or NaN when it is no number or beyond 2^53 ns (104 days: no capture, and past exact doubles). */
const time = (v: number): number => (Math.abs(v) <= Number.MAX_SAFE_INTEGER ? v : NaN);
/** A number, or `fallback` for NaN (the file held no number there). */
const num = (v: number, fallback: number): number => (v === v ? v : fallback);

export interface ShardOptions {
  /** Which shard, of how many. */
  k: number;
  of: number;
  /** Told after every page: rows (rowids) scanned so far in this shard, over all tables. Throwing stops the read. */
  onRows?: (rows: number) => void;
}

/** Rows of page scratch, grown as pages need. */
class Scratch<K extends string> {
  cols = {} as Record<K, Float64Array>;
  constructor(private readonly keys: readonly K[]) {
    this.grow(4096);
  }
  grow(n: number): Record<K, Float64Array> {
    if ((this.cols[this.keys[0]!]?.length ?? 0) < n) for (const k of this.keys) this.cols[k] = new Float64Array(Math.max(n, 4096));
    return this.cols;
  }
}

/** The ids a shard numbers as it meets them: its columns hold indices into these. */
export interface ShardIds {
  devices: Dictionary;
  streams: Dictionary;
  pids: Dictionary;
  tids: Dictionary;
  nameIds: Dictionary;
  domains: Dictionary;
  names: OpNameNumbering;
}

export function shardIds(): ShardIds {
  return {
    devices: new Dictionary(), streams: new Dictionary(), pids: new Dictionary(), tids: new Dictionary(), nameIds: new Dictionary(),
    domains: new Dictionary(), names: new OpNameNumbering(),
  };
}

/** Rows skipped for want of a usable time, device, thread or launch id. */
export type Skipped = Shard['skipped'];

/** Reads this shard of `table` page by page (nothing when `spec` is null: the table or a column is missing). */
export type Scan = (table: string, spec: ColumnSpec | null, ingest: (p: ColumnPage) => void) => void;

/** A Scan of shard o.k of o.of of each table, telling o.onRows the rows scanned so far over all tables it read. */
export function shardScanner(db: Db, o: ShardOptions): Scan {
  let behind = 0;
  return (table, spec, ingest) => {
    if (!spec) return;
    const range: RowidRange = shardOf(rowidSpan(db, table), o.k, o.of);
    const reader = new ColumnReader(db, spec);
    const base = behind;
    forEachPage(db, table, range, (lo, hi) => {
      const p = reader.read(lo, hi);
      if (p) ingest(p);
      return p !== null;
    }, (n) => o.onRows?.((behind = base + n)));
  };
}

/**
 * Stage 1: the GPU tables, one OpTable each (GPU_TABLES order). Columns 0-5 are the same in each: start,
 * end, deviceId, streamId, correlationId, globalPid. A row without a usable start, end or device places
 * nothing on a timeline: skipped and counted. A device id is kept exact: one that is not an integer below
 * 2^53 names no device.
 */
export function readGpuOps(scan: Scan, s: Schema, ids: ShardIds, skipped: Skipped): OpTable[] {
  const { devices, streams, pids, names } = ids;
  const opScratch = new Scratch(Object.keys(OP_COLUMNS) as (keyof typeof OP_COLUMNS)[]);
  const ops = GPU_TABLES.map(() => new ChunkedTable(OP_COLUMNS));
  const gpuTable = (t: number, table: string, spec: ColumnSpec | null, name: (c: Float64Array[], i: number) => number, bytes: number) => {
    const kind = t; // GPU_TABLES order is OP_KERNEL, OP_MEMCPY, OP_MEMSET, OP_GRAPH
    scan(table, spec, (p) => {
      const c = p.num;
      const out = opScratch.grow(p.n);
      const [c0, c1, c2, c3, c4, c5] = c as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
      let m = 0;
      for (let i = 0; i < p.n; i++) {
        const t0 = time(c0[i]!), t1 = time(c1[i]!), dev = c2[i]!;
        if (t0 !== t0 || t1 !== t1 || !Number.isSafeInteger(dev)) { skipped.ops++; continue; }
        out.start[m] = t0; out.end[m] = t1; out.device[m] = devices.of(dev); out.stream[m] = streams.of(num(c3[i]!, 0));
        out.correlation[m] = num(c4[i]!, 0); out.process[m] = pids.of(num(c5[i]!, 0)); out.kind[m] = kind;
        out.name[m] = name(c, i);
        out.bytes[m] = bytes >= 0 ? num(c[bytes]![i]!, 0) : 0;
        out.fromGraph[m] = kind === OP_KERNEL && Number.isFinite(c[8]![i]!) ? 1 : 0;
        m++;
      }
      ops[t]!.append(out, m);
    });
  };
  gpuTable(0, KERNEL_TABLE, kernelSpec(s), (c, i) => names.kernel(num(c[6]![i]!, -1), num(c[7]![i]!, -1)), -1);
  gpuTable(1, MEMCPY_TABLE, memcpySpec(s), (c, i) => names.other(OP_MEMCPY, num(c[7]![i]!, -1)), 6);
  gpuTable(2, MEMSET_TABLE, memsetSpec(s), () => names.other(OP_MEMSET, 0), 6);
  gpuTable(3, GRAPH_TABLE, graphTraceSpec(s), (c, i) => names.other(OP_GRAPH, num(c[6]![i]!, -1)), -1);
  return ops;
}

/**
 * Stage 2: CUDA API calls: launches (a launch API with a correlation id) and host calls (long, or kept by
 * name) from the one pass. A launch without a usable time, thread or correlation id is skipped and counted;
 * such a host call is left out (it explains nothing).
 */
export function readRuntimeCalls(db: Db, s: Schema, scan: Scan, ids: ShardIds, skipped: Skipped): { launches: LaunchTable; apiCalls: CallTable } {
  const { nameIds, tids } = ids;
  const launches = new ChunkedTable(LAUNCH_COLUMNS);
  const apiCalls = new ChunkedTable(CALL_COLUMNS);
  const rt = runtimeQuery(db, s);
  if (rt) {
    const flags = new Map<number, number>();
    for (const id of rt.launchIds) flags.set(id, 1);
    for (const id of rt.keptIds) flags.set(id, (flags.get(id) ?? 0) | 2);
    // Flags per entry of `nameIds`, looked up through that dictionary of the few names met (not a Map per row).
    const flagList: number[] = [];
    const L = new Scratch(Object.keys(LAUNCH_COLUMNS) as (keyof typeof LAUNCH_COLUMNS)[]);
    const H = new Scratch(Object.keys(CALL_COLUMNS) as (keyof typeof CALL_COLUMNS)[]);
    scan(RUNTIME_TABLE, rt.spec, (p) => {
      const [c0, c1, c2, c3, c4] = p.num as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
      const lo = L.grow(p.n), ho = H.grow(p.n);
      let li = 0, hi = 0;
      for (let i = 0; i < p.n; i++) {
        const name = c4[i]!;
        if (name !== name) continue;
        const api = nameIds.of(name);
        while (flagList.length <= api) flagList.push(flags.get(nameIds.values[flagList.length]!) ?? 0);
        const f = flagList[api]!;
        const s0 = c0[i]!, s1 = c1[i]!, corr = c3[i]!;
        const launch = (f & 1) !== 0 && corr !== 0;
        const host = (f & 2) !== 0 || s1 - s0 >= MIN_HOST_CALL_NS;
        if (!launch && !host) continue;
        const t0 = time(s0), t1 = time(s1), tid = c2[i]!;
        const usable = t0 === t0 && t1 === t1 && tid === tid;
        if (launch && !(usable && corr === corr)) skipped.launches++;
        if (!usable) continue;
        const thread = tids.of(tid);
        if (launch && corr === corr) {
          lo.start[li] = t0; lo.thread[li] = thread; lo.correlation[li] = corr; lo.api[li] = api;
          li++;
        }
        if (host) {
          ho.start[hi] = t0; ho.end[hi] = t1; ho.thread[hi] = thread; ho.name[hi] = api;
          hi++;
        }
      }
      launches.append(lo, li);
      apiCalls.append(ho, hi);
    });
  }
  return { launches, apiCalls };
}

/** Stage 3: OS runtime calls (the spec keeps those of MIN_HOST_CALL_NS or more); a call without a usable time, thread or name is left out. */
export function readOsrtCalls(scan: Scan, s: Schema, ids: ShardIds): CallTable {
  const { tids, nameIds } = ids;
  const osrtCalls = new ChunkedTable(CALL_COLUMNS);
  const O = new Scratch(Object.keys(CALL_COLUMNS) as (keyof typeof CALL_COLUMNS)[]);
  scan(OSRT_TABLE, osrtSpec(s), (p) => {
    const [c0, c1, c2, c3] = p.num as [Float64Array, Float64Array, Float64Array, Float64Array];
    const out = O.grow(p.n);
    let m = 0;
    for (let i = 0; i < p.n; i++) {
      const t0 = time(c0[i]!), t1 = time(c1[i]!), tid = c2[i]!, name = c3[i]!;
      if (t0 !== t0 || t1 !== t1 || tid !== tid || name !== name) continue;
      out.start[m] = t0; out.end[m] = t1; out.thread[m] = tids.of(tid); out.name[m] = nameIds.of(name);
      m++;
    }
    osrtCalls.append(out, m);
  });
  return osrtCalls;
}

/**
 * Stage 4: NVTX ranges; texts are numbered (inline texts by value, registered ones by StringIds id). A range
 * without a usable start is skipped and counted; one without a usable end is open (NaN).
 */
export function readNvtxRanges(scan: Scan, s: Schema, ids: ShardIds, skipped: Skipped): { nvtx: NvtxTable; texts: (string | number)[] } {
  const { tids, domains } = ids;
  const nvtx = new ChunkedTable(NVTX_COLUMNS);
  const texts: (string | number)[] = [];
  const byText = new Map<string, number>();
  const byId = new Map<number, number>();
  const N = new Scratch(Object.keys(NVTX_COLUMNS) as (keyof typeof NVTX_COLUMNS)[]);
  scan(NVTX_TABLE, nvtxRangeSpec(s), (p) => {
    const [c0, c1, c2, c3, c4] = p.num as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
    const inline = p.text;
    const out = N.grow(p.n);
    let m = 0;
    for (let i = 0; i < p.n; i++) {
      const t0 = time(c0[i]!);
      if (t0 !== t0) { skipped.nvtx++; continue; }
      let ti: number | undefined;
      const id = c4[i]!;
      if (id === id) {
        ti = byId.get(id);
        if (ti === undefined) { ti = texts.length; texts.push(id); byId.set(id, ti); }
      } else {
        const text = inline ? inline[i]! : '';
        ti = byText.get(text);
        if (ti === undefined) {
          // A copy: the page's values are slices of one long string, which a kept slice would keep alive.
          const own = (' ' + text).slice(1);
          ti = texts.length; texts.push(own); byText.set(own, ti);
        }
      }
      const t1 = time(c1[i]!);
      out.start[m] = t0; out.end[m] = t1 === t1 && t1 >= 0 ? t1 : NaN; out.thread[m] = tids.of(num(c2[i]!, 0));
      out.domain[m] = domains.of(num(c3[i]!, 0)); out.text[m] = ti;
      m++;
    }
    nvtx.append(out, m);
  });
  return { nvtx, texts };
}

/** Shard o.k of o.of of the export: GPU ops → CUDA API calls → OS runtime calls → NVTX ranges, with the ids they met. */
export function readShard(db: Db, s: Schema, o: ShardOptions): Shard {
  const ids = shardIds();
  const skipped: Skipped = { ops: 0, launches: 0, nvtx: 0 };
  const scan = shardScanner(db, o);
  const ops = readGpuOps(scan, s, ids, skipped);
  const { launches, apiCalls } = readRuntimeCalls(db, s, scan, ids, skipped);
  const osrtCalls = readOsrtCalls(scan, s, ids);
  const { nvtx, texts } = readNvtxRanges(scan, s, ids, skipped);
  return {
    ops, launches, apiCalls, osrtCalls, nvtx,
    devices: ids.devices.values, streams: ids.streams.values, pids: ids.pids.values, tids: ids.tids.values, opNames: ids.names.list,
    nameIds: ids.nameIds.values, domains: ids.domains.values, texts, skipped,
  };
}

/** The buffers of a shard's columns: what a worker transfers instead of copying. */
export function shardBuffers(sh: Shard): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const t of [...sh.ops, sh.launches, sh.apiCalls, sh.osrtCalls, sh.nvtx]) chunkBuffers(t as never, out);
  return [...out];
}
