/**
 * Reading on several cores. Each export's event tables are split into as many shards as there are
 * workers (contiguous rowid ranges of every table, scan.ts); worker threads read the shards, each on its own
 * read-only connection, and hand back their typed columns transferred, not copied; this thread joins one
 * export's shards into its trace input (nsysTrace.ts) while the workers go on with the next export.
 * SQLite reads are CPU-bound, so the wall time falls with the cores, for a worker's heap apiece.
 * Progress is the rows scanned over all shards and files.
 *
 * When one read fails the others are asked to stop (a shared flag each worker checks after every page of
 * rows) and waited for, not terminated: a worker terminated inside a better-sqlite3 call that then throws
 * (a busy wait on a locked file ending in SQLITE_BUSY) aborts the whole process (v8 fatal error).
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TraceInput } from '../analyzer/model/input.js';
import { TraceError } from './errors.js';
import { assemble, readSmallTables, readTraceInput, rowsToScan, type SmallTables } from './nsysTrace.js';
import type { ProgressCallback } from './progress.js';
import type { Shard } from './shard.js';

export interface ReadOptions {
  onProgress?: ProgressCallback;
  /** Worker threads to read with; default: one per core. 1 reads in this thread. */
  workers?: number;
}

/** A job for a worker: shard k of n of one file. */
export interface ShardJob {
  id: number;
  path: string;
  k: number;
  n: number;
}

export type WorkerMessage =
  | { type: 'progress'; id: number; done: number; total: number }
  | { type: 'done'; id: number; shard: Shard }
  | { type: 'error'; id: number; traceError: boolean; message: string; hint?: string; stack?: string };

const WORKER = new URL('./shardWorker.js', import.meta.url);
/** Rows (rowids) below which one more worker thread is not worth starting. */
const MIN_ROWS_PER_WORKER = 200_000;
/** Run from TypeScript sources (a test runner) there is no compiled worker to start: read in this thread. */
const canUseWorkers = () => existsSync(fileURLToPath(WORKER));

/** Workers by default at most: each costs a heap of its own (BENCHMARKS.md, "Cores", shows what more of them gain). */
const MAX_DEFAULT_WORKERS = 16;

/**
 * The default worker count: $NSYS_TP_WORKERS when set to a whole number, else one per core this process may
 * use, up to MAX_DEFAULT_WORKERS.
 */
export function defaultWorkers(): number {
  const n = Number(process.env.NSYS_TP_WORKERS);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, 256) : Math.min(availableParallelism(), MAX_DEFAULT_WORKERS);
}

/**
 * What a worker thread costs in address space: V8 reserves a code range per isolate (128 MiB and more by
 * default, limited here to WORKER_CODE_RANGE_MB) and heap spaces besides; measured at about 140 MiB each
 * with the limit, 590 MiB without. Reserved, not used: RSS stays small, but under `ulimit -v` a reservation
 * that fails aborts the whole process ("Fatal process OOM ... CodeRange"), which no code can catch.
 */
const WORKER_ADDRESS_BYTES = 256 * 2 ** 20;
/** Room kept for this thread's own heap to grow while the workers read. */
const MAIN_ADDRESS_BYTES = 1024 * 2 ** 20;
/** A shard worker runs a small reading loop: 64 MiB of code space is far more than its code takes. */
const WORKER_CODE_RANGE_MB = 64;

/** Address space this process may still reserve (RLIMIT_AS less what it holds), or Infinity when unlimited. */
export function addressSpaceLeft(): number {
  try {
    const limit = /^Max address space\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
    if (!limit || limit === 'unlimited') return Infinity;
    const held = Number(/^VmSize:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024;
    return Number(limit) - held;
  } catch {
    return Infinity; // not Linux: no such limit to read
  }
}

/** `wanted` workers, or as many as the address space left can hold (1: read in this thread, no worker). */
export function workersThatFit(wanted: number, left = addressSpaceLeft()): number {
  if (!Number.isFinite(left)) return wanted;
  return Math.max(1, Math.min(wanted, Math.floor((left - MAIN_ADDRESS_BYTES) / WORKER_ADDRESS_BYTES)));
}

/** Reads exports (one per rank, or one), each shard by shard in `workers` worker threads. */
export async function readTraceInputs(paths: readonly string[], options: ReadOptions = {}): Promise<TraceInput[]> {
  const { onProgress } = options;
  const rows = paths.map((p) => rowsToScan(p));
  // A small export is read in this thread: starting a worker costs more than it saves below this.
  const most = Math.max(1, Math.ceil(rows.reduce((a, b) => a + b, 0) / MIN_ROWS_PER_WORKER));
  // Sized to what the process may reserve (ulimit -v): fewer workers, or none, rather than an abort.
  const workers = workersThatFit(Math.min(most, Math.max(1, Math.floor(options.workers ?? defaultWorkers()))));
  if (workers === 1 || !canUseWorkers()) {
    // One reader: this thread, file after file; the bar counts every file's rows from the start.
    const totals = rows;
    const total = totals.reduce((a, b) => a + b, 0);
    let before = 0;
    return paths.map((p, f) => {
      const input = readTraceInput(p, onProgress && ((done) => onProgress({ done: before + Math.min(done, totals[f]!), total })));
      before += totals[f] ?? 0;
      return input;
    });
  }
  const jobs: ShardJob[] = paths.flatMap((path, f) => Array.from({ length: workers }, (_x, k) => ({ id: f * workers + k, path, k, n: workers })));
  const done = new Float64Array(jobs.length);
  const totals = new Float64Array(jobs.length);
  const report = () => {
    if (!onProgress) return;
    let d = 0, t = 0;
    for (let i = 0; i < jobs.length; i++) {
      d += done[i]!;
      t += totals[i]!;
    }
    onProgress({ done: d, total: t });
  };
  // Every file's total up front (two b-tree descents per table), so the bar does not jump back when a
  // file's shards start.
  paths.forEach((_p, f) => {
    for (let k = 0; k < workers; k++) totals[f * workers + k] = rows[f]! / workers;
  });

  const stop = new Int32Array(new SharedArrayBuffer(4));
  const pool: Worker[] = [];
  const shards: Shard[] = new Array(jobs.length);
  let next = 0;
  let failure: unknown = null;
  const results = paths.map(() => {
    let resolve!: () => void, reject!: (e: unknown) => void;
    const p = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    p.catch(() => {});
    return { p, resolve, reject, left: workers };
  });
  const fail = (e: unknown) => {
    if (failure === null) failure = e;
    Atomics.store(stop, 0, 1);
    for (const r of results) r.reject(failure);
  };
  const exited = Array.from({ length: Math.min(workers, jobs.length) }, () => new Promise<void>((resolve) => {
    const w = new Worker(WORKER, { workerData: { stop: stop.buffer }, resourceLimits: { codeRangeSizeMb: WORKER_CODE_RANGE_MB } });
    pool.push(w);
    const give = () => {
      if (failure !== null || next >= jobs.length) {
        w.postMessage({ type: 'exit' });
        return;
      }
      w.postMessage({ type: 'job', job: jobs[next++]! });
    };
    w.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') {
        done[m.id] = m.done;
        if (m.total > 0) totals[m.id] = m.total;
        report();
        return;
      }
      if (m.type === 'error') {
        fail(m.traceError ? new TraceError(m.message, m.hint) : Object.assign(new Error(m.message), { stack: m.stack }));
      } else {
        shards[m.id] = m.shard;
        const r = results[Math.floor(m.id / workers)]!;
        if (--r.left === 0) r.resolve();
      }
      give();
    });
    w.on('error', (e) => fail(e));
    w.on('exit', (code) => {
      if (code !== 0) fail(new Error(`a worker reading ${paths.join(', ')} exited with code ${code}`));
      resolve();
    });
    give();
  }));

  try {
    const out: TraceInput[] = [];
    for (let f = 0; f < paths.length; f++) {
      // This thread reads the file's small tables (metadata, processes, NCCL payloads) while the workers read.
      const small: SmallTables = readSmallTables(paths[f]!);
      await results[f]!.p;
      out.push(assemble(paths[f]!, shards.slice(f * workers, (f + 1) * workers), small));
      for (let k = 0; k < workers; k++) shards[f * workers + k] = undefined as unknown as Shard;
    }
    return out;
  } catch (e) {
    fail(e);
    throw failure;
  } finally {
    await Promise.all(exited);
  }
}
