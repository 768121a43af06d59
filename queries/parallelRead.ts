/**
 * Several exports (one per rank) read at once: each file's readRawTrace runs in its own worker thread, as
 * many at a time as there are cores, and its typed columns come back transferred (no copy). Progress is
 * the sum over the files.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TraceError } from './errors.js';
import type { ProgressCallback } from './progress.js';
import { readRawTrace, rowsToScan, type RawTrace } from './raw.js';

type Message =
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; raw: RawTrace }
  | { type: 'error'; traceError: boolean; message: string; hint?: string; stack?: string };

const WORKER = new URL('./rawWorker.js', import.meta.url);

function readInWorker(path: string, onProgress: (done: number, total: number) => void, workers: Set<Worker>): Promise<RawTrace> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: { path } });
    workers.add(worker);
    worker.on('exit', () => workers.delete(worker));
    let settled = false;
    worker.on('message', (m: Message) => {
      if (m.type === 'progress') onProgress(m.done, m.total);
      else if (m.type === 'done') {
        settled = true;
        resolve(m.raw);
      } else {
        settled = true;
        const err = m.traceError ? new TraceError(m.message, m.hint) : Object.assign(new Error(m.message), { stack: m.stack });
        reject(err);
      }
    });
    worker.on('error', (e) => {
      if (!settled) reject(e);
      settled = true;
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`worker reading ${path} exited with code ${code}`));
    });
  });
}

export async function readRawTracesInParallel(paths: readonly string[], onProgress?: ProgressCallback): Promise<RawTrace[]> {
  // Run from TypeScript sources (a test runner), there is no compiled worker to start: read in turn.
  if (!existsSync(fileURLToPath(WORKER))) return paths.map((p) => readRawTrace(p));
  const done = paths.map(() => 0);
  // Every file's total up front (two b-tree descents per table), so the bar does not jump back when a
  // file waiting for a free core starts.
  const totals = onProgress ? paths.map((p) => rowsToScan(p)) : paths.map(() => 0);
  const report = (i: number, d: number, t: number) => {
    done[i] = d;
    totals[i] = t;
    onProgress?.({ done: done.reduce((a, b) => a + b, 0), total: totals.reduce((a, b) => a + b, 0) });
  };
  const out: RawTrace[] = new Array(paths.length);
  const workers = new Set<Worker>();
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (next < paths.length && !failed) {
      const i = next++;
      out[i] = await readInWorker(paths[i]!, (d, t) => report(i, d, t), workers);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(paths.length, availableParallelism()) }, lane));
  } catch (e) {
    // One bad file is the answer: the other reads are abandoned, not waited for.
    failed = true;
    await Promise.all([...workers].map((w) => w.terminate()));
    throw e;
  }
  return out;
}
