/**
 * The stages of the nsys reader, each on its own: readShard's table readers (queries/shard.ts), assemble's
 * joins (queries/nsysTrace.ts) and readTraceInputs' planning (queries/parallelRead.ts). Real exports
 * (samples/: tp4-eager has 4 GPUs in 4 processes and NVTX ranges; tp2graph-blobs-prefill has NCCL payloads
 * and graph captures; test/traces' hf-eager-range one GPU) are checked against plain SQL on the same file;
 * the rules (what is skipped, what is refused, how ids pack) on hand-built input.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { concat } from '../queries/columns.js';
import { MIN_HOST_CALL_NS } from '../queries/hostCalls.js';
import {
  assemble, checkGpuWork, joinHostCalls, joinLaunches, joinNvtx, joinOps, joinThreads, opAndCallNames, readShardOf, readSmallTables, readTraceInput,
  rowsToScan, skippedRows, threadAndProcessLists, withExport,
} from '../queries/nsysTrace.js';
import { readInThisThread, shardJobs, shardProgress, workerCount } from '../queries/parallelRead.js';
import type { Schema } from '../queries/schema.js';
import {
  Dictionary, OP_GRAPH, OP_KERNEL, OP_MEMCPY, OP_MEMSET, readGpuOps, readNvtxRanges, readOsrtCalls, readRuntimeCalls, shardIds, shardScanner, type Shard,
} from '../queries/shard.js';
import { repoTrace, samplePath } from './support/traces.js';

const TP4 = samplePath('tp4-eager.sqlite');
const BLOBS = samplePath('tp2graph-blobs-prefill.sqlite');

/** Plain SQL on an export. */
function sqlOn(path: string) {
  const db = new Database(path, { readonly: true });
  return {
    one: (q: string) => db.prepare(q).pluck().get() as number,
    all: (q: string) => db.prepare(q).pluck().all() as (number | string)[],
    close: () => db.close(),
  };
}

/** Launching threads by SQL: those whose runtime calls share a correlation id and process with a GPU op. */
const LAUNCHING_TIDS = `SELECT DISTINCT r.globalTid FROM CUPTI_ACTIVITY_KIND_RUNTIME r WHERE EXISTS (SELECT 1 FROM (
  SELECT correlationId, globalPid FROM CUPTI_ACTIVITY_KIND_KERNEL UNION ALL SELECT correlationId, globalPid FROM CUPTI_ACTIVITY_KIND_MEMSET
) o WHERE o.correlationId = r.correlationId AND o.globalPid = (r.globalTid - r.globalTid % 16777216))`;

describe('readShard stages on tp4-eager, against SQL', () => {
  const sql = sqlOn(TP4);
  const got = withExport(TP4, (db, s) => {
    const ids = shardIds();
    const skipped = { ops: 0, launches: 0, nvtx: 0 };
    let rows = 0;
    const scan = shardScanner(db, { k: 0, of: 1, onRows: (n) => (rows = n) });
    const ops = readGpuOps(scan, s, ids, skipped);
    const runtime = readRuntimeCalls(db, s, scan, ids, skipped);
    const osrt = readOsrtCalls(scan, s, ids);
    const nvtx = readNvtxRanges(scan, s, ids, skipped);
    return { ids, skipped, ops, runtime, osrt, nvtx, rows, rowsOf: rowsToScan(TP4) };
  });

  it('GPU ops: one table per kind, every row (none damaged), devices numbered as met', () => {
    expect(got.ops.map((t) => t.n)).toEqual([
      sql.one('SELECT count(*) FROM CUPTI_ACTIVITY_KIND_KERNEL'), 0, sql.one('SELECT count(*) FROM CUPTI_ACTIVITY_KIND_MEMSET'), 0,
    ]);
    expect(got.ops[OP_KERNEL]!.n).toBe(1504);
    expect(got.skipped.ops).toBe(0);
    expect(got.ids.devices.values).toEqual(sql.all('SELECT deviceId FROM CUPTI_ACTIVITY_KIND_KERNEL GROUP BY deviceId ORDER BY min(rowid)'));
    const starts = [...concat([got.ops[OP_KERNEL]!], 'start')];
    expect(starts).toEqual(sql.all('SELECT start FROM CUPTI_ACTIVITY_KIND_KERNEL ORDER BY rowid'));
  });

  it('CUDA API calls: one launch per GPU op, and every call of 20 µs or more as a host call', () => {
    expect(got.runtime.launches.n).toBe(got.ops[OP_KERNEL]!.n + got.ops[OP_MEMSET]!.n);
    const start = concat([got.runtime.apiCalls], 'start');
    const end = concat([got.runtime.apiCalls], 'end');
    let long = 0;
    for (let i = 0; i < start.length; i++) if (end[i]! - start[i]! >= MIN_HOST_CALL_NS) long++;
    expect(long).toBe(sql.one(`SELECT count(*) FROM CUPTI_ACTIVITY_KIND_RUNTIME WHERE end - start >= ${MIN_HOST_CALL_NS}`));
    expect(got.skipped.launches).toBe(0);
  });

  it('OS runtime calls: those of 20 µs or more', () => {
    expect(got.osrt.n).toBe(sql.one(`SELECT count(*) FROM OSRT_API WHERE end - start >= ${MIN_HOST_CALL_NS}`));
    expect(got.osrt.n).toBe(58);
  });

  it('NVTX ranges: every push/pop and start/end range, each distinct text once', () => {
    expect(got.nvtx.nvtx.n).toBe(sql.one('SELECT count(*) FROM NVTX_EVENTS WHERE eventType IN (59, 60, 70)'));
    expect(got.nvtx.texts.length).toBe(sql.one('SELECT count(DISTINCT coalesce(text, textId)) FROM NVTX_EVENTS WHERE eventType IN (59, 60, 70)'));
    expect(got.skipped.nvtx).toBe(0);
  });

  it('the scanner counts every row it scans, over all tables: what rowsToScan said', () => {
    expect(got.rows).toBe(got.rowsOf);
  });

  it('shards: two halves of each table hold every row once', () => {
    const halves = [0, 1].map((k) => readShardOf(TP4, k, 2));
    expect(halves[0]!.ops[OP_KERNEL]!.n + halves[1]!.ops[OP_KERNEL]!.n).toBe(got.ops[OP_KERNEL]!.n);
    expect(halves[0]!.ops[OP_KERNEL]!.n).toBeGreaterThan(0);
    expect(halves[1]!.ops[OP_KERNEL]!.n).toBeGreaterThan(0);
    sql.close();
  });
});

describe('assemble stages on hand-built shards', () => {
  const table = (n: number) => ({ n, chunks: [] }) as unknown as Shard['ops'][number];
  const shard = (kernels: number, copies: number, skipped = { ops: 0, launches: 0, nvtx: 0 }) =>
    ({ ops: [table(kernels), table(copies), table(0), table(0)], skipped }) as unknown as Shard;
  const schema = (tables: string[]) => ({ has: (t: string) => tables.includes(t) }) as unknown as Schema;

  it('skippedRows: summed over the shards', () => {
    expect(skippedRows([shard(0, 0, { ops: 1, launches: 2, nvtx: 3 }), shard(0, 0, { ops: 10, launches: 20, nvtx: 30 })])).toEqual({ ops: 11, launches: 22, nvtx: 33 });
  });

  it('checkGpuWork: no op at all, or copies without kernels, is the file\'s fault', () => {
    expect(() => checkGpuWork('f', schema([]), [shard(0, 0), shard(0, 0)], undefined)).toThrow(/^f: no GPU activity in this export/);
    expect(() => checkGpuWork('f', schema([]), [shard(0, 0)], '3 GPU operations ... were skipped')).toThrow('f: no usable GPU activity: 3 GPU operations ... were skipped');
    expect(() => checkGpuWork('f', schema(['CUPTI_ACTIVITY_KIND_KERNEL']), [shard(0, 5)], undefined)).toThrow(/no usable rows in CUPTI_ACTIVITY_KIND_KERNEL/);
    expect(() => checkGpuWork('f', schema([]), [shard(0, 5)], undefined)).toThrow(/no CUPTI_ACTIVITY_KIND_KERNEL table/);
    expect(() => checkGpuWork('f', schema([]), [shard(0, 5), shard(1, 0)], undefined)).not.toThrow();
  });

  it('threadAndProcessLists: a thread\'s process from its packed id; a process without a row gets its pid from the id', () => {
    const P = 16777216;
    const threads = new Dictionary();
    threads.of(100 * P + 42);
    threads.of(200 * P + 7);
    const processes = new Dictionary();
    processes.of(100 * P);
    const lists = threadAndProcessLists(threads, processes, {
      threadNames: [{ globalTid: 100 * P + 42, name: 'main' }], processes: [{ globalPid: 100 * P, pid: 4242, name: 'python3' }],
    } as never);
    expect(lists.threads).toEqual([{ id: 100 * P + 42, process: 0, name: 'main' }, { id: 200 * P + 7, process: 1, name: '' }]);
    expect(lists.processes).toEqual([{ id: 100 * P, pid: 4242, name: 'python3' }, { id: 200 * P, pid: 200, name: '' }]);
  });
});

describe('assemble stages on real exports, three shards, against SQL', () => {
  const stagesOn = (path: string) => {
    const shards = [0, 1, 2].map((k) => readShardOf(path, k, 3));
    const small = readSmallTables(path);
    return withExport(path, (db, s) => {
      const joined = joinOps(shards);
      const threads = joinThreads(shards, small, joined.devices);
      const launches = joinLaunches(shards, threads.ids);
      const hostCalls = joinHostCalls(shards, launches, threads.ids);
      const nvtx = joinNvtx(db, s, shards, small.domains, threads.ids);
      const names = opAndCallNames(db, s, joined.rawNames, threads.ids.names);
      return { joined, threads, launches, hostCalls, nvtx, names, small };
    });
  };
  const tp4 = stagesOn(TP4);
  const sql = sqlOn(TP4);

  it('joinOps: every op once, each with its start and device as SQL has them', () => {
    const { ops, devices } = tp4.joined;
    expect(ops.n).toBe(sql.one('SELECT (SELECT count(*) FROM CUPTI_ACTIVITY_KIND_KERNEL) + (SELECT count(*) FROM CUPTI_ACTIVITY_KIND_MEMSET)'));
    const pairs = Array.from({ length: ops.n }, (_, i) => `${ops.start[i]}@${devices.values[ops.device[i]!]}`).sort();
    const truth = sql.all(`SELECT start || '@' || deviceId FROM CUPTI_ACTIVITY_KIND_KERNEL UNION ALL SELECT start || '@' || deviceId FROM CUPTI_ACTIVITY_KIND_MEMSET`).map(String).sort();
    expect(pairs).toEqual(truth);
    const kernelNames = tp4.joined.rawNames.filter((n) => n.kind === OP_KERNEL).length;
    expect(kernelNames).toBe(sql.one('SELECT count(*) FROM (SELECT DISTINCT shortName, demangledName FROM CUPTI_ACTIVITY_KIND_KERNEL)'));
  });

  it('joinThreads and joinLaunches: one launch per op, from the launching threads SQL finds', () => {
    const { ids } = tp4.threads;
    expect(tp4.launches.n).toBe(tp4.joined.ops.n);
    const tids = new Set(Array.from(tp4.launches.thread, (t) => ids.threads.values[t]!));
    expect([...tids].sort()).toEqual(sql.all(LAUNCHING_TIDS).sort());
    expect(tids.size).toBe(4);
  });

  it('joinHostCalls: the launching threads\' API calls, then their OS runtime calls, of 20 µs or more', () => {
    const h = tp4.hostCalls;
    const launching = sql.all(LAUNCHING_TIDS).join(',');
    const api = sql.one(`SELECT count(*) FROM CUPTI_ACTIVITY_KIND_RUNTIME WHERE end - start >= ${MIN_HOST_CALL_NS} AND globalTid IN (${launching})`);
    const osrt = sql.one(`SELECT count(*) FROM OSRT_API WHERE end - start >= ${MIN_HOST_CALL_NS} AND globalTid IN (${launching})`);
    expect(h.n).toBe(api + osrt);
    expect([...h.source].filter((x) => x === 0).length).toBe(api);
    expect([...h.source.subarray(0, api)].every((x) => x === 0)).toBe(true);
    expect(h.start.length).toBe(h.n);
  });

  it('joinNvtx: every range, its text as SQL reads it', () => {
    expect(tp4.nvtx.n).toBe(sql.one('SELECT count(*) FROM NVTX_EVENTS WHERE eventType IN (59, 60, 70)'));
    const texts = Array.from(tp4.nvtx.text, (t) => tp4.nvtx.texts[t]!).sort();
    const truth = sql.all(`SELECT coalesce(n.text, s.value) FROM NVTX_EVENTS n LEFT JOIN StringIds s ON s.id = n.textId WHERE n.eventType IN (59, 60, 70)`).map(String).sort();
    expect(texts).toEqual(truth);
  });

  it('opAndCallNames: kernels by their StringIds short names, memsets by kind', () => {
    const { opNames } = tp4.names;
    const kernels = new Set(opNames.filter((n) => n.kind === OP_KERNEL).map((n) => n.short));
    expect([...kernels].sort()).toEqual(sql.all('SELECT DISTINCT s.value FROM CUPTI_ACTIVITY_KIND_KERNEL k JOIN StringIds s ON s.id = k.shortName').map(String).sort());
    expect(opNames.filter((n) => n.kind === OP_MEMSET).map((n) => n.short)).toEqual(['[CUDA memset]']);
    expect(opNames.some((n) => n.kind === OP_MEMCPY || n.kind === OP_GRAPH)).toBe(false);
    expect(tp4.names.apiNames.length).toBe(tp4.threads.ids.names.values.length);
    sql.close();
  });

  it('joinThreads: NCCL calls and graph captures on the threads that made them (tp2graph-blobs-prefill)', () => {
    const b = stagesOn(BLOBS);
    const { ids, ncclCalls, captures } = b.threads;
    expect(ncclCalls.length).toBe(64);
    ncclCalls.forEach((c, i) => expect(ids.threads.values[c.thread]).toBe(b.small.nccl.calls[i]!.globalTid));
    expect(captures.length).toBe(b.small.captures.length);
    captures.forEach((c, i) => {
      expect(ids.threads.values[c.thread]).toBe(b.small.captures[i]!.globalTid);
      expect(b.joined.devices.values[c.device]).toBe(b.small.captures[i]!.deviceId);
    });
  });

  it('the stages in a row are assemble', () => {
    const whole = assemble(TP4, [0, 1, 2].map((k) => readShardOf(TP4, k, 3)));
    expect(whole.ops.n).toBe(tp4.joined.ops.n);
    expect(whole.hostCalls.n).toBe(tp4.hostCalls.n);
    expect(whole.nvtx.texts).toEqual(tp4.nvtx.texts);
  });
});

describe('readTraceInputs stages', () => {
  const MiB = 2 ** 20;
  it('workerCount: one per 200,000 rows at most, as requested, as the address space allows', () => {
    expect(workerCount([1e6], 8, Infinity)).toBe(5);
    expect(workerCount([600_000, 400_000], 8, Infinity)).toBe(5);
    expect(workerCount([1e6], 2, Infinity)).toBe(2);
    expect(workerCount([1000], 8, Infinity)).toBe(1);
    expect(workerCount([1e6], 0, Infinity)).toBe(1);
    // 1 GiB for this thread and 256 MiB a worker: room for two.
    expect(workerCount([1e6], 8, 1024 * MiB + 2.5 * 256 * MiB)).toBe(2);
    expect(workerCount([1e6], 8, 100 * MiB)).toBe(1);
  });

  it('shardJobs: shard k of n of each file, numbered file by file', () => {
    expect(shardJobs(['a', 'b'], 2)).toEqual([
      { id: 0, path: 'a', k: 0, n: 2 }, { id: 1, path: 'a', k: 1, n: 2 }, { id: 2, path: 'b', k: 0, n: 2 }, { id: 3, path: 'b', k: 1, n: 2 },
    ]);
  });

  it('shardProgress: every file\'s rows known from the start, a shard\'s own total once it says', () => {
    const seen: { done: number; total: number }[] = [];
    const tell = shardProgress([100, 50], 2, (p) => seen.push(p));
    tell(0, 10, 0);
    tell(3, 5, 40);
    expect(seen).toEqual([{ done: 10, total: 150 }, { done: 15, total: 165 }]);
  });

  it('readInThisThread: the single reader\'s inputs, the bar ending at every file\'s rows', () => {
    const paths = [repoTrace('hf-eager-range'), TP4];
    const rows = paths.map((p) => rowsToScan(p));
    let last = { done: 0, total: 0 };
    const inputs = readInThisThread(paths, rows, (p) => (last = p));
    expect(inputs.map((i) => i.ops.n)).toEqual(paths.map((p) => readTraceInput(p).ops.n));
    expect(inputs.map((i) => i.path)).toEqual(paths);
    expect(last).toEqual({ done: rows[0]! + rows[1]!, total: rows[0]! + rows[1]! });
  });
});
