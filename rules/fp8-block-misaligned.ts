/**
 * fp8-block-misaligned (plan check): a sharded weight dimension divided by TP is not a whole number of FP8
 * quantisation blocks (128), so a block-scaled FP8 build cannot be split that way.
 */
import { FP8_BLOCK } from '../analyzer/plan/tpPlan.js';
import { defineRule, type PlanInput } from './types.js';

interface Data {
  tp: number;
  model: string;
  block: number;
  misaligned: { dim: string; full: number; perRank: number }[];
  /** The diagnosed trace runs no FP8 GEMM: the check is advice for a later FP8 build. */
  bf16Trace: boolean;
}

export const rule = defineRule({
  meta: {
    id: 'fp8-block-misaligned',
    severity: 'warning',
    title: 'Sharded dimension not a multiple of the FP8 block',
    description:
      'For block-scaled FP8 weights (128 x 128 blocks), every dimension TP splits must give each rank a multiple of 128. On a diagnosed ' +
      'trace that runs no FP8 GEMM it is info: it applies if you quantise to FP8.',
    options: { block: { type: 'count', default: FP8_BLOCK, description: 'FP8 quantisation block (elements)' } },
    requires: [],
    messages: {
      misaligned:
        'At TP={tp}, {misaligned, semi, {dim}: {full} / {tp} = {perRank, wholeOr2} ({perRank / block, fixed, 3} blocks of {block})}: ' +
        '{model} cannot be served with block-scaled FP8 weights at this TP.' +
        '{bf16Trace, select, true { The trace runs no FP8 GEMM: this applies if you quantise to FP8.} other {}}',
      fix:
        'Choose a TP that divides {misaligned, and, {full}} into multiples of {block}, serve BF16 or per-tensor / per-channel FP8 ' +
        'at this TP, or use a checkpoint whose weights are padded to whole blocks.',
    },
  },
  check({ model, plan, traceRunsFp8 }: PlanInput, o) {
    const block = o.block;
    const bad = plan.shardedDims.filter((d) => !(Number.isInteger(d.perRank) && d.perRank % block === 0));
    if (bad.length === 0 || plan.tp === 1) return [];
    const misaligned = bad.map((d) => ({ dim: d.name, full: d.full, perRank: d.perRank }));
    return [{
      messageId: 'misaligned' as const,
      fixId: 'fix' as const,
      data: { tp: plan.tp, model: model.name, block, misaligned, bf16Trace: traceRunsFp8 === false } satisfies Data,
      evidence: { tp: plan.tp, block, misaligned, traceRunsFp8: traceRunsFp8 ?? null },
      ...(traceRunsFp8 === false ? { severity: 'info' as const } : {}),
    }];
  },
});
