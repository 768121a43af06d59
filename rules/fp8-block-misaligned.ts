/**
 * fp8-block-misaligned (plan check): a sharded weight dimension divided by TP is not a whole number of FP8
 * quantisation blocks (128), so a block-scaled FP8 build cannot be split that way.
 */
import { FP8_BLOCK } from '../analyzer/plan/tpPlan.js';
import type { PlanRule } from './types.js';

export const rule: PlanRule = {
  meta: {
    id: 'fp8-block-misaligned',
    severity: 'warning',
    title: 'Sharded dimension not a multiple of the FP8 block',
    description: 'For block-scaled FP8 weights (128 x 128 blocks), every dimension TP splits must give each rank a multiple of 128.',
    defaults: { block: FP8_BLOCK },
    requires: ['model', 'tp'],
  },
  checkPlan(model, plan, o) {
    const block = o.block as number;
    const bad = plan.shardedDims.filter((d) => !(Number.isInteger(d.perRank) && d.perRank % block === 0));
    if (bad.length === 0 || plan.tp === 1) return [];
    return [{
      rule: 'fp8-block-misaligned',
      severity: 'warning',
      message:
        `At TP=${plan.tp}, ${bad.map((d) => `${d.name}: ${d.full} / ${plan.tp} = ${Number.isInteger(d.perRank) ? d.perRank : d.perRank.toFixed(2)} (${(d.perRank / block).toFixed(3)} blocks of ${block})`).join('; ')}: ` +
        `${model.name} cannot be served with block-scaled FP8 weights at this TP.`,
      evidence: { tp: plan.tp, block, misaligned: bad.map((d) => ({ dim: d.name, full: d.full, perRank: d.perRank })) },
      recommendation:
        `Choose a TP that divides ${bad.map((d) => d.full).join(' and ')} into multiples of ${block}, serve BF16 or per-tensor / per-channel FP8 ` +
        'at this TP, or use a checkpoint whose weights are padded to whole blocks.',
    }];
  },
};
