/**
 * Reading on several cores. Several exports (one per rank): each file's readRawTrace runs in its own worker
 * thread, as many at once as there are cores. One export: a worker thread reads its GPU tables and NVTX
 * ranges while this thread reads its API calls (separate read-only connections; SQLite reads are
 * CPU-bound, so on two free cores this nearly halves the wait, for one worker's memory). Typed columns come
 * back transferred, not copied; progress is the sum over all readers. Each connection reads in one
 * transaction (raw.ts), so each part is consistent in itself.
 *
 * When one read fails the others are asked to stop (a shared flag each worker checks after every page of
 * rows) and waited for, not terminated: a worker terminated inside a better-sqlite3 call that then throws
 * (a busy wait on a locked file ending in SQLITE_BUSY) aborts the whole process (v8 fatal error).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TraceError } from './errors.js';
import type { ProgressCallback } from './progress.js';
import { joinParts, readCallsPart, readRawTrace, rowsToScan, type RawOpsPart, type RawCallsPart, type RawTrace } from './raw.js';

type Part = 'all' | 'ops';

/** The workers of one read, and the flag that asks them to stop. */
interface Readers {
  workers: Set<Worker>;
  stop: Int32Array;
}

function readers(): Readers {
  return { workers: new Set(), stop: new Int32Array(new SharedArrayBuffer(4)) };
}

/** Asks every worker still reading to stop, and waits until they have. */
async function stopAll(r: Readers): Promise<void> {
  Atomics.store(r.stop, 0, 1);
  await Promise.all([...r.workers].map((w) => new Promise((resolve) => w.once('exit', resolve))));
}
type Message =
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; result: unknown }
  | { type: 'error'; traceError: boolean; message: string; hint?: string; stack?: string };

const WORKER = new URL('./rawWorker.js', import.meta.url);
/** Run from TypeScript sources (a test runner) there is no compiled worker to start: read in this thread. */
const canUseWorkers = () => existsSync(fileURLToPath(WORKER));

function inWorker<T>(
  path: string, part: Part, onProgress: (done: number, total: number) => void, readers: Readers, progress?: SharedArrayBuffer,
): Promise<T> {
  const { workers, stop } = readers;
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: { path, part, progress, stop: stop.buffer } });
    workers.add(worker);
    let settled = false;
    worker.on('message', (m: Message) => {
      if (m.type === 'progress') onProgress(m.done, m.total);
      else if (m.type === 'done') {
        settled = true;
        resolve(m.result as T);
      } else {
        settled = true;
        reject(m.traceError ? new TraceError(m.message, m.hint) : Object.assign(new Error(m.message), { stack: m.stack }));
      }
    });
    worker.on('error', (e) => {
      if (!settled) reject(e);
      settled = true;
    });
    worker.on('exit', (code) => {
      workers.delete(worker);
      if (!settled) reject(new Error(`worker reading ${path} exited with code ${code}`));
    });
  });
}

/** Sums the readers' progress into one callback. */
function progressSum(n: number, onProgress?: ProgressCallback, totals?: number[]) {
  const done = new Array<number>(n).fill(0);
  const total = totals ?? new Array<number>(n).fill(0);
  return (i: number) => (d: number, t: number) => {
    done[i] = d;
    total[i] = t;
    onProgress?.({ done: done.reduce((a, b) => a + b, 0), total: total.reduce((a, b) => a + b, 0) });
  };
}

/** Runs the reads, at most `lanes` at once; one failure is the answer, and the other reads are stopped. */
async function runAll<T>(jobs: ((readers: Readers) => Promise<T>)[], lanes: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  const r = readers();
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (next < jobs.length && !failed) {
      const i = next++;
      out[i] = await jobs[i]!(r);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs.length, lanes)) }, lane));
  } catch (e) {
    failed = true;
    await stopAll(r);
    throw e;
  }
  return out;
}

export async function readRawTracesInParallel(paths: readonly string[], onProgress?: ProgressCallback): Promise<RawTrace[]> {
  if (!canUseWorkers()) return paths.map((p) => readRawTrace(p));
  // Every file's total up front (two b-tree descents per table), so the bar does not jump back when a
  // file waiting for a free core starts.
  const report = progressSum(paths.length, onProgress, onProgress ? paths.map((p) => rowsToScan(p)) : undefined);
  return runAll(paths.map((p, i) => (r: Readers) => inWorker<RawTrace>(p, 'all', report(i), r)), availableParallelism());
}

/** One export: its ops part (GPU tables, NVTX) in a worker thread while this thread reads its calls part. */
export async function readRawTraceSplit(path: string, onProgress?: ProgressCallback): Promise<RawTrace> {
  if (!canUseWorkers() || availableParallelism() < 2) return readRawTrace(path, { onProgress });
  // The worker writes its rows done and total here: this thread is busy reading, not taking messages.
  const shared = new Float64Array(new SharedArrayBuffer(16));
  const report = (done: number, total: number) => onProgress?.({ done: done + shared[0]!, total: total + shared[1]! });
  const r = readers();
  const ops = inWorker<RawOpsPart>(path, 'ops', () => {}, r, shared.buffer as SharedArrayBuffer);
  ops.catch(() => {}); // awaited below; a failure in this thread first is the one reported
  let calls: RawCallsPart;
  try {
    calls = readCallsPart(path, { onProgress: (p) => report(p.done, p.total) });
  } catch (e) {
    await stopAll(r);
    throw e;
  }
  const timer = onProgress ? setInterval(() => report(0, 0), 100) : undefined;
  try {
    return joinParts(path, await ops, calls);
  } finally {
    clearInterval(timer);
  }
}
