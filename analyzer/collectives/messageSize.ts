/**
 * Message size S of each collective instance: from NCCL's NVTX payload of the call that launched the
 * kernel (for a CUDA graph replay, of the call during which its node was captured) when the export carries
 * payloads, else from the model shape the user gave (decode: batch × hidden × dtype bytes; prefill: batch
 * × prompt × hidden × dtype bytes), else unknown: never guessed.
 */
import type { TraceModel } from '../model/types.js';
import type { ModelShape } from '../contract/plan.js';
import type { Phase } from '../contract/vocabulary.js';
import { lowerBound } from '../util/sort.js';
import type { Collectives } from './instances.js';

export const SIZE_NONE = 0;
export const SIZE_PAYLOAD = 1;
export const SIZE_MODEL = 2;

export interface Workload {
  model: ModelShape;
  batch: number;
  /** Prompt tokens per sequence (prefill message size). */
  prompt?: number;
}

export interface MessageSizes {
  /** Bytes S per instance (nccl-tests convention), NaN when unknown. */
  bytes: Float64Array;
  /** SIZE_NONE / SIZE_PAYLOAD / SIZE_MODEL per instance. */
  source: Uint8Array;
}

/** NCCL dtype spellings in kernel names → bytes per element. */
const NCCL_DTYPE_BYTES: Record<string, number> = {
  bf16: 2, bfloat16: 2, f16: 2, half: 2, f32: 4, float: 4, f64: 8, double: 8, i8: 1, u8: 1, int8_t: 1, uint8_t: 1,
  i32: 4, u32: 4, int32_t: 4, uint32_t: 4, i64: 8, u64: 8, f8e4m3: 1, f8e5m2: 1,
};

interface ThreadCalls {
  calls: number[];
  starts: Float64Array;
}

/** NCCL call containing `t` on `thread` (the call that launched a kernel), or -1. */
function callAt(model: TraceModel, byThread: Map<number, ThreadCalls>, thread: number, t: number): number {
  const tc = byThread.get(thread);
  if (!tc) return -1;
  const list = tc.calls;
  let k = lowerBound(tc.starts, t + 1) - 1;
  // Calls do not nest across collectives; the innermost containing call is the latest starting one.
  for (; k >= 0; k--) {
    const i = list[k]!;
    if (model.ncclCalls.end[i]! >= t) return i;
    if (t - model.ncclCalls.end[i]! > 1e9) break;
  }
  return -1;
}

export function messageSizes(model: TraceModel, c: Collectives, phaseOf: (instance: number) => Phase | null, workload: Workload | undefined): MessageSizes {
  const bytes = new Float64Array(c.n).fill(NaN);
  const source = new Uint8Array(c.n);
  const calls = model.ncclCalls;
  const lists = new Map<number, number[]>();
  for (let i = 0; i < calls.n; i++) {
    if (Number.isNaN(calls.bytes[i]!)) continue;
    const t = calls.thread[i]!;
    let l = lists.get(t);
    if (!l) lists.set(t, (l = []));
    l.push(i);
  }
  const captureOf = new Map<number, number>();
  for (let k = 0; k < model.graphCaptures.n; k++) captureOf.set(model.graphCaptures.op[k]!, k);
  const byThread = new Map<number, ThreadCalls>();
  for (const [t, l] of lists) byThread.set(t, { calls: l, starts: Float64Array.from(l, (i) => calls.start[i]!) });
  for (let i = 0; i < c.n; i++) {
    const kind = c.kinds[c.kind[i]!]!;
    const ranks = kind.devices.length;
    const scale = kind.op === 'all-gather' || kind.op === 'reduce-scatter' ? ranks : 1;
    if (byThread.size) {
      for (let d = 0; d < c.nDevices && Number.isNaN(bytes[i]!); d++) {
        const o = c.ops[i * c.nDevices + d]!;
        if (o < 0) continue;
        let call = model.ops.thread[o]! >= 0 ? callAt(model, byThread, model.ops.thread[o]!, model.ops.launchStart[o]!) : -1;
        // A graph replay launches without a collective call: the call made when its node was captured has the size.
        const cap = captureOf.get(o);
        if (call < 0 && cap !== undefined) call = callAt(model, byThread, model.graphCaptures.thread[cap]!, model.graphCaptures.start[cap]!);
        // NCCL reports the per-rank message (send count for all-gather, receive count for reduce-scatter).
        if (call >= 0) {
          bytes[i] = calls.bytes[call]! * scale;
          source[i] = SIZE_PAYLOAD;
        }
      }
    }
    if (!Number.isNaN(bytes[i]!) || !workload) continue;
    const phase = phaseOf(i);
    const m = workload.model;
    const dtype = ncclDtype(model, c, i);
    if (dtype !== null && NCCL_DTYPE_BYTES[dtype] !== m.dtypeBytes) continue;
    if (phase === 'decode') bytes[i] = workload.batch * m.hidden * m.dtypeBytes;
    else if (phase === 'prefill' && workload.prompt) bytes[i] = workload.batch * workload.prompt * m.hidden * m.dtypeBytes;
    else continue;
    source[i] = SIZE_MODEL;
  }
  return { bytes, source };
}

function ncclDtype(model: TraceModel, c: Collectives, i: number): string | null {
  for (let d = 0; d < c.nDevices; d++) {
    const o = c.ops[i * c.nDevices + d]!;
    if (o < 0) continue;
    const m = /_(bf16|f16|f32|f64|half|float|double|bfloat16|i8|u8|i32|u32|i64|u64|f8e4m3|f8e5m2|u?int(8|32|64)_t)(_|$)/.exec(model.opNames[model.ops.name[o]!]!.short);
    return m ? m[1]! : null;
  }
  return null;
}
