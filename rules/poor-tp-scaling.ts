/**
 * poor-tp-scaling (across traces, `nsys-tp scaling`): going up in TP buys less than its share of GPUs.
 * Efficiency = (tokens/s per replica / the smallest TP's) / (TP / smallest TP), which equals the ratio of
 * tokens/s per GPU, so below 1 every token costs more GPU time than at the smallest TP.
 */
import type { TimeClass } from '../analyzer/breakdown/steadyProfile.js';
import { fmtNs } from '../analyzer/report/format.js';
import type { Finding, ScalingRule } from './types.js';

const n = (x: number) => Math.round(x).toLocaleString('en-US');

export const rule: ScalingRule = {
  meta: {
    id: 'poor-tp-scaling',
    severity: 'warning',
    title: 'TP scales poorly',
    description:
      'Across traces of one model at several TP degrees, a higher TP reaches less than a share of ideal throughput scaling ' +
      'against the smallest TP measured: per-GPU throughput and cost per token favour the smaller TP.',
    defaults: { threshold: 0.7 },
    requires: ['scaling'],
  },
  checkScaling(rows, o) {
    const out: Finding[] = [];
    const base = rows[0];
    if (!base) return out;
    for (const phase of ['decode', 'prefill'] as const) {
      const b = base[phase];
      for (const r of rows.slice(1)) {
        const p = r[phase];
        if (!b || !p || p.efficiency === null || p.speedup === null || !(p.efficiency < (o.threshold as number))) continue;
        const lost = Object.entries(p.beyondIdealNs ?? {})
          .filter(([, ns]) => ns > 0)
          .sort((x, y) => y[1] - x[1])
          .slice(0, 2) as [TimeClass, number][];
        const costRatio = 1 / p.efficiency;
        out.push({
          rule: 'poor-tp-scaling',
          severity: 'warning',
          message:
            `${phase[0]!.toUpperCase() + phase.slice(1)} at TP=${r.tp} reaches ${(p.efficiency * 100).toFixed(1)}% scaling efficiency against TP=${base.tp}: ` +
            `${r.tp / base.tp}× the GPUs give ${p.speedup.toFixed(2)}× the tokens/s per replica (${n(p.tokensPerSReplica!)} vs ${n(b.tokensPerSReplica!)}), ` +
            `so tokens/s per GPU fall from ${n(b.tokensPerSGpu!)} to ${n(p.tokensPerSGpu!)} and each token costs ${costRatio.toFixed(2)}× the GPU time` +
            (lost.length ? `; beyond ideal scaling the step spends ${lost.map(([c, ns]) => `${fmtNs(ns)} in ${c}`).join(' and ')} per GPU.` : '.'),
          evidence: {
            phase, tp: r.tp, baseTp: base.tp, efficiency: p.efficiency, speedup: p.speedup,
            tokensPerSReplica: p.tokensPerSReplica, baseTokensPerSReplica: b.tokensPerSReplica,
            tokensPerSGpu: p.tokensPerSGpu, baseTokensPerSGpu: b.tokensPerSGpu, stepNs: p.stepNs, baseStepNs: b.stepNs,
            commShare: p.commShare, beyondIdealNs: p.beyondIdealNs, usdPerMTok: p.usdPerMTok, baseUsdPerMTok: b.usdPerMTok,
          },
          recommendation:
            `Per-GPU throughput and $/MTok favour TP=${base.tp}: serve at the smaller TP (more replicas on the same GPUs) unless latency per ` +
            `token or the KV cache needs TP=${r.tp}. Where the higher TP is needed, make its all-reduces cheaper: they are small and ` +
            'latency-bound in decode (a one-shot custom all-reduce, all-reduce fused with the residual add + RMSNorm, CUDA graphs), ' +
            'and a larger batch per step spreads their fixed cost over more tokens. Work that TP does not split (the norms and ' +
            'residual adds run on the full hidden state on every rank) keeps its time at every TP.',
          impactNs: (p.stepNs * (1 - p.efficiency)),
        });
      }
    }
    return out;
  },
};
