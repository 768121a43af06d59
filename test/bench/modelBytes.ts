/**
 * What the trace model of a file holds: the bytes of its typed columns, and the rows of each table (and
 * the launch calls read, which the model joins to their ops and does not keep). `node modelBytes.js FILE`
 * prints JSON. The benchmark reports it next to peak memory: the model, kept whole for the analyses, is
 * the floor under it.
 */
import { buildModel, readTraceInput } from '../../index.js';

function columnBytes(o: object, seen = new Set<ArrayBufferLike>()): number {
  let b = 0;
  for (const v of Object.values(o)) {
    if (ArrayBuffer.isView(v)) {
      if (!seen.has(v.buffer)) {
        seen.add(v.buffer);
        b += v.byteLength;
      }
    } else if (v && typeof v === 'object' && !(v instanceof Map)) {
      b += columnBytes(v, seen);
    }
  }
  return b;
}

const raw = readTraceInput(process.argv[2]!);
const launches = raw.launches.n;
const m = buildModel([raw]);
process.stdout.write(
  JSON.stringify({
    bytes: columnBytes(m),
    ops: { rows: m.ops.n, bytes: columnBytes(m.ops) },
    launches: { rows: launches },
    nvtx: { rows: m.nvtx.n, bytes: columnBytes(m.nvtx) },
    hostCalls: { rows: m.hostCalls.n, bytes: columnBytes(m.hostCalls) },
  }) + '\n',
);
