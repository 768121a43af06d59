/**
 * poor-tp-scaling (across traces, `nsys-tp scaling`): going up in TP buys less than its share of GPUs.
 * Efficiency = (tokens/s per replica / the smallest TP's) / (TP / smallest TP), which equals the ratio of
 * tokens/s per GPU, so below 1 every token costs more GPU time than at the smallest TP.
 */
import type { ScalingRow } from '../analyzer/contract/scaling.js';
import type { TimePart } from '../analyzer/contract/vocabulary.js';
import { defineRule } from './types.js';

interface Data {
  phase: 'decode' | 'prefill';
  tp: number;
  baseTp: number;
  efficiency: number;
  speedup: number;
  tokensPerSReplica: number;
  baseTokensPerSReplica: number;
  tokensPerSGpu: number;
  baseTokensPerSGpu: number;
  /** The parts furthest beyond ideal scaling, ns per step per GPU. */
  lost: [TimePart, number][];
  /** Transfer beyond ideal: what the all-reduces themselves cost the higher TP. */
  transferLostNs: number;
}

/** Time lost to ranks waiting for each other or GPUs waiting for the host is not the cost of TP itself. */
const HOST_PARTS: ReadonlySet<TimePart> = new Set(['comm waiting', 'idle']);

export const rule = defineRule({
  meta: {
    id: 'poor-tp-scaling',
    severity: 'warning',
    title: 'TP scales poorly',
    description:
      'Across traces of one model at several TP degrees, a higher TP reaches less than a share of ideal throughput scaling ' +
      'against the smallest TP measured: per-GPU throughput and cost per token favour the smaller TP.',
    options: { threshold: { type: 'ratio', default: 0.7, description: 'scaling efficiency below which the rule fires' } },
    requires: [],
    messages: {
      poor:
        '{phase, capital} at TP={tp} reaches {efficiency * 100, fixed, 1}% scaling efficiency against TP={baseTp}: ' +
        '{tp / baseTp}× the GPUs give {speedup, fixed, 2}× the tokens/s per replica ({tokensPerSReplica, count} vs {baseTokensPerSReplica, count}), ' +
        'so tokens/s per GPU fall from {baseTokensPerSGpu, count} to {tokensPerSGpu, count} and each token costs {1 / efficiency, fixed, 2}× the GPU time' +
        '{lost, select, none {.} other {; beyond ideal scaling the step spends {lost, and, {#.1, ns} in {#.0}} per GPU.}}',
      fixHost:
        'The higher TP loses its time to ranks waiting for each other and GPUs waiting for the host, not to moving data (the all-reduce ' +
        'transfer grows by only {transferLostNs, ns} per step): the TP={tp} run is host-bound (diagnose it: host-bound-gaps, ' +
        'collective-wait). Take the host work out of the step (CUDA graphs for decode, static shapes, warmed-up plans) and measure the ' +
        'scaling again before choosing a TP; until then per-GPU throughput and $/MTok favour TP={baseTp}.',
      fix:
        'Per-GPU throughput and $/MTok favour TP={baseTp}: serve at the smaller TP (more replicas on the same GPUs) unless latency per ' +
        'token or the KV cache needs TP={tp}. Where the higher TP is needed, make its all-reduces cheaper: they are small and ' +
        'latency-bound in decode (a one-shot custom all-reduce, all-reduce fused with the residual add + RMSNorm, CUDA graphs), ' +
        'and a larger batch per step spreads their fixed cost over more tokens. Work that TP does not split (the norms and ' +
        'residual adds run on the full hidden state on every rank) keeps its time at every TP.',
    },
  },
  check(rows: readonly ScalingRow[], o) {
    const base = rows[0];
    if (!base) return [];
    return (['decode', 'prefill'] as const).flatMap((phase) => {
      const b = base[phase];
      return rows.slice(1).flatMap((r) => {
        const p = r[phase];
        if (!b || !p || p.efficiency === null || p.speedup === null || !(p.efficiency < o.threshold)) return [];
        const lost = Object.entries(p.beyondIdealNs ?? {})
          .filter(([, ns]) => ns > 0)
          .sort((x, y) => y[1] - x[1])
          .slice(0, 2) as [TimePart, number][];
        const hostBound = lost.length > 0 && HOST_PARTS.has(lost[0]![0]);
        return [{
          messageId: 'poor' as const,
          fixId: hostBound ? ('fixHost' as const) : ('fix' as const),
          data: {
            phase, tp: r.tp, baseTp: base.tp, efficiency: p.efficiency, speedup: p.speedup, tokensPerSReplica: p.tokensPerSReplica!,
            baseTokensPerSReplica: b.tokensPerSReplica!, tokensPerSGpu: p.tokensPerSGpu!, baseTokensPerSGpu: b.tokensPerSGpu!, lost,
            transferLostNs: p.beyondIdealNs?.['comm transfer'] ?? 0,
          } satisfies Data,
          evidence: {
            phase, tp: r.tp, baseTp: base.tp, efficiency: p.efficiency, speedup: p.speedup,
            tokensPerSReplica: p.tokensPerSReplica, baseTokensPerSReplica: b.tokensPerSReplica,
            tokensPerSGpu: p.tokensPerSGpu, baseTokensPerSGpu: b.tokensPerSGpu, stepNs: p.stepNs, baseStepNs: b.stepNs,
            commShare: p.commShare, beyondIdealNs: p.beyondIdealNs, usdPerMTok: p.usdPerMTok, baseUsdPerMTok: b.usdPerMTok,
          },
          impactNs: (p.stepNs * (1 - p.efficiency)),
        }];
      });
    });
  },
});
