/**
 * kv-heads-replicated (plan check, info): fewer KV heads than ranks, so each KV head is stored on several
 * ranks and the KV cache per GPU stops shrinking with TP.
 */
import { fmtBytes } from '../analyzer/report/format.js';
import type { PlanRule } from './types.js';

export const rule: PlanRule = {
  meta: {
    id: 'kv-heads-replicated',
    severity: 'info',
    title: 'KV heads replicated across ranks',
    description: 'The model has fewer KV heads than the TP degree: each rank keeps one whole KV head, replicated TP / kv_heads times.',
    defaults: {},
    requires: ['model', 'tp'],
  },
  checkPlan(model, plan) {
    if (plan.kvReplication <= 1) return [];
    return [{
      rule: 'kv-heads-replicated',
      severity: 'info',
      message:
        `At TP=${plan.tp}, ${model.name}'s ${model.kvHeads} KV heads are fewer than the ranks: each is replicated ${plan.kvReplication}x, so the KV ` +
        `cache per GPU (${fmtBytes(plan.kvBytesPerToken)} per token) no longer shrinks as TP grows.`,
      evidence: { tp: plan.tp, kvHeads: model.kvHeads, replication: plan.kvReplication, kvBytesPerTokenPerGpu: plan.kvBytesPerToken },
      recommendation: 'Expected for GQA models past TP = kv_heads; to scale KV capacity further, add replicas (data parallel) rather than TP.',
    }];
  },
};
