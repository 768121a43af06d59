/**
 * Builds the trace model from what the queries read: puts every file on one clock, joins each GPU op to the
 * API call that launched it (correlationId *and* process: ids repeat across the processes of a multi-rank
 * report), and sorts everything by time.
 *
 * A production trace has tens of millions of rows, so this works column by column on typed arrays: the raw
 * columns are moved into the model (a single file's arrays are used as they are, several files' are
 * concatenated) and dropped from the raw traces as soon as they are used, ids are mapped through small
 * caches instead of a string-keyed map per row, and sorting merges the runs nsys already wrote in order.
 * The peak is the model plus one column, not the raw trace and the model side by side.
 */
import { OP_GRAPH, OP_KERNEL, OP_MEMCPY, type RawOpName, type RawTrace } from '../../queries/raw.js';
import { FewKeys } from '../util/fewKeys.js';
import { NumericIndex } from '../util/numericIndex.js';
import { U32Map } from '../util/u32Map.js';
import { argsort, isIdentity, permuteInPlace } from '../util/sort.js';
import type { Communicator, Device, GpuOps, HostCalls, NcclCalls, NvtxRanges, OpName, Process, Thread, TraceModel } from './types.js';

const PID_SHIFT = 16777216; // globalTid = globalPid + OS tid (low 24 bits)
const CORR_SHIFT = 4294967296; // join key = process index * 2^32 + correlationId

const MEMCPY_KINDS: Record<number, string> = {
  1: 'HtoD', 2: 'DtoH', 3: 'HtoA', 4: 'AtoH', 5: 'AtoA', 6: 'AtoD', 7: 'DtoA', 8: 'DtoD', 9: 'HtoH', 10: 'PtoP',
  11: 'Unified HtoD', 12: 'Unified DtoH', 13: 'Unified DtoD',
};

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

type Typed = Float64Array | Int32Array | Uint8Array;

/**
 * One column of every file, end to end: the file's own array when there is one file, else a new one.
 * `drop` clears the raw traces' references, so each raw column is freed once it has been used.
 */
function take<T extends Typed>(parts: T[], drop: () => void): T {
  if (parts.length === 1) {
    drop();
    return parts[0]!;
  }
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new (parts[0]!.constructor as new (n: number) => T)(n);
  let k = 0;
  for (const p of parts) {
    out.set(p, k);
    k += p.length;
  }
  drop();
  return out;
}

const NO_F64 = new Float64Array(0);
const NO_I32 = new Int32Array(0);
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
 * The trace model of one or several exports. Consumes the raw traces: their typed columns move into the
 * model, and the raw traces are left with empty columns.
 */
export function buildModel(raws: RawTrace[]): TraceModel {
  const warnings: string[] = [];
  const starts = raws.map((r) => r.meta.sessionStartUtcNs);
  const known = starts.every((s) => s !== null);
  const base = known ? Math.min(...(starts as number[])) : 0;
  if (raws.length > 1 && !known) warnings.push('some files do not record their session start time: their clocks are not aligned');
  const offsets = raws.map((r) => (known ? r.meta.sessionStartUtcNs! - base : 0));

  const processes = new Interner<Process>();
  const threads = new Interner<Thread>();
  const devices = new Interner<Device>();
  const opNames = new Interner<OpName>();
  const apiNames = new Interner<string>();

  const processOf = (file: number, globalPid: number): number => {
    const raw = raws[file]!;
    return processes.get(`${file}:${globalPid}`, () => {
      const p = raw.processes.find((x) => x.globalPid === globalPid);
      return {
        index: processes.list.length, file, globalPid,
        pid: p?.pid ?? Math.floor(globalPid / PID_SHIFT) % PID_SHIFT, name: p?.name ?? '',
      };
    });
  };
  const threadNames = raws.map((r) => new Map(r.threadNames.map((t) => [t.globalTid, t.name])));
  const threadOf = (file: number, globalTid: number): number =>
    threads.get(`${file}:${globalTid}`, () => ({
      index: threads.list.length,
      process: processOf(file, globalTid - (globalTid % PID_SHIFT)),
      globalTid,
      name: threadNames[file]!.get(globalTid) ?? '',
    }));
  /** Model thread of each file's thread numbers (RawTrace.globalTids), made on first use, in row order. */
  const threadMaps = raws.map((r) => new Int32Array(r.globalTids.length).fill(-1));
  const mapThreads = (col: Int32Array, bases: number[]): void => {
    raws.forEach((r, f) => {
      const map = threadMaps[f]!;
      for (let i = bases[f]!; i < bases[f + 1]!; i++) {
        const raw = col[i]!;
        let t = map[raw]!;
        if (t < 0) map[raw] = t = threadOf(f, r.globalTids[raw]!);
        col[i] = t;
      }
    });
  };

  // Devices first, in (file, deviceId) order, so their indices read naturally.
  const deviceKeys: [number, number][] = [];
  raws.forEach((r, f) => {
    for (const id of distinctInts(r.ops.deviceId)) deviceKeys.push([f, id]);
  });
  const idsRepeat = new Set(deviceKeys.map(([, d]) => d)).size < deviceKeys.length;
  for (const [f, id] of deviceKeys) {
    devices.get(`${f}:${id}`, () => ({
      index: devices.list.length, deviceId: id, file: f,
      label: idsRepeat ? `f${f}:GPU ${id}` : `GPU ${id}`,
      gpu: raws[f]!.gpus.find((g) => g.deviceId === id) ?? null,
    }));
  }

  // Launches of all files, in file order: each op takes its launch's start, thread and API from them (the
  // first of duplicate ids wins); then they are dropped.
  const lBases = prefixSums(raws.map((r) => r.launches.n));
  const lThread = take(raws.map((r) => r.launches.thread), () => raws.forEach((r) => (r.launches.thread = NO_I32)));
  mapThreads(lThread, lBases);
  const lApi = take(raws.map((r) => r.launches.nameId), () => raws.forEach((r) => (r.launches.nameId = NO_I32)));
  raws.forEach((r, f) => {
    const cache = new Map<number, number>();
    for (let k = lBases[f]!; k < lBases[f + 1]!; k++) {
      const nameId = lApi[k]!;
      let a = cache.get(nameId);
      if (a === undefined) cache.set(nameId, (a = apiNames.get(String(nameId) + '@' + f, () => r.strings.get(nameId) ?? `api#${nameId}`)));
      lApi[k] = a;
    }
  });
  const lStart = take(raws.map((r) => r.launches.start), () => raws.forEach((r) => (r.launches.start = NO_F64)));
  addOffsets(lStart, lBases, offsets);
  const lCorr = take(raws.map((r) => r.launches.correlation), () => raws.forEach((r) => (r.launches.correlation = NO_F64)));
  raws.forEach((r) => (r.launches.n = 0));

  const ops = buildOps(raws, offsets, {
    devices, processOf, warnings,
    opName: (r, name) => opNameIndex(opNames, r, name.kind, name.nameId, name.longNameId),
    join: { start: lStart, thread: lThread, api: lApi, correlation: lCorr, processOfThread: (t) => threads.list[t]!.process },
  });

  const nvtx = buildNvtx(raws, offsets, mapThreads, warnings);

  const { ncclCalls, communicators } = buildNccl(raws, offsets, threadOf, (f, cudaDevice) => {
    const d = devices.list.find((x) => x.file === f && x.deviceId === cudaDevice);
    return d ? d.index : -1;
  });
  const hostCalls = buildHostCalls(raws, offsets, mapThreads);

  for (const r of raws) warnings.push(...r.warnings);
  return {
    files: raws.map((r, f) => ({ path: r.path, meta: r.meta, offsetNs: offsets[f]! })),
    devices: devices.list,
    processes: processes.list,
    threads: threads.list,
    ops,
    opNames: opNames.list,
    apiNames: apiNames.list,
    nvtx,
    ncclCalls,
    communicators,
    hostCalls,
    warnings,
  };
}

/** Sorted distinct values of an array of small non-negative integers (device ids). */
function distinctInts(values: Int32Array): number[] {
  const seen = new FewKeys();
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (seen.get(v) < 0) {
      seen.set(v, 1);
      out.push(v);
    }
  }
  return out.sort((a, b) => a - b);
}

interface OpContext {
  devices: Interner<Device>;
  processOf: (file: number, globalPid: number) => number;
  opName: (r: RawTrace, name: RawOpName) => number;
  warnings: string[];
  /** Launches (unsorted, all files) to join on (process, correlationId). */
  join: { start: Float64Array; thread: Int32Array; api: Int32Array; correlation: Float64Array; processOfThread: (t: number) => number };
}

/** GPU ops of all files: on one clock, with their devices, names, processes and launches; sorted by start. */
function buildOps(raws: RawTrace[], offsets: number[], ctx: OpContext): GpuOps {
  const bases = prefixSums(raws.map((r) => r.ops.n));
  const n = bases[raws.length]!;
  const start = take(raws.map((r) => r.ops.start), () => raws.forEach((r) => (r.ops.start = NO_F64)));
  const end = take(raws.map((r) => r.ops.end), () => raws.forEach((r) => (r.ops.end = NO_F64)));
  let badTimes = 0;
  raws.forEach((_r, f) => {
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

  const device = take(raws.map((r) => r.ops.deviceId), () => raws.forEach((r) => (r.ops.deviceId = NO_I32)));
  raws.forEach((_r, f) => {
    const cache = new FewKeys();
    for (let i = bases[f]!; i < bases[f + 1]!; i++) {
      const id = device[i]!;
      let d = cache.get(id);
      if (d < 0) cache.set(id, (d = ctx.devices.get(`${f}:${id}`, () => { throw new Error('unreachable'); })));
      device[i] = d;
    }
  });

  const kind = take(raws.map((r) => r.ops.kind), () => raws.forEach((r) => (r.ops.kind = NO_U8)));
  const name = take(raws.map((r) => r.ops.name), () => raws.forEach((r) => (r.ops.name = NO_I32)));
  const process = take(raws.map((r) => r.ops.process), () => raws.forEach((r) => (r.ops.process = NO_I32)));
  raws.forEach((r, f) => {
    // Each file's distinct names and processes, in order of first appearance, then every row through them.
    const names = Int32Array.from(r.opNames, (n) => ctx.opName(r, n));
    const procs = Int32Array.from(r.globalPids, (gp) => ctx.processOf(f, gp));
    for (let i = bases[f]!; i < bases[f + 1]!; i++) {
      name[i] = names[name[i]!]!;
      process[i] = procs[process[i]!]!;
    }
  });

  const correlation = take(raws.map((r) => r.ops.correlation), () => raws.forEach((r) => (r.ops.correlation = NO_F64)));
  const { launchStart, thread, launchApi } = joinLaunches(process, correlation, ctx.join, ctx.warnings);

  const stream = take(raws.map((r) => r.ops.stream), () => raws.forEach((r) => (r.ops.stream = NO_I32)));
  const bytes = take(raws.map((r) => r.ops.bytes), () => raws.forEach((r) => (r.ops.bytes = NO_F64)));
  const graphNode = take(raws.map((r) => r.ops.graphNode), () => raws.forEach((r) => (r.ops.graphNode = NO_F64)));
  raws.forEach((r) => (r.ops.n = 0));

  const order = argsort(start);
  const cols = { start, end, device, stream, kind, name, bytes, graphNode, correlation, process, launchStart, thread, launchApi };
  if (!isIdentity(order)) permuteInPlace(Object.values(cols), order);
  return { n, ...cols };
}

/**
 * Per op: start, thread and API of the call that launched it (NaN / -1 when the launch is not in the
 * trace). Correlation ids are per process, so the join is one uint32 hash per process; ids that are not
 * uint32 (never seen from CUPTI) fall back to one hash on (process, id).
 */
function joinLaunches(process: Int32Array, correlation: Float64Array, L: OpContext['join'], warnings: string[]) {
  const n = process.length;
  const nl = L.start.length;
  const procOf = new FewKeys();
  const lProc = (t: number) => {
    let p = procOf.get(t);
    if (p < 0) procOf.set(t, (p = L.processOfThread(t)));
    return p;
  };
  const counts: number[] = [];
  let fits = true;
  for (let i = 0; i < nl; i++) {
    const p = lProc(L.thread[i]!);
    counts[p] = (counts[p] ?? 0) + 1;
    if (!U32Map.fits(L.correlation[i]!)) fits = false;
  }
  // Launch row of each op first (into `thread`, reused below), then its start, thread and API.
  const thread = new Int32Array(n);
  if (fits) {
    const maps: (U32Map | undefined)[] = counts.map((c) => (c ? new U32Map(c) : undefined));
    for (let i = 0; i < nl; i++) maps[lProc(L.thread[i]!)]!.set(L.correlation[i]!, i);
    const none = new U32Map(0);
    for (let i = 0; i < n; i++) {
      const corr = correlation[i]!;
      thread[i] = U32Map.fits(corr) ? (maps[process[i]!] ?? none).get(corr) : -1;
    }
  } else {
    const index = new NumericIndex(nl);
    for (let i = 0; i < nl; i++) index.set(lProc(L.thread[i]!) * CORR_SHIFT + L.correlation[i]!, i);
    for (let i = 0; i < n; i++) {
      const corr = correlation[i]!;
      thread[i] = corr > 0 ? index.get(process[i]! * CORR_SHIFT + corr) : -1;
    }
  }
  const launchStart = new Float64Array(n);
  const launchApi = new Int32Array(n);
  let unlaunched = 0;
  for (let i = 0; i < n; i++) {
    const li = thread[i]!;
    if (li >= 0) {
      launchStart[i] = L.start[li]!;
      thread[i] = L.thread[li]!;
      launchApi[i] = L.api[li]!;
    } else {
      launchStart[i] = NaN;
      thread[i] = -1;
      launchApi[i] = -1;
      unlaunched++;
    }
  }
  if (unlaunched && nl > 0) warnings.push(`${unlaunched} of ${n} GPU operations have no launching API call in the trace (launched before the capture started, or not traced)`);
  return { launchStart, thread, launchApi };
}

function buildNccl(
  raws: RawTrace[], offsets: number[], threadOf: (f: number, tid: number) => number, deviceOf: (f: number, cudaDevice: number) => number,
): { ncclCalls: NcclCalls; communicators: Communicator[] } {
  const comms = new Interner<Communicator>();
  const commIndex = (id: bigint) => comms.get(id.toString(16), () => ({ id: id.toString(16), nranks: 0, devices: new Map() }));
  raws.forEach((r, f) => {
    for (const init of r.nccl.inits) {
      const c = comms.list[commIndex(init.commId)]!;
      c.nranks = Math.max(c.nranks, init.nranks);
      const d = deviceOf(f, init.cudaDevice);
      if (d >= 0) c.devices.set(init.rank, d);
    }
  });
  const rows = raws.flatMap((r, f) => r.nccl.calls.map((c) => ({ c, f })));
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
    calls.thread[i] = threadOf(f, c.globalTid);
    calls.name[i] = names.get(c.name, () => c.name);
    calls.comm[i] = c.commId === null ? -1 : commIndex(c.commId);
    calls.bytes[i] = c.bytes ?? NaN;
  });
  return { ncclCalls: calls, communicators: comms.list };
}

type MapThreads = (col: Int32Array, bases: number[]) => void;

function buildHostCalls(raws: RawTrace[], offsets: number[], mapThreads: MapThreads): HostCalls {
  const names = new Interner<string>();
  const bases = prefixSums(raws.map((r) => r.hostCalls.n));
  const n = bases[raws.length]!;
  const start = take(raws.map((r) => r.hostCalls.start), () => raws.forEach((r) => (r.hostCalls.start = NO_F64)));
  const end = take(raws.map((r) => r.hostCalls.end), () => raws.forEach((r) => (r.hostCalls.end = NO_F64)));
  addOffsets(start, bases, offsets);
  addOffsets(end, bases, offsets);
  const source = take(raws.map((r) => r.hostCalls.source), () => raws.forEach((r) => (r.hostCalls.source = NO_U8)));
  const thread = take(raws.map((r) => r.hostCalls.thread), () => raws.forEach((r) => (r.hostCalls.thread = NO_I32)));
  mapThreads(thread, bases);
  const name = take(raws.map((r) => r.hostCalls.nameId), () => raws.forEach((r) => (r.hostCalls.nameId = NO_I32)));
  raws.forEach((r, f) => {
    const cache = new Map<number, number>();
    for (let k = bases[f]!; k < bases[f + 1]!; k++) {
      const nameId = name[k]!;
      let idx = cache.get(nameId);
      if (idx === undefined) {
        const s = r.strings.get(nameId) ?? `call#${nameId}`;
        cache.set(nameId, (idx = names.get(s, () => s)));
      }
      name[k] = idx;
    }
    r.hostCalls.n = 0;
  });
  const order = argsort(start);
  if (!isIdentity(order)) permuteInPlace([start, end, thread, name, source], order);
  // Names numbered in time order, as a reader of the sorted calls meets them.
  const renumber = new Int32Array(names.list.length).fill(-1);
  const inOrder: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = name[i]!;
    if (renumber[a] === -1) {
      renumber[a] = inOrder.length;
      inOrder.push(names.list[a]!);
    }
    name[i] = renumber[a]!;
  }
  return { n, start, end, thread, name, names: inOrder, source };
}

function opNameIndex(names: Interner<OpName>, r: RawTrace, kind: number, nameId: number, longId: number): number {
  if (kind === OP_KERNEL) {
    return names.get(`k:${r.path}:${nameId}:${longId}`, () => {
      const short = r.strings.get(nameId) ?? r.strings.get(longId) ?? `kernel#${nameId}`;
      return { short, long: r.strings.get(longId) ?? short, kind };
    });
  }
  const label =
    kind === OP_MEMCPY ? `[CUDA memcpy ${MEMCPY_KINDS[nameId] ?? 'Unknown'}]`
    : kind === OP_GRAPH ? `[CUDA graph ${nameId}: kernels not traced]`
    : '[CUDA memset]';
  return names.get(`m:${label}`, () => ({ short: label, long: label, kind }));
}

function buildNvtx(raws: RawTrace[], offsets: number[], mapThreads: MapThreads, warnings: string[]): NvtxRanges {
  const bases = prefixSums(raws.map((r) => r.nvtx.n));
  const n = bases[raws.length]!;
  const domains = new Interner<string>();
  const texts = new Interner<string>();
  domains.get('', () => '');
  const start = take(raws.map((r) => r.nvtx.start), () => raws.forEach((r) => (r.nvtx.start = NO_F64)));
  const end = take(raws.map((r) => r.nvtx.end), () => raws.forEach((r) => (r.nvtx.end = NO_F64)));
  const domain = take(raws.map((r) => r.nvtx.domainId), () => raws.forEach((r) => (r.nvtx.domainId = NO_I32)));
  const text = take(raws.map((r) => r.nvtx.text), () => raws.forEach((r) => (r.nvtx.text = NO_I32)));
  const thread = take(raws.map((r) => r.nvtx.thread), () => raws.forEach((r) => (r.nvtx.thread = NO_I32)));
  mapThreads(thread, bases);
  let open = 0;
  raws.forEach((r, f) => {
    const N = r.nvtx;
    const off = offsets[f]!;
    const textIdx = N.texts.map((t) => texts.get(t, () => t));
    const domainIdx = new FewKeys();
    for (let i = 0, k = bases[f]!; i < N.n; i++, k++) {
      start[k] = start[k]! + off;
      const e = end[k]!;
      if (e < 0) open++;
      end[k] = e < 0 ? NaN : e + off;
      const id = domain[k]!;
      let d = domainIdx.get(id);
      if (d < 0) {
        const dn = id === 0 ? '' : r.nvtxDomains.get(id) ?? `domain ${id}`;
        domainIdx.set(id, (d = domains.get(dn, () => dn)));
      }
      domain[k] = d;
      text[k] = textIdx[text[k]!]!;
    }
    r.nvtx = { n: 0, start: NO_F64, end: NO_F64, thread: NO_I32, domainId: NO_I32, text: NO_I32, texts: [] };
  });
  if (open) warnings.push(`${open} NVTX ranges never ended (the capture stopped inside them); they are ignored`);
  const order = argsort(start);
  if (!isIdentity(order)) permuteInPlace([start, end, thread, domain, text], order);
  return { n, start, end, thread, domain, domains: domains.list, text, texts: texts.list };
}
