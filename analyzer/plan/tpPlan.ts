/**
 * The TP plan check: for a model and a TP degree, what each GPU holds and what every decoded token costs
 * in all-reduces, before anything is run. Megatron split: QKV and gate/up by columns, o_proj and down_proj
 * by rows, embeddings and LM head by vocabulary; KV heads replicated when there are fewer than ranks.
 */
import type { GpuSpec } from '../hardware/gpuSpecs.js';
import { expectedBusGBps } from '../collectives/busBandwidth.js';
import { layerParamsPerRank, perRank } from '../llm/stepCost.js';
import type { ModelShape, ShardedDim, TpPlanRow } from '../contract/plan.js';

/** FP8 block-scaled weights are quantised in 128 x 128 blocks: every sharded dimension must hold whole blocks. */
export const FP8_BLOCK = 128;

/** All-reduce latency floor per TP degree on H100 NVLink, fitted to the traces here (NCCL 2.28, 128 KiB:
 *  7.5 µs at TP=2, 10.9 µs at TP=4): about 4.1 µs + 1.7 µs per rank. */
export function allReduceLatencyUs(tp: number): number {
  return tp <= 1 ? 0 : 4.1 + 1.7 * tp;
}

export interface PlanOptions {
  tps: number[];
  gpu: GpuSpec;
  batch: number;
  context: number | null;
  /** Fraction of GPU memory the server may use (vLLM's default gpu_memory_utilization is 0.9). */
  memoryUtilization: number;
  /** Activation dtype bytes on the wire (bf16 all-reduces even for FP8 weights). */
  activationBytes: number;
}

export function planRow(m: ModelShape, tp: number, o: PlanOptions): TpPlanRow {
  const r = perRank(m, tp);
  const dims: ShardedDim[] = [
    { name: 'q_proj out / o_proj in (heads × head_dim)', full: m.heads * m.headDim },
    { name: 'k_proj, v_proj out (kv_heads × head_dim)', full: m.kvHeads * m.headDim },
    { name: 'gate_proj, up_proj out / down_proj in (intermediate)', full: m.intermediate },
  ].map((d) => {
    const per = d.name.startsWith('k_proj') ? r.kvHeads * m.headDim : d.full / tp;
    return { ...d, perRank: per, fp8Aligned: Number.isInteger(per) && per % FP8_BLOCK === 0 };
  });
  const weights = (m.layers * layerParamsPerRank(m, tp) + (2 * m.vocab * m.hidden) / tp) * m.dtypeBytes;
  const kvPerToken = 2 * m.layers * r.kvHeads * m.headDim * m.dtypeBytes;
  const room = o.gpu.memoryGiB * 2 ** 30 * o.memoryUtilization - weights;
  const allReduceBytes = o.batch * m.hidden * o.activationBytes;
  const count = tp > 1 ? 2 * m.layers : 0;
  // t = S / algBW = S × 2(n−1)/n / busBW (bytes / (GB/s) = ns).
  const perAr = tp > 1 ? allReduceLatencyUs(tp) + (allReduceBytes * ((2 * (tp - 1)) / tp)) / expectedBusGBps(o.gpu, allReduceBytes) / 1e3 : 0;
  const needed = o.context ? o.batch * o.context : null;
  const kvRoomTokens = room > 0 ? Math.floor(room / kvPerToken) : 0;
  return {
    tp, divisible: Number.isInteger(m.heads / tp) && Number.isInteger(m.intermediate / tp),
    heads: r.heads, kvHeads: r.kvHeads, kvReplication: m.kvHeads < tp ? tp / m.kvHeads : 1,
    weightBytesPerGpu: weights, shardedDims: dims, fp8Misaligned: dims.filter((d) => !d.fp8Aligned),
    allReducesPerStep: count, allReduceBytes, allReduceUsPerStep: count * perAr,
    kvBytesPerToken: kvPerToken, kvRoomBytes: room, kvRoomTokens, kvNeededTokens: needed,
    fits: needed === null ? (room > 0 ? true : false) : room > 0 && kvRoomTokens >= needed,
  };
}

export function tpPlan(m: ModelShape, o: PlanOptions): TpPlanRow[] {
  return o.tps.map((tp) => planRow(m, tp, o));
}
