/**
 * kv-heads-replicated (plan check, info): fewer KV heads than ranks, so each KV head is stored on several
 * ranks and the KV cache per GPU stops shrinking with TP.
 */
import { defineRule, type PlanInput } from './types.js';

interface Data {
  tp: number;
  model: string;
  kvHeads: number;
  replication: number;
  kvBytesPerTokenPerGpu: number;
}

export const rule = defineRule({
  meta: {
    id: 'kv-heads-replicated',
    severity: 'info',
    title: 'KV heads replicated across ranks',
    description: 'The model has fewer KV heads than the TP degree: each rank keeps one whole KV head, replicated TP / kv_heads times.',
    options: {},
    requires: [],
    messages: {
      replicated:
        'At TP={tp}, {model}\'s {kvHeads} KV heads are fewer than the ranks: each is replicated {replication}x, so the KV ' +
        'cache per GPU ({kvBytesPerTokenPerGpu, bytes} per token) no longer shrinks as TP grows.',
      fix: 'Expected for GQA models past TP = kv_heads; to scale KV capacity further, add replicas (data parallel) rather than TP.',
    },
  },
  check({ model, plan }: PlanInput) {
    if (plan.kvReplication <= 1) return [];
    return [{
      messageId: 'replicated' as const,
      fixId: 'fix' as const,
      data: { tp: plan.tp, model: model.name, kvHeads: model.kvHeads, replication: plan.kvReplication, kvBytesPerTokenPerGpu: plan.kvBytesPerToken } satisfies Data,
      evidence: { tp: plan.tp, kvHeads: model.kvHeads, replication: plan.kvReplication, kvBytesPerTokenPerGpu: plan.kvBytesPerToken },
    }];
  },
});
