/**
 * FLOPs and HBM bytes of one step on one GPU of a TP group, from the model shape (transformer layers only:
 * embeddings and the LM head are left out, about one layer's worth in an 80-layer model).
 * Megatron split: QKV and gate/up by columns, o_proj and down_proj by rows; KV heads are replicated when
 * there are fewer of them than ranks.
 */
import type { ModelShape } from '../contract/plan.js';

export interface StepCost {
  flops: number;
  /** Weight bytes read once per step. */
  weightBytes: number;
  /** KV cache bytes read (decode) or written (prefill). */
  kvBytes: number;
  /** Linear-layer FLOPs (GEMMs) and attention FLOPs (QK^T and PV). */
  gemmFlops: number;
  attentionFlops: number;
}

export function perRank(m: ModelShape, tp: number) {
  return {
    heads: m.heads / tp,
    kvHeads: Math.max(1, m.kvHeads / tp),
    ffn: m.intermediate / tp,
  };
}

/** Weight parameters of one layer on one rank. */
export function layerParamsPerRank(m: ModelShape, tp: number): number {
  const r = perRank(m, tp);
  const qkv = m.hidden * (r.heads + 2 * r.kvHeads) * m.headDim;
  const o = r.heads * m.headDim * m.hidden;
  const mlp = 3 * m.hidden * r.ffn;
  return qkv + o + mlp + 2 * m.hidden;
}

/**
 * One step of `layers` layers for `batch` sequences: prefill processes `tokens` new tokens per sequence
 * (causal attention over them); decode one token per sequence attending to `context` cached tokens.
 */
export function stepCost(m: ModelShape, tp: number, phase: 'prefill' | 'decode', batch: number, tokens: number, context: number, layers = m.layers): StepCost {
  const r = perRank(m, tp);
  const params = layerParamsPerRank(m, tp);
  const newTokens = phase === 'prefill' ? batch * tokens : batch;
  const gemm = 2 * newTokens * (params - 2 * m.hidden);
  // QK^T and PV: 2 matmuls x 2 FLOPs per multiply-add; causal prefill attends to half the square.
  const attention = phase === 'prefill'
    ? 2 * 2 * batch * r.heads * m.headDim * (tokens * tokens) / 2
    : 2 * 2 * batch * r.heads * m.headDim * context;
  const kvPerToken = 2 * r.kvHeads * m.headDim * m.dtypeBytes;
  const kv = phase === 'prefill' ? batch * tokens * kvPerToken : batch * context * kvPerToken;
  return {
    flops: layers * (gemm + attention),
    gemmFlops: layers * gemm,
    attentionFlops: layers * attention,
    weightBytes: layers * params * m.dtypeBytes,
    kvBytes: layers * kv,
  };
}
