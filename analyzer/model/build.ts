/**
 * Builds the trace model from what the queries read: puts every file on one clock, joins each GPU op to the
 * API call that launched it (correlationId *and* process: ids repeat across the processes of a multi-rank
 * report), and sorts everything by time.
 */
import { OP_GRAPH, OP_KERNEL, OP_MEMCPY, type RawTrace } from '../../queries/raw.js';
import { NumericIndex } from '../util/numericIndex.js';
import { argsort, permute } from '../util/sort.js';
import type { Communicator, Device, GpuOps, HostCalls, Launches, NcclCalls, NvtxRanges, OpName, Process, Thread, TraceModel } from './types.js';

const PID_SHIFT = 16777216; // globalTid = globalPid + OS tid (low 24 bits)

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

  // Devices first, in (file, deviceId) order, so their indices read naturally.
  const deviceKeys: [number, number][] = [];
  raws.forEach((r, f) => {
    const ids = new Set<number>();
    for (let i = 0; i < r.ops.n; i++) ids.add(r.ops.deviceId[i]!);
    for (const id of [...ids].sort((a, b) => a - b)) deviceKeys.push([f, id]);
  });
  const idsRepeat = new Set(deviceKeys.map(([, d]) => d)).size < deviceKeys.length;
  for (const [f, id] of deviceKeys) {
    devices.get(`${f}:${id}`, () => ({
      index: devices.list.length, deviceId: id, file: f,
      label: idsRepeat ? `f${f}:GPU ${id}` : `GPU ${id}`,
      gpu: raws[f]!.gpus.find((g) => g.deviceId === id) ?? null,
    }));
  }

  // Launches of all files, then the (process, correlationId) → launch join.
  let nl = 0;
  for (const r of raws) nl += r.launches.n;
  const lStart = new Float64Array(nl), lEnd = new Float64Array(nl), lThread = new Int32Array(nl);
  const lCorr = new Float64Array(nl), lApi = new Int32Array(nl);
  const lProc = new Int32Array(nl);
  let k = 0;
  raws.forEach((r, f) => {
    const L = r.launches;
    const off = offsets[f]!;
    for (let i = 0; i < L.n; i++, k++) {
      lStart[k] = L.start[i]! + off;
      lEnd[k] = L.end[i]! + off;
      const t = threadOf(f, L.globalTid[i]!);
      lThread[k] = t;
      lProc[k] = threads.list[t]!.process;
      lCorr[k] = L.correlation[i]!;
      const nameId = L.nameId[i]!;
      lApi[k] = apiNames.get(String(nameId) + '@' + f, () => r.strings.get(nameId) ?? `api#${nameId}`);
    }
  });
  const byCorrelation = new NumericIndex(nl);
  for (let i = 0; i < nl; i++) byCorrelation.set(lProc[i]! * 4294967296 + lCorr[i]!, i);

  // GPU ops of all files.
  let n = 0;
  for (const r of raws) n += r.ops.n;
  const ops = {
    n, start: new Float64Array(n), end: new Float64Array(n), device: new Int32Array(n), stream: new Int32Array(n),
    kind: new Uint8Array(n), name: new Int32Array(n), bytes: new Float64Array(n), graphNode: new Float64Array(n),
    correlation: new Float64Array(n), process: new Int32Array(n), launchStart: new Float64Array(n),
    thread: new Int32Array(n), launchApi: new Int32Array(n),
  } satisfies GpuOps;
  let badTimes = 0;
  let unlaunched = 0;
  k = 0;
  raws.forEach((r, f) => {
    const O = r.ops;
    const off = offsets[f]!;
    const pidCache = new Map<number, number>();
    const devCache = new Map<number, number>();
    for (let i = 0; i < O.n; i++, k++) {
      let s = O.start[i]!, e = O.end[i]!;
      if (!(e >= s)) {
        badTimes++;
        e = s;
      }
      ops.start[k] = s + off;
      ops.end[k] = e + off;
      const dId = O.deviceId[i]!;
      let d = devCache.get(dId);
      if (d === undefined) devCache.set(dId, (d = devices.get(`${f}:${dId}`, () => { throw new Error('unreachable'); })));
      ops.device[k] = d;
      ops.stream[k] = O.stream[i]!;
      const kind = O.kind[i]!;
      ops.kind[k] = kind;
      ops.name[k] = opNameIndex(opNames, r, kind, O.nameId[i]!, O.longNameId[i]!);
      ops.bytes[k] = O.bytes[i]!;
      ops.graphNode[k] = O.graphNode[i]!;
      const gp = O.globalPid[i]!;
      let p = pidCache.get(gp);
      if (p === undefined) pidCache.set(gp, (p = processOf(f, gp)));
      ops.process[k] = p;
      const corr = O.correlation[i]!;
      ops.correlation[k] = corr;
      const li = corr > 0 ? byCorrelation.get(p * 4294967296 + corr) : -1;
      if (li >= 0) {
        ops.launchStart[k] = lStart[li]!;
        ops.thread[k] = lThread[li]!;
        ops.launchApi[k] = lApi[li]!;
      } else {
        ops.launchStart[k] = NaN;
        ops.thread[k] = -1;
        ops.launchApi[k] = -1;
        unlaunched++;
      }
    }
  });
  if (badTimes) warnings.push(`${badTimes} GPU operations end before they start; treated as zero-length`);
  if (unlaunched && nl > 0) warnings.push(`${unlaunched} of ${n} GPU operations have no launching API call in the trace (launched before the capture started, or not traced)`);

  const order = argsort(ops.start);
  const sortedOps: GpuOps = {
    n,
    start: permute(ops.start, order), end: permute(ops.end, order), device: permute(ops.device, order),
    stream: permute(ops.stream, order), kind: permute(ops.kind, order), name: permute(ops.name, order),
    bytes: permute(ops.bytes, order), graphNode: permute(ops.graphNode, order),
    correlation: permute(ops.correlation, order), process: permute(ops.process, order),
    launchStart: permute(ops.launchStart, order), thread: permute(ops.thread, order),
    launchApi: permute(ops.launchApi, order),
  };
  const lOrder = argsort(lStart);
  const launches: Launches = {
    n: nl, start: permute(lStart, lOrder), end: permute(lEnd, lOrder), thread: permute(lThread, lOrder),
    correlation: permute(lCorr, lOrder), api: permute(lApi, lOrder),
  };

  const nvtx = buildNvtx(raws, offsets, threadOf, warnings);

  const { ncclCalls, communicators } = buildNccl(raws, offsets, threadOf, (f, cudaDevice) => {
    const d = devices.list.find((x) => x.file === f && x.deviceId === cudaDevice);
    return d ? d.index : -1;
  });
  const hostCalls = buildHostCalls(raws, offsets, threadOf);

  for (const r of raws) warnings.push(...r.warnings);
  return {
    files: raws.map((r, f) => ({ path: r.path, meta: r.meta, offsetNs: offsets[f]! })),
    devices: devices.list,
    processes: processes.list,
    threads: threads.list,
    ops: sortedOps,
    opNames: opNames.list,
    launches,
    apiNames: apiNames.list,
    nvtx,
    ncclCalls,
    communicators,
    hostCalls,
    warnings,
  };
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

function buildHostCalls(raws: RawTrace[], offsets: number[], threadOf: (f: number, tid: number) => number): HostCalls {
  const names = new Interner<string>();
  const rows = raws.flatMap((r, f) => r.hostCalls.map((c) => ({ c, f })));
  rows.sort((a, b) => a.c[0] + offsets[a.f]! - (b.c[0] + offsets[b.f]!));
  const n = rows.length;
  const out: HostCalls = {
    n, start: new Float64Array(n), end: new Float64Array(n), thread: new Int32Array(n), name: new Int32Array(n), names: names.list, source: new Uint8Array(n),
  };
  rows.forEach(({ c, f }, i) => {
    const [start, end, tid, nameId, source] = c;
    out.start[i] = start + offsets[f]!;
    out.end[i] = end + offsets[f]!;
    out.thread[i] = threadOf(f, tid);
    const name = raws[f]!.strings.get(nameId) ?? `call#${nameId}`;
    out.name[i] = names.get(name, () => name);
    out.source[i] = source;
  });
  return out;
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

function buildNvtx(raws: RawTrace[], offsets: number[], threadOf: (f: number, tid: number) => number, warnings: string[]): NvtxRanges {
  let n = 0;
  for (const r of raws) n += r.nvtx.n;
  const start = new Float64Array(n), end = new Float64Array(n), thread = new Int32Array(n);
  const domain = new Int32Array(n), text = new Int32Array(n);
  const domains = new Interner<string>();
  const texts = new Interner<string>();
  domains.get('', () => '');
  let open = 0;
  let k = 0;
  raws.forEach((r, f) => {
    const N = r.nvtx;
    const off = offsets[f]!;
    const textIdx = N.texts.map((t) => texts.get(t, () => t));
    for (let i = 0; i < N.n; i++, k++) {
      start[k] = N.start[i]! + off;
      const e = N.end[i]!;
      if (e < 0) open++;
      end[k] = e < 0 ? NaN : e + off;
      thread[k] = threadOf(f, N.globalTid[i]!);
      const dn = N.domainId[i] === 0 ? '' : r.nvtxDomains.get(N.domainId[i]!) ?? `domain ${N.domainId[i]}`;
      domain[k] = domains.get(dn, () => dn);
      text[k] = textIdx[N.text[i]!]!;
    }
  });
  if (open) warnings.push(`${open} NVTX ranges never ended (the capture stopped inside them); they are ignored`);
  const order = argsort(start);
  return {
    n, start: permute(start, order), end: permute(end, order), thread: permute(thread, order),
    domain: permute(domain, order), domains: domains.list, text: permute(text, order), texts: texts.list,
  };
}
