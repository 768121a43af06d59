/**
 * A worker thread that reads one export (readRawTrace) and sends it back with its typed columns
 * transferred, not copied. Started by parallelRead.ts, one per file.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TraceError } from './errors.js';
import { readRawTrace, transferables } from './raw.js';

const port = parentPort!;
const path = (workerData as { path: string }).path;
try {
  const raw = readRawTrace(path, { onProgress: (p) => port.postMessage({ type: 'progress', done: p.done, total: p.total }) });
  port.postMessage({ type: 'done', raw }, transferables(raw));
} catch (e) {
  port.postMessage({
    type: 'error',
    traceError: e instanceof TraceError,
    message: e instanceof Error ? e.message : String(e),
    hint: e instanceof TraceError ? e.hint : undefined,
    stack: e instanceof Error ? e.stack : undefined,
  });
}
