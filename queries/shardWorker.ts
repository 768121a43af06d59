/**
 * A worker thread that reads shards of exports (parallelRead.ts sends the jobs) and sends each back with
 * its typed columns transferred, not copied.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TraceError } from './errors.js';
import { readShardOf } from './nsysTrace.js';
import type { ShardJob, WorkerMessage } from './parallelRead.js';
import { shardBuffers } from './shard.js';

const port = parentPort!;
const stopFlag = new Int32Array((workerData as { stop: SharedArrayBuffer }).stop);
const post = (m: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

port.on('message', (m: { type: 'job'; job: ShardJob } | { type: 'exit' }) => {
  if (m.type === 'exit') {
    port.close();
    return;
  }
  const { id, path, k, n } = m.job;
  try {
    // Called after every page of rows: where the parent's request to stop (another read failed) is heard.
    const shard = readShardOf(path, k, n, (done, total) => {
      if (Atomics.load(stopFlag, 0)) throw new Error('stopped: another read failed');
      post({ type: 'progress', id, done, total });
    });
    post({ type: 'done', id, shard }, shardBuffers(shard));
  } catch (e) {
    post({
      type: 'error', id,
      traceError: e instanceof TraceError,
      message: e instanceof Error ? e.message : String(e),
      hint: e instanceof TraceError ? e.hint : undefined,
      stack: e instanceof Error ? e.stack : undefined,
    });
  }
});
