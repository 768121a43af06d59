/**
 * A worker thread that reads one export, or its ops part (GPU tables, NVTX ranges), and sends it back with
 * its typed columns transferred, not copied. Started by parallelRead.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TraceError } from './errors.js';
import { readOpsPart, readRawTrace, transferables } from './raw.js';

const port = parentPort!;
const { path, part, progress, stop } = workerData as { path: string; part: 'all' | 'ops'; progress?: SharedArrayBuffer; stop: SharedArrayBuffer };
// Progress goes into shared memory when the parent reads too (it takes no messages until it is done), else
// in messages.
const shared = progress ? new Float64Array(progress) : null;
const stopFlag = new Int32Array(stop);
try {
  // Called after every page of rows: where the parent's request to stop (another read failed) is heard.
  const onProgress = (p: { done: number; total: number }) => {
    if (Atomics.load(stopFlag, 0)) throw new Error('stopped: another read failed');
    if (shared) {
      shared[0] = p.done;
      shared[1] = p.total;
    } else {
      port.postMessage({ type: 'progress', done: p.done, total: p.total });
    }
  };
  const result = part === 'ops' ? readOpsPart(path, { onProgress }) : readRawTrace(path, { onProgress });
  port.postMessage({ type: 'done', result }, transferables(result));
} catch (e) {
  port.postMessage({
    type: 'error',
    traceError: e instanceof TraceError,
    message: e instanceof Error ? e.message : String(e),
    hint: e instanceof TraceError ? e.hint : undefined,
    stack: e instanceof Error ? e.stack : undefined,
  });
}
