/**
 * The model a plan, a roofline or a recommendation is computed for (analyzer/llm/modelShape.ts reads it),
 * and the TP plan check's rows (analyzer/plan/tpPlan.ts): what each GPU holds and what every decoded
 * token costs in all-reduces.
 */
import type { z } from 'zod';
import { arr, bool, num, obj, str } from './checks.js';

/** The shape of a dense decoder model, from a Hugging Face config.json or a built-in preset. */
export const modelShapeSchema = obj({
  name: str,
  hidden: num,
  intermediate: num,
  heads: num,
  kvHeads: num,
  headDim: num,
  layers: num,
  vocab: num,
  /** Bytes per weight / activation element of the served dtype (bf16 = 2, fp8 = 1). */
  dtypeBytes: num,
  dtype: str,
});
export type ModelShape = z.infer<typeof modelShapeSchema>;

export const shardedDimSchema = obj({
  name: str,
  /** The full dimension and what one rank gets. */
  full: num,
  perRank: num,
  fp8Aligned: bool,
});
export type ShardedDim = z.infer<typeof shardedDimSchema>;

export const tpPlanRowSchema = obj({
  tp: num,
  divisible: bool,
  heads: num,
  kvHeads: num,
  /** Copies of each KV head across ranks (1 = no replication). */
  kvReplication: num,
  weightBytesPerGpu: num,
  shardedDims: arr(shardedDimSchema),
  fp8Misaligned: arr(shardedDimSchema),
  allReducesPerStep: num,
  /** Bytes of one decode all-reduce (batch × hidden × 2, bf16 activations). */
  allReduceBytes: num,
  allReduceUsPerStep: num,
  /** KV cache bytes one token takes on one GPU. */
  kvBytesPerToken: num,
  /** What is left for KV cache on one GPU after weights, at the memory utilisation given. */
  kvRoomBytes: num,
  kvRoomTokens: num,
  /** Tokens the requested batch x context needs, when given. */
  kvNeededTokens: num.nullable(),
  fits: bool.nullable(),
});
export type TpPlanRow = z.infer<typeof tpPlanRowSchema>;
