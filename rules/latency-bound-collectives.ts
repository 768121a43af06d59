/**
 * latency-bound-collectives: many small collectives per step, each at the fabric's latency floor: faster
 * links will not help, fewer or fused collectives will.
 */
import { phaseOf } from '../analyzer/breakdown/phaseSummary.js';
import { LATENCY_BOUND_BYTES } from '../analyzer/collectives/busBandwidth.js';
import { median, percentile } from '../analyzer/util/stats.js';
import { typicalCollectiveAt } from '../analyzer/timeline/locations.js';
import { PHASES } from '../analyzer/contract/vocabulary.js';
import { text } from './messageFormat.js';
import { defineTraceRule } from './types.js';

interface Data {
  phase: string;
  perStep: number;
  ops: string[];
  sizes: (number | null)[];
  medianTransferNs: number;
  floorNs: number;
  transferPerStepNs: number;
  stepSpanNs: number;
}

export const rule = defineTraceRule({
  meta: {
    id: 'latency-bound-collectives',
    severity: 'warning',
    title: 'Many small collectives at the latency floor',
    description:
      'A phase runs many small collectives per step (below 1 MiB, or of unknown size but with transfer times in the latency regime), each ' +
      'close to the fastest the trace shows, and together they are a material share of the step.',
    options: {
      minPerStep: { type: 'count', default: 16, description: 'small collectives per step from which the rule fires' },
      minShareOfStep: { type: 'ratio', default: 0.05, description: 'their transfer per step, as a share of the step, from which it matters' },
      latencyRegimeNs: { type: 'duration', default: 25_000, description: 'transfer time (ns) below which a collective of unknown size counts as small' },
      floorFactor: { type: 'factor', default: 2, description: 'how far above the fastest small collective the median may be and still be at the floor' },
    },
    deps: ['steps', 'collectives', 'collectiveSummary', 'model', 'opStep', 'phases', 'steady'],
    messages: {
      floor:
        '{perStep, fixed, 0} {ops, slash}s per {phase, phaseStep} ({sizes, comma, {#, select, null {unknown size} other {{#, bytes}}}}) take {medianTransferNs, ns} of transfer each, ' +
        'at the latency floor (fastest {floorNs, ns}): {transferPerStepNs, ns} per step, {transferPerStepNs / stepSpanNs, pct} of the {stepSpanNs, ns} step. ' +
        'More bandwidth will not shorten them; fewer, fused or lower-latency collectives will.',
      fix:
        'Use a one-shot custom all-reduce for small messages (vLLM and SGLang enable theirs unless disabled; TensorRT-LLM picks ONESHOT for ' +
        'small sizes), fuse the all-reduce with the following residual add + RMSNorm (TensorRT-LLM / FlashInfer all-reduce fusion), keep ' +
        'decode in CUDA graphs, and weigh a smaller TP: each step pays two all-reduces per layer whatever the batch.',
      typical: 'a typical small {phase} {op} (transfer at the latency floor)',
    },
  },
  check(a, o) {
    const s = a.collectiveSummary;
    const small = s.classes.filter((k) => k.phase !== 'outside' && (k.latencyBound || (k.bytes === null && k.transferMedianNs < o.latencyRegimeNs)));
    if (small.length === 0) return [];
    // The floor: the fastest small collectives this fabric ran in the trace.
    const floor = percentile(small.flatMap((k) => k.instances.map((i) => a.collectives.transferNs[i]!)), 0.05);
    return PHASES.flatMap((phase) => {
      const ks = small.filter((k) => k.phase === phase);
      if (ks.length === 0) return [];
      // Per GPU: its small collectives inside its own steady steps, per such step, and its mean span; then
      // the median over GPUs (GPUs can differ by a steady step, and a collective counts where it ran).
      const c = a.collectives;
      const perGpu = a.model.devices.flatMap((d) => {
        const sum = phaseOf(a.phases, d.index, phase);
        if (!sum || sum.steadyCount === 0) return [];
        let n = 0;
        let t = 0;
        for (const k of ks) for (const i of k.instances) {
          const op = c.ops[i * c.nDevices + d.index]!;
          const s = op >= 0 ? a.opStep[op]! : -1;
          if (s < 0 || a.steady[s] !== 1 || a.steps.steps[s]!.phase !== phase) continue;
          n++;
          t += c.transferNs[i]!;
        }
        return n ? [{ perStep: n / sum.steadyCount, transfer: t / sum.steadyCount, span: sum.totalSpanNs / sum.steadyCount }] : [];
      });
      if (perGpu.length === 0) return [];
      const perStep = median(perGpu.map((x) => x.perStep));
      const transfer = median(perGpu.map((x) => x.transfer));
      const span = median(perGpu.map((x) => x.span));
      const med = median(ks.flatMap((k) => k.instances.map((i) => a.collectives.transferNs[i]!)));
      if (perStep < o.minPerStep || transfer < o.minShareOfStep * span || med > o.floorFactor * floor) return [];
      return [{
        messageId: 'floor' as const,
        fixId: 'fix' as const,
        data: {
          phase, perStep, ops: [...new Set(ks.map((k) => k.op))], sizes: [...new Set(ks.map((k) => k.bytes))], medianTransferNs: med, floorNs: floor,
          transferPerStepNs: transfer, stepSpanNs: span,
        } satisfies Data,
        evidence: {
          phase, perStep, medianTransferNs: med, floorNs: floor, transferPerStepNs: transfer, stepSpanNs: span,
          sizeClasses: ks.map((k) => ({ op: k.op, bytes: k.bytes, count: k.count, kernel: k.kernel, medianTransferNs: k.transferMedianNs })),
          smallBytesBelow: LATENCY_BOUND_BYTES,
        },
        impactNs: transfer - floor * perStep,
        locations: typicalCollectiveAt(a, ks.flatMap((k) => k.instances), text('typical', { phase, op: ks[0]!.op })),
      }];
    });
  },
});
