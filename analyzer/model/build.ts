/**
 * Builds the trace model from what readers hand over (input.ts): puts every file on one clock, joins each
 * GPU op to the API call that launched it (correlation id *and* process: ids repeat across the processes
 * of a multi-rank capture), numbers devices, processes, threads and names across files, and sorts
 * everything by time.
 *
 * A production trace has tens of millions of rows, so this works column by column on typed arrays: a
 * single file's columns are used as they are (moved, not copied, when no index changes), several files'
 * are concatenated, ids are mapped through small per-file tables, and sorting merges the runs a capture
 * already holds in order. The peak is the model plus one column, not the input and the model side by side.
 */
import { NumericIndex } from '../util/numericIndex.js';
import { U32Map } from '../util/u32Map.js';
import { argsort, isIdentity, lowerBound, permuteInPlace } from '../util/sort.js';
import { OpKind, type Indices, type OpName, type TraceInput } from './input.js';
import type { Communicator, Device, GpuOps, GraphCaptures, HostCalls, NcclCalls, NvtxRanges, Process, Signed, Thread, TraceModel } from './types.js';

const CORR_SHIFT = 4294967296; // join key = process index * 2^32 + correlation id

class Interner<K> {
  readonly list: K[] = [];
  private readonly map = new Map<string, number>();
  get(key: string, make: () => K): number {
    let i = this.map.get(key);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(make());
      this.map.set(key, i);
    }
    return i;
  }
}

type Typed = Float64Array | Uint32Array | Int32Array | Uint16Array | Int16Array | Uint8Array | Int8Array;
type Ctor = new (n: number) => Typed;

/** The narrowest array for indices up to `max`. */
export function indexArray(n: number, max: number): Indices {
  return max <= 255 ? new Uint8Array(n) : max <= 65535 ? new Uint16Array(n) : new Int32Array(n);
}

/** The narrowest array for indices up to `max` and -1. */
export function signedIndexArray(n: number, max: number): Signed {
  return max <= 127 ? new Int8Array(n) : max <= 32767 ? new Int16Array(n) : new Int32Array(n);
}

const RANK = ['Uint8Array', 'Int8Array', 'Uint16Array', 'Int16Array', 'Int32Array', 'Uint32Array', 'Float64Array'];

/**
 * One column of every file, end to end: the file's own array when there is one file, else a new one of the
 * widest of the files' types. `drop` clears the inputs' references, so each input column is freed once used.
 */
function take<T extends Typed>(parts: T[], drop: () => void): T {
  if (parts.length === 1) {
    drop();
    return parts[0]!;
  }
  let n = 0;
  let ctor = parts[0]!.constructor as Ctor;
  for (const p of parts) {
    n += p.length;
    if (RANK.indexOf(p.constructor.name) > RANK.indexOf(ctor.name)) ctor = p.constructor as Ctor;
  }
  const out = new ctor(n) as T;
  let k = 0;
  for (const p of parts) {
    out.set(p, k);
    k += p.length;
  }
  drop();
  return out;
}

/**
 * Index columns of every file through per-file maps (file index → model index), into one column as narrow
 * as `max` allows; a single file's own column when the map changes nothing and its type is wide enough.
 */
function mapped(parts: Indices[], maps: Int32Array[], max: number, drop: () => void): Indices {
  if (parts.length === 1) {
    const p = parts[0]!;
    const m = maps[0]!;
    let identity = true;
    for (let i = 0; i < m.length && identity; i++) if (m[i] !== i && m[i] !== -1) identity = false;
    if (identity) {
      drop();
      return p;
    }
  }
  let n = 0;
  for (const p of parts) n += p.length;
  const out = indexArray(n, max);
  let k = 0;
  parts.forEach((p, f) => {
    const m = maps[f]!;
    for (let i = 0; i < p.length; i++) out[k++] = m[p[i]!]!;
  });
  drop();
  return out;
}

const NO_F64 = new Float64Array(0);
const NO_U8 = new Uint8Array(0);

/** Adds each file's clock offset to its rows [bases[f], bases[f+1]) of `col`. */
function addOffsets(col: Float64Array, bases: number[], offsets: number[]): void {
  offsets.forEach((off, f) => {
    if (off === 0) return;
    for (let i = bases[f]!; i < bases[f + 1]!; i++) col[i] = col[i]! + off;
  });
}

function prefixSums(counts: number[]): number[] {
  const out = [0];
  for (const c of counts) out.push(out[out.length - 1]! + c);
  return out;
}

/**
 * The trace model of one or several captures. Consumes the inputs: their typed columns move into the
 * model, and the inputs are left with empty columns.
 */
export function buildModel(inputs: TraceInput[]): TraceModel {
  const warnings: string[] = [];
  const starts = inputs.map((r) => r.meta.sessionStartUtcNs);
  const known = starts.every((s) => s !== null);
  const base = known ? Math.min(...(starts as number[])) : 0;
  if (inputs.length > 1 && !known) warnings.push('some files do not record their session start time: their clocks are not aligned');
  const offsets = inputs.map((r) => (known ? r.meta.sessionStartUtcNs! - base : 0));

  const processes = new Interner<Process>();
  const threads = new Interner<Thread>();
  const devices = new Interner<Device>();
  const apiNames = new Interner<string>();

  const processOf = (file: number, p: number): number => {
    const x = inputs[file]!.processes[p]!;
    return processes.get(`${file}:${p}`, () => ({ index: processes.list.length, file, globalPid: x.id, pid: x.pid, name: x.name }));
  };
  const threadOf = (file: number, t: number): number => {
    const x = inputs[file]!.threads[t]!;
    return threads.get(`${file}:${t}`, () => ({ index: threads.list.length, process: processOf(file, x.process), globalTid: x.id, name: x.name }));
  };
  /** Model thread of each file's threads, made on first use (in row order: the order threads are numbered in). */
  const threadMaps = inputs.map((r) => new Int32Array(r.threads.length).fill(-1));
  const meetThreads = (f: number, col: Indices): void => {
    const map = threadMaps[f]!;
    for (let i = 0; i < col.length; i++) {
      const t = col[i]!;
      if (map[t]! < 0) map[t] = threadOf(f, t);
    }
  };
  const threadColumn = (cols: Indices[], drop: () => void): Indices => {
    cols.forEach((c, f) => meetThreads(f, c));
    return mapped(cols, threadMaps, threads.list.length - 1, drop);
  };

  // Devices first, in (file, device id) order, so their indices read naturally.
  const deviceKeys: [number, number][] = [];
  inputs.forEach((r, f) => {
    for (const id of [...r.deviceIds].sort((a, b) => a - b)) deviceKeys.push([f, id]);
  });
  const idsRepeat = new Set(deviceKeys.map(([, d]) => d)).size < deviceKeys.length;
  for (const [f, id] of deviceKeys) {
    devices.get(`${f}:${id}`, () => ({
      index: devices.list.length, deviceId: id, file: f,
      label: idsRepeat ? `f${f}:GPU ${id}` : `GPU ${id}`,
      gpu: inputs[f]!.gpus.find((g) => g.deviceId === id) ?? null,
    }));
  }

  // Launches: their threads and API names numbered in row order, file by file. Each op takes its launch's
  // start, thread and API (the first of duplicate ids wins); then they are dropped.
  inputs.forEach((r, f) => meetThreads(f, r.launches.thread));
  const apiMaps = inputs.map((r, f) => {
    const map = new Int32Array(r.apiNames.length).fill(-1);
    const col = r.launches.api;
    for (let i = 0; i < col.length; i++) {
      const a = col[i]!;
      if (map[a]! < 0) map[a] = apiNames.get(`${f}:${a}`, () => r.apiNames[a]!);
    }
    return map;
  });

  const { names: opNames, ...ops } = buildOps(inputs, offsets, {
    devices, processOf, threadMaps, apiMaps, warnings,
    nThreads: threads.list.length, nApis: apiNames.list.length, processOfThread: (t) => threads.list[t]!.process,
    nProcesses: () => processes.list.length, offsets,
  });

  const nvtx = buildNvtx(inputs, offsets, threadColumn, warnings);

  const { ncclCalls, communicators } = buildNccl(inputs, offsets, threadOf, (f, cudaDevice) => {
    const d = devices.list.find((x) => x.file === f && x.deviceId === cudaDevice);
    return d ? d.index : -1;
  });
  const hostCalls = buildHostCalls(inputs, offsets, threadColumn);
  const graphCaptures = buildGraphCaptures(inputs, offsets, ops, threadOf, (f, id) => devices.list.findIndex((x) => x.file === f && x.deviceId === id));

  for (const r of inputs) warnings.push(...r.warnings);
  return {
    files: inputs.map((r, f) => ({ path: r.path, meta: r.meta, offsetNs: offsets[f]! })),
    devices: devices.list,
    processes: processes.list,
    threads: threads.list,
    ops,
    opNames,
    apiNames: apiNames.list,
    nvtx,
    ncclCalls,
    graphCaptures,
    communicators,
    hostCalls,
    warnings,
  };
}

interface OpContext {
  devices: Interner<Device>;
  processOf: (file: number, p: number) => number;
  /** Per file, model thread of each of the file's threads (-1: not met). */
  threadMaps: Int32Array[];
  /** Per file, model API name of each of the file's API names. */
  apiMaps: Int32Array[];
  nThreads: number;
  nApis: number;
  nProcesses: () => number;
  offsets: number[];
  processOfThread: (t: number) => number;
  warnings: string[];
}

/** GPU ops of all files: on one clock, with their devices, names, processes and launches; sorted by start. */
function buildOps(inputs: TraceInput[], offsets: number[], ctx: OpContext): GpuOps & { names: OpName[] } {
  const bases = prefixSums(inputs.map((r) => r.ops.n));
  const n = bases[inputs.length]!;
  const start = take(inputs.map((r) => r.ops.start), () => inputs.forEach((r) => (r.ops.start = NO_F64)));
  const end = take(inputs.map((r) => r.ops.end), () => inputs.forEach((r) => (r.ops.end = NO_F64)));
  let badTimes = 0;
  inputs.forEach((_r, f) => {
    const off = offsets[f]!;
    for (let i = bases[f]!; i < bases[f + 1]!; i++) {
      const s = start[i]!;
      let e = end[i]!;
      if (!(e >= s)) {
        badTimes++;
        e = s;
      }
      start[i] = s + off;
      end[i] = e + off;
    }
  });
  if (badTimes) ctx.warnings.push(`${badTimes} GPU operations end before they start; treated as zero-length`);

  const deviceMaps = inputs.map((r, f) => Int32Array.from(r.deviceIds, (id) => ctx.devices.get(`${f}:${id}`, () => { throw new Error('unreachable'); })));
  const device = mapped(inputs.map((r) => r.ops.device), deviceMaps, ctx.devices.list.length - 1, () => inputs.forEach((r) => (r.ops.device = NO_U8)));

  // Names: each file's in its list's order; kernels are told apart per file (as the file numbers them),
  // other ops by what they are ('[CUDA memcpy HtoD]' is one name across files).
  const names = new Interner<OpName>();
  const nameMaps = inputs.map((r) => Int32Array.from(r.opNames, (o, i) => names.get(o.kind === OpKind.kernel ? `k:${r.path}:${i}` : `m:${o.short}`, () => ({ ...o }))));
  const name = mapped(inputs.map((r) => r.ops.name), nameMaps, names.list.length - 1, () => inputs.forEach((r) => (r.ops.name = NO_U8)));
  // Processes in the order the ops meet them (after the launching threads' own, numbered already).
  const procMaps = inputs.map((r, f) => {
    const map = new Int32Array(r.processes.length).fill(-1);
    const col = r.ops.process;
    for (let i = 0; i < col.length; i++) {
      const p = col[i]!;
      if (map[p]! < 0) map[p] = ctx.processOf(f, p);
    }
    return map;
  });
  const process = mapped(inputs.map((r) => r.ops.process), procMaps, ctx.nProcesses() - 1, () => inputs.forEach((r) => (r.ops.process = NO_U8)));

  const kind = take(inputs.map((r) => r.ops.kind), () => inputs.forEach((r) => (r.ops.kind = NO_U8)));
  const correlation = take(inputs.map((r) => r.ops.correlation), () => inputs.forEach((r) => (r.ops.correlation = NO_F64)));
  const { launchStart, thread, launchApi } = joinLaunches(inputs, bases, process, correlation, ctx);
  const stream = take(inputs.map((r) => r.ops.stream), () => inputs.forEach((r) => (r.ops.stream = NO_F64)));
  const bytes = take(inputs.map((r) => r.ops.bytes), () => inputs.forEach((r) => (r.ops.bytes = NO_F64)));
  const fromGraph = take(inputs.map((r) => r.ops.fromGraph), () => inputs.forEach((r) => (r.ops.fromGraph = NO_U8)));
  inputs.forEach((r) => (r.ops.n = 0));

  const order = argsort(start);
  const cols = { start, end, device, stream, kind, name, bytes, fromGraph, correlation, process, launchStart, thread, launchApi };
  if (!isIdentity(order)) permuteInPlace(Object.values(cols), order);
  return { n, ...cols, names: names.list };
}

/**
 * Per op: start, thread and API of the call that launched it (NaN / -1 when the launch is not in the
 * trace), file by file (a process is one file's). Correlation ids are per process, so the join is one
 * uint32 hash per process; ids that are not uint32 (never seen from CUPTI) fall back to one hash on
 * (process, id).
 */
function joinLaunches(inputs: TraceInput[], bases: number[], process: Indices, correlation: Float64Array | Uint32Array, ctx: OpContext) {
  const n = process.length;
  const launchStart = new Float64Array(n);
  const thread = signedIndexArray(n, ctx.nThreads - 1);
  const launchApi = signedIndexArray(n, ctx.nApis - 1);
  let unlaunched = 0;
  let nl = 0;
  inputs.forEach((r, f) => {
    const L = r.launches;
    nl += L.n;
    const tmap = ctx.threadMaps[f]!;
    // Model process of each of the file's threads that launch.
    const tproc = new Int32Array(r.threads.length).fill(-1);
    for (let t = 0; t < tproc.length; t++) if (tmap[t]! >= 0) tproc[t] = ctx.processOfThread(tmap[t]!);
    const rows = sortedRows(L, tproc, process, correlation, bases[f]!, bases[f + 1]!, ctx.nProcesses())
      ?? (U32Map.fitsAll(L.correlation, L.n)
        ? u32Rows(L, tproc, process, correlation, bases[f]!, bases[f + 1]!, ctx.nProcesses())
        : numericRows(L, tproc, process, correlation, bases[f]!, bases[f + 1]!));
    unlaunched += fill(rows, bases[f]!, L, tmap, ctx.apiMaps[f]!, ctx.offsets[f]!, launchStart, thread, launchApi);
    r.launches = { n: 0, start: NO_F64, thread: NO_U8, correlation: NO_F64, api: NO_U8 };
  });
  if (unlaunched && nl > 0) ctx.warnings.push(`${unlaunched} of ${n} GPU operations have no launching API call in the trace (launched before the capture started, or not traced)`);
  return { launchStart, thread, launchApi };
}

/**
 * Launch row of ops [lo, hi) (-1: none) when each process's launches come in increasing correlation id
 * (a capture numbers API calls as they are made and lists them in time order: the usual case), else null.
 * Each op's id is looked up in its process's ids by a search that starts where the previous op of the
 * process found its own: ops run in about the order they were launched, so a lookup touches memory next to
 * the last one, where a hash lookup misses the cache for every op.
 */
function sortedRows(L: TraceInput['launches'], tproc: Int32Array, process: Indices, correlation: Float64Array | Uint32Array, lo: number, hi: number, nProcesses: number): Int32Array | null {
  const counts = new Int32Array(nProcesses + 1);
  for (let i = 0; i < L.n; i++) counts[tproc[L.thread[i]!]! + 1]!++;
  for (let p = 1; p <= nProcesses; p++) counts[p]! += counts[p - 1]!;
  // Per process, its launches' ids and rows, side by side in one array each: process p owns [counts[p], counts[p+1]).
  const ids = new Float64Array(L.n);
  const rowOf = new Int32Array(L.n);
  const at = counts.slice(0, nProcesses);
  for (let i = 0; i < L.n; i++) {
    const p = tproc[L.thread[i]!]!;
    const k = at[p]!++;
    const id = L.correlation[i]!;
    if (k > counts[p]! && !(id >= ids[k - 1]!)) return null;
    ids[k] = id;
    rowOf[k] = i;
  }
  const hint = counts.slice(0, nProcesses);
  const out = new Int32Array(hi - lo);
  for (let i = lo; i < hi; i++) {
    const p = process[i]!;
    const corr = correlation[i]!;
    const first = counts[p]!;
    const end = counts[p + 1]!;
    if (!(corr > 0) || first === end) {
      out[i - lo] = -1;
      continue;
    }
    const k = gallop(ids, corr, first, end, hint[p]!);
    hint[p] = k < end ? k : end - 1;
    out[i - lo] = k < end && ids[k] === corr ? rowOf[k]! : -1;
  }
  return out;
}

/** First k in [lo, hi) with a[k] >= x (a sorted), searched outwards from `from`. */
function gallop(a: Float64Array, x: number, lo: number, hi: number, from: number): number {
  let l: number, h: number;
  if (a[from]! < x) {
    // Forwards: a[from] < x; find h with a[h] >= x (or hi).
    let step = 1;
    l = from + 1;
    h = from + 1;
    while (h < hi && a[h]! < x) {
      l = h + 1;
      h = from + (step *= 2);
    }
    if (h > hi) h = hi;
  } else {
    // Backwards: a[from] >= x; find l with a[l - 1] < x (or lo).
    let step = 1;
    h = from;
    l = from - 1;
    while (l >= lo && a[l]! >= x) {
      h = l;
      l = from - (step *= 2);
    }
    l = l < lo ? lo : l + 1;
  }
  while (l < h) {
    const mid = (l + h) >>> 1;
    if (a[mid]! < x) l = mid + 1;
    else h = mid;
  }
  return l;
}

/** Launch row of ops [lo, hi) (-1: none), through one uint32 hash per process. */
function u32Rows(L: TraceInput['launches'], tproc: Int32Array, process: Indices, correlation: Float64Array | Uint32Array, lo: number, hi: number, nProcesses: number): Int32Array {
  const counts = new Int32Array(nProcesses);
  for (let i = 0; i < L.n; i++) counts[tproc[L.thread[i]!]!]!++;
  const maps = Array.from(counts, (c) => new U32Map(c));
  for (let i = 0; i < L.n; i++) maps[tproc[L.thread[i]!]!]!.set(L.correlation[i]!, i);
  const out = new Int32Array(hi - lo);
  for (let i = lo; i < hi; i++) {
    const corr = correlation[i]!;
    out[i - lo] = U32Map.fits(corr) ? maps[process[i]!]!.get(corr) : -1;
  }
  return out;
}

/** As u32Rows, for ids that are not all uint32 (never seen from CUPTI): one hash on (process, id). */
function numericRows(L: TraceInput['launches'], tproc: Int32Array, process: Indices, correlation: Float64Array | Uint32Array, lo: number, hi: number): Int32Array {
  const index = new NumericIndex(L.n);
  for (let i = 0; i < L.n; i++) index.set(tproc[L.thread[i]!]! * CORR_SHIFT + L.correlation[i]!, i);
  const out = new Int32Array(hi - lo);
  for (let i = lo; i < hi; i++) {
    const corr = correlation[i]!;
    out[i - lo] = corr > 0 ? index.get(process[i]! * CORR_SHIFT + corr) : -1;
  }
  return out;
}

/** Each op's launch start (on the model's clock), thread and API from its launch row; returns the ops without one. */
function fill(
  rows: Int32Array, lo: number, L: TraceInput['launches'], tmap: Int32Array, amap: Int32Array, off: number,
  launchStart: Float64Array, thread: Signed, launchApi: Signed,
): number {
  let none = 0;
  for (let k = 0; k < rows.length; k++) {
    const li = rows[k]!;
    const i = lo + k;
    if (li >= 0) {
      launchStart[i] = L.start[li]! + off;
      thread[i] = tmap[L.thread[li]!]!;
      launchApi[i] = amap[L.api[li]!]!;
    } else {
      launchStart[i] = NaN;
      thread[i] = -1;
      launchApi[i] = -1;
      none++;
    }
  }
  return none;
}

/** Each capture row's op: the graph-replayed op that starts then on that device. */
function buildGraphCaptures(
  inputs: TraceInput[], offsets: number[], ops: GpuOps, threadOf: (f: number, t: number) => number, deviceOf: (f: number, id: number) => number,
): GraphCaptures {
  const rows: { op: number; thread: number; start: number }[] = [];
  inputs.forEach((r, f) => {
    for (const c of r.graphCaptures) {
      const d = deviceOf(f, r.deviceIds[c.device]!);
      const t = c.start + offsets[f]!;
      for (let k = lowerBound(ops.start, t); k < ops.n && ops.start[k] === t; k++) {
        if (ops.device[k] !== d || ops.fromGraph[k] !== 1) continue;
        rows.push({ op: k, thread: threadOf(f, c.thread), start: c.captureStart + offsets[f]! });
        break;
      }
    }
  });
  rows.sort((a, b) => a.op - b.op);
  return {
    n: rows.length,
    op: Int32Array.from(rows, (x) => x.op),
    thread: Int32Array.from(rows, (x) => x.thread),
    start: Float64Array.from(rows, (x) => x.start),
  };
}

function buildNccl(
  inputs: TraceInput[], offsets: number[], threadOf: (f: number, t: number) => number, deviceOf: (f: number, cudaDevice: number) => number,
): { ncclCalls: NcclCalls; communicators: Communicator[] } {
  const comms = new Interner<Communicator>();
  const commIndex = (id: string) => comms.get(id, () => ({ id, nranks: 0, devices: new Map() }));
  inputs.forEach((r, f) => {
    for (const init of r.ncclInits) {
      const c = comms.list[commIndex(init.comm)]!;
      c.nranks = Math.max(c.nranks, init.nranks);
      const d = deviceOf(f, init.cudaDevice);
      if (d >= 0) c.devices.set(init.rank, d);
    }
  });
  const rows = inputs.flatMap((r, f) => r.ncclCalls.map((c) => ({ c, f })));
  rows.sort((a, b) => a.c.start + offsets[a.f]! - (b.c.start + offsets[b.f]!));
  const names = new Interner<string>();
  const n = rows.length;
  const calls: NcclCalls = {
    n, start: new Float64Array(n), end: new Float64Array(n), thread: new Int32Array(n), name: new Int32Array(n), names: names.list,
    comm: new Int32Array(n), bytes: new Float64Array(n),
  };
  rows.forEach(({ c, f }, i) => {
    calls.start[i] = c.start + offsets[f]!;
    calls.end[i] = c.end + offsets[f]!;
    calls.thread[i] = threadOf(f, c.thread);
    calls.name[i] = names.get(c.name, () => c.name);
    calls.comm[i] = c.comm === null ? -1 : commIndex(c.comm);
    calls.bytes[i] = c.bytes ?? NaN;
  });
  return { ncclCalls: calls, communicators: comms.list };
}

type ThreadColumn = (cols: Indices[], drop: () => void) => Indices;

function buildHostCalls(inputs: TraceInput[], offsets: number[], threadColumn: ThreadColumn): HostCalls {
  const names = new Interner<string>();
  const bases = prefixSums(inputs.map((r) => r.hostCalls.n));
  const n = bases[inputs.length]!;
  const start = take(inputs.map((r) => r.hostCalls.start), () => inputs.forEach((r) => (r.hostCalls.start = NO_F64)));
  const end = take(inputs.map((r) => r.hostCalls.end), () => inputs.forEach((r) => (r.hostCalls.end = NO_F64)));
  addOffsets(start, bases, offsets);
  addOffsets(end, bases, offsets);
  const source = take(inputs.map((r) => r.hostCalls.source), () => inputs.forEach((r) => (r.hostCalls.source = NO_U8)));
  const thread = threadColumn(inputs.map((r) => r.hostCalls.thread), () => inputs.forEach((r) => (r.hostCalls.thread = NO_U8)));
  // Names by what they say, numbered in row order; renumbered below in time order.
  const nameMaps = inputs.map((r) => {
    const map = new Int32Array(r.hostCalls.names.length).fill(-1);
    const col = r.hostCalls.name;
    for (let i = 0; i < col.length; i++) {
      const a = col[i]!;
      if (map[a]! < 0) {
        const s = r.hostCalls.names[a]!;
        map[a] = names.get(s, () => s);
      }
    }
    return map;
  });
  const byRow = new Int32Array(n);
  inputs.forEach((r, f) => {
    const col = r.hostCalls.name;
    const map = nameMaps[f]!;
    for (let i = 0, k = bases[f]!; i < col.length; i++, k++) byRow[k] = map[col[i]!]!;
    r.hostCalls = { n: 0, start: NO_F64, end: NO_F64, thread: NO_U8, name: NO_U8, names: [], source: NO_U8 };
  });
  const order = argsort(start);
  if (!isIdentity(order)) permuteInPlace([start, end, thread, byRow, source], order);
  // Names numbered in time order, as a reader of the sorted calls meets them.
  const renumber = new Int32Array(names.list.length).fill(-1);
  const inOrder: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = byRow[i]!;
    if (renumber[a] === -1) {
      renumber[a] = inOrder.length;
      inOrder.push(names.list[a]!);
    }
  }
  const name = indexArray(n, inOrder.length - 1);
  for (let i = 0; i < n; i++) name[i] = renumber[byRow[i]!]!;
  return { n, start, end, thread, name, names: inOrder, source };
}

function buildNvtx(inputs: TraceInput[], offsets: number[], threadColumn: ThreadColumn, warnings: string[]): NvtxRanges {
  const bases = prefixSums(inputs.map((r) => r.nvtx.n));
  const domains = new Interner<string>();
  const texts = new Interner<string>();
  domains.get('', () => '');
  const start = take(inputs.map((r) => r.nvtx.start), () => inputs.forEach((r) => (r.nvtx.start = NO_F64)));
  const end = take(inputs.map((r) => r.nvtx.end), () => inputs.forEach((r) => (r.nvtx.end = NO_F64)));
  const thread = threadColumn(inputs.map((r) => r.nvtx.thread), () => inputs.forEach((r) => (r.nvtx.thread = NO_U8)));
  // Texts in each file's list order; domains in the order the ranges meet them, by name.
  const textMaps = inputs.map((r) => Int32Array.from(r.nvtx.texts, (t) => texts.get(t, () => t)));
  const domainMaps = inputs.map((r) => {
    const map = new Int32Array(r.nvtx.domains.length).fill(-1);
    const col = r.nvtx.domain;
    for (let i = 0; i < col.length; i++) {
      const d = col[i]!;
      if (map[d]! < 0) {
        const dn = r.nvtx.domains[d]!;
        map[d] = domains.get(dn, () => dn);
      }
    }
    return map;
  });
  let open = 0;
  inputs.forEach((_r, f) => {
    const off = offsets[f]!;
    for (let k = bases[f]!; k < bases[f + 1]!; k++) {
      start[k] = start[k]! + off;
      const e = end[k]!;
      if (e !== e) open++;
      else end[k] = e + off;
    }
  });
  const domain = mapped(inputs.map((r) => r.nvtx.domain), domainMaps, domains.list.length - 1, () => {});
  const text = mapped(inputs.map((r) => r.nvtx.text), textMaps, texts.list.length - 1, () => {});
  inputs.forEach((r) => (r.nvtx = { n: 0, start: NO_F64, end: NO_F64, thread: NO_U8, domain: NO_U8, domains: [], text: NO_U8, texts: [] }));
  if (open) warnings.push(`${open} NVTX ranges never ended (the capture stopped inside them); they are ignored`);
  const n = bases[inputs.length]!;
  const order = argsort(start);
  if (!isIdentity(order)) permuteInPlace([start, end, thread, domain, text], order);
  return { n, start, end, thread, domain, domains: domains.list, text, texts: texts.list };
}
