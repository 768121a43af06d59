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

/**
 * Stage 1: how many workers to read with: the requested count (default: defaultWorkers()), no more than
 * one per MIN_ROWS_PER_WORKER rows of all files (a small export is read in this thread: starting a worker
 * costs more than it saves below that), and no more than the address space left can hold (ulimit -v:
 * fewer workers, or none, rather than an abort).
 */
export function workerCount(rows: readonly number[], requested: number | undefined, left = addressSpaceLeft()): number {
  const most = Math.max(1, Math.ceil(rows.reduce((a, b) => a + b, 0) / MIN_ROWS_PER_WORKER));
  return workersThatFit(Math.min(most, Math.max(1, Math.floor(requested ?? defaultWorkers()))), left);
}

/** Stage 2, one reader: this thread, file after file; the bar counts every file's rows from the start. */
export function readInThisThread(paths: readonly string[], rows: readonly number[], onProgress?: ProgressCallback): TraceInput[] {
  const total = rows.reduce((a, b) => a + b, 0);
  let before = 0;
  return paths.map((p, f) => {
    const input = readTraceInput(p, onProgress && ((done) => onProgress({ done: before + Math.min(done, rows[f]!), total })));
    before += rows[f] ?? 0;
    return input;
  });
}

/** Stage 2, workers: the jobs, shard k of `workers` of each file in turn; job f · workers + k is file f's shard k. */
export function shardJobs(paths: readonly string[], workers: number): ShardJob[] {
  return paths.flatMap((path, f) => Array.from({ length: workers }, (_x, k) => ({ id: f * workers + k, path, k, n: workers })));
}

/**
 * Progress over all jobs: rows scanned over rows to scan. Every file's total is known up front (two b-tree
 * descents per table), shared evenly by its shards until a shard says its own, so the bar does not jump
 * back when a file's shards start.
 */
export function shardProgress(rows: readonly number[], workers: number, onProgress?: ProgressCallback) {
  const done = new Float64Array(rows.length * workers);
  const totals = new Float64Array(rows.length * workers);
  rows.forEach((r, f) => {
    for (let k = 0; k < workers; k++) totals[f * workers + k] = r / workers;
  });
  /** A job's rows scanned so far and its rows to scan (0: not known yet); tells onProgress the sums. */
  return (id: number, doneRows: number, totalRows: number): void => {
    done[id] = doneRows;
    if (totalRows > 0) totals[id] = totalRows;
    if (!onProgress) return;
    let d = 0, t = 0;
    for (let i = 0; i < done.length; i++) {
      d += done[i]!;
      t += totals[i]!;
    }
    onProgress({ done: d, total: t });
  };
}

/** The worker pool at work: per file, a promise of its shards; `exited` settles once every worker has. */
interface Pool {
  /** Filled in as the workers finish, by job id. */
  shards: Shard[];
  /** Per file, settled when its shards are all in (or rejected with the first failure). */
  files: Promise<void>[];
  exited: Promise<void>[];
  /** Asks the workers to stop (after their current page) and rejects every file with the first failure. */
  fail: (e: unknown) => void;
  failure: () => unknown;
}

/** Stage 3: `workers` worker threads take the jobs in order, one at a time each, until none is left or one fails. */
function startPool(paths: readonly string[], jobs: readonly ShardJob[], workers: number, progress: ReturnType<typeof shardProgress>): Pool {
  const stop = new Int32Array(new SharedArrayBuffer(4));
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
    const give = () => {
      if (failure !== null || next >= jobs.length) {
        w.postMessage({ type: 'exit' });
        return;
      }
      w.postMessage({ type: 'job', job: jobs[next++]! });
    };
    w.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') {
        progress(m.id, m.done, m.total);
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
  return { shards, files: results.map((r) => r.p), exited, fail, failure: () => failure };
}

/**
 * Reads exports (one per rank, or one), each shard by shard in `workers` worker threads: worker count →
 * jobs → pool → per file, its small tables read here while the workers read, then its shards assembled.
 */
export async function readTraceInputs(paths: readonly string[], options: ReadOptions = {}): Promise<TraceInput[]> {
  const { onProgress } = options;
  const rows = paths.map((p) => rowsToScan(p));
  const workers = workerCount(rows, options.workers);
  if (workers === 1 || !canUseWorkers()) return readInThisThread(paths, rows, onProgress);
  const jobs = shardJobs(paths, workers);
  const pool = startPool(paths, jobs, workers, shardProgress(rows, workers, onProgress));
  try {
    const out: TraceInput[] = [];
    for (let f = 0; f < paths.length; f++) {
      // This thread reads the file's small tables (metadata, processes, NCCL payloads) while the workers read.
      const small: SmallTables = readSmallTables(paths[f]!);
      await pool.files[f]!;
      out.push(assemble(paths[f]!, pool.shards.slice(f * workers, (f + 1) * workers), small));
      for (let k = 0; k < workers; k++) pool.shards[f * workers + k] = undefined as unknown as Shard;
    }
    return out;
  } catch (e) {
    pool.fail(e);
    throw pool.failure();
  } finally {
    await Promise.all(pool.exited);
  }
}
