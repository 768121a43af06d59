/**
 * TP scaling across traces of one model at several TP degrees (analyzer/across/scaling/scalingTable.ts
 * builds the rows, recommendTp.ts the recommendation): per row and phase the step time, tokens/s,
 * efficiency, the parts and what grows beyond ideal scaling, the cost per million tokens.
 */
import type { z } from 'zod';
import { arr, bool, keyed, num, obj, str } from './checks.js';
import { TIME_CLASSES, TIME_PARTS, type TimePart } from './vocabulary.js';

const parts = TIME_PARTS as unknown as readonly [TimePart, ...TimePart[]];

export const scalingOptionsSchema = obj({
  /** Sequences per decode step (tokens per decode step). */
  batch: num,
  /** Prompt tokens per sequence; prefill tokens per step = batch × prompt. */
  prompt: num.nullable(),
  /** $ per GPU-hour. */
  gpuHourPrice: num.nullable(),
});
export type ScalingOptions = z.infer<typeof scalingOptionsSchema>;

export const scalingPhaseSchema = obj({
  steps: num,
  stepNs: num,
  p10Ns: num,
  p90Ns: num,
  tokensPerStep: num.nullable(),
  tokensPerSReplica: num.nullable(),
  tokensPerSGpu: num.nullable(),
  /** Against the smallest TP's row; null on that row or without its phase. */
  speedup: num.nullable(),
  efficiency: num.nullable(),
  commShare: num,
  /** Mean steady step span per GPU (ns): what the parts below add up to, overlaps aside. */
  spanNs: num,
  /** ns per step per GPU (steady steps). */
  classNs: keyed(TIME_CLASSES, num),
  /** The same with communication split into transfer and waiting. */
  partNs: keyed(parts, num),
  /** ns per step per GPU beyond ideal scaling from the smallest TP, per part; null on that row. */
  beyondIdealNs: keyed(parts, num).nullable(),
  usdPerMTok: num.nullable(),
});
export type ScalingPhase = z.infer<typeof scalingPhaseSchema>;

export const scalingRowSchema = obj({
  path: str,
  tp: num,
  gpus: num,
  gpuName: str.nullable(),
  layers: num.nullable(),
  decode: scalingPhaseSchema.nullable(),
  prefill: scalingPhaseSchema.nullable(),
  /** What limits the row's decode step: at the smallest TP its largest part, above it the part furthest beyond ideal. */
  bottleneck: str,
  /** The row's most severe decode finding (diagnose rules), if any. */
  topFinding: obj({ rule: str, severity: str, message: str }).nullable(),
});
export type ScalingRow = z.infer<typeof scalingRowSchema>;

export const tpFitSchema = obj({
  tp: num,
  fits: bool,
  weightBytesPerGpu: num,
  kvRoomTokens: num,
  kvNeededTokens: num,
});
export type TpFit = z.infer<typeof tpFitSchema>;

/** Which TP to serve at, for a context length (analyzer/across/scaling/recommendTp.ts). */
export const tpRecommendationSchema = obj({
  tp: num.nullable(),
  context: num,
  /** One sentence: why this TP. */
  reason: str,
  /** The faster choice for latency-bound serving and what it costs, when there is one. */
  alternative: str.nullable(),
  fits: arr(tpFitSchema),
});
export type TpRecommendation = z.infer<typeof tpRecommendationSchema>;
