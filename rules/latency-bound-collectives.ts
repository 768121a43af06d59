/**
 * latency-bound-collectives: many small collectives per step, each at the fabric's latency floor: faster
 * links will not help, fewer or fused collectives will.
 */
import type { Analysis } from '../analyzer/analysis.js';
import { LATENCY_BOUND_BYTES } from '../analyzer/collectives/busBandwidth.js';
import { fmtBytes, fmtNs, fmtPct } from '../analyzer/report/format.js';
import { median, percentile } from '../analyzer/util/stats.js';
import type { Finding, Rule } from './types.js';

export const rule: Rule = {
  meta: {
    id: 'latency-bound-collectives',
    severity: 'warning',
    title: 'Many small collectives at the latency floor',
    description:
      'A phase runs many small collectives per step (below 1 MiB, or of unknown size but with transfer times in the latency regime), each ' +
      'close to the fastest the trace shows, and together they are a material share of the step.',
    defaults: { minPerStep: 16, minShareOfStep: 0.05, latencyRegimeNs: 25_000, floorFactor: 2 },
    requires: ['collectives', 'steps'],
  },
  check(a: Analysis, o) {
    const out: Finding[] = [];
    const s = a.collectiveSummary;
    const small = s.classes.filter((k) => k.phase !== 'none' && (k.latencyBound || (k.bytes === null && k.transferMedianNs < (o.latencyRegimeNs as number))));
    if (small.length === 0) return out;
    // The floor: the fastest small collectives this fabric ran in the trace.
    const floor = percentile(small.flatMap((k) => k.instances.map((i) => a.collectives.transferNs[i]!)), 0.05);
    for (const phase of ['prefill', 'mixed', 'decode', 'step'] as const) {
      const ks = small.filter((k) => k.phase === phase);
      if (ks.length === 0) continue;
      const steady = a.model.devices.map((d) => a.steadyStepsOf(d.index, phase)).filter((s) => s.length);
      const steps = median(steady.map((s) => s.length));
      const span = median(steady.map((s) => median(s.map((x) => x.end - x.start))));
      const count = ks.reduce((x, k) => x + k.count, 0);
      const perStep = count / Math.max(1, steps);
      const transfer = ks.reduce((x, k) => x + k.transferTotalNs, 0) / Math.max(1, steps);
      const med = median(ks.flatMap((k) => k.instances.map((i) => a.collectives.transferNs[i]!)));
      if (perStep < (o.minPerStep as number) || transfer < (o.minShareOfStep as number) * span || med > (o.floorFactor as number) * floor) continue;
      const sizes = [...new Set(ks.map((k) => k.bytes))].map((b) => (b === null ? 'unknown size' : fmtBytes(b))).join(', ');
      out.push({
        rule: 'latency-bound-collectives',
        severity: 'warning',
        message:
          `${perStep.toFixed(0)} ${[...new Set(ks.map((k) => k.op))].join(' / ')}s per ${phase} step (${sizes}) take ${fmtNs(med)} of transfer each, ` +
          `at the latency floor (fastest ${fmtNs(floor)}): ${fmtNs(transfer)} per step, ${fmtPct(transfer / span)} of the ${fmtNs(span)} step. ` +
          `More bandwidth will not shorten them; fewer, fused or lower-latency collectives will.`,
        evidence: {
          phase, perStep, medianTransferNs: med, floorNs: floor, transferPerStepNs: transfer, stepSpanNs: span,
          sizeClasses: ks.map((k) => ({ op: k.op, bytes: k.bytes, count: k.count, kernel: k.kernel, medianTransferNs: k.transferMedianNs })),
          smallBytesBelow: LATENCY_BOUND_BYTES,
        },
        recommendation:
          'Use a one-shot custom all-reduce for small messages (vLLM and SGLang enable theirs unless disabled; TensorRT-LLM picks ONESHOT for ' +
          'small sizes), fuse the all-reduce with the following residual add + RMSNorm (TensorRT-LLM / FlashInfer all-reduce fusion), keep ' +
          'decode in CUDA graphs, and weigh a smaller TP: each step pays two all-reduces per layer whatever the batch.',
        impactNs: transfer - floor * perStep,
      });
    }
    return out;
  },
};
