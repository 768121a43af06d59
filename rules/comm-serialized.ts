/**
 * comm-serialized: collectives never overlap compute, and the data they move (transfer, not waiting) is a
 * material part of the step: overlapping it is the saving.
 */
import type { Analysis } from '../analyzer/analysis.js';
import { fabricSlowIn } from '../analyzer/collectives/fabricHealth.js';
import { transferPerStep } from '../analyzer/collectives/stepTransfer.js';
import type { Phase } from '../analyzer/steps/types.js';
import { fmtNs, fmtPct } from '../analyzer/text/units.js';
import { median } from '../analyzer/util/stats.js';
import { defineRule } from './types.js';

interface Data {
  phase: Phase;
  overlap: number;
  exposedTransferNsPerStep: number;
  exposedTransferShare: number;
  stepSpanNs: number;
}

export const rule = defineRule({
  meta: {
    id: 'comm-serialized',
    severity: 'warning',
    title: 'Communication serialized with compute',
    description:
      'Less than 5% of communication time overlaps compute while exposed communication (counted as transfer, waiting excluded) is ' +
      'more than 10% of the step. The potential saving is the exposed transfer time.',
    options: {
      maxOverlap: { type: 'ratio', default: 0.05, description: 'share of communication overlapping compute below which it counts as serialized' },
      minExposedShare: { type: 'ratio', default: 0.1, description: 'exposed transfer share of the step above which the rule fires' },
    },
    requires: ['steps', 'collectives'],
    messages: {
      serialized: (d: Data) =>
        `${d.phase} collectives run with compute idle: ${fmtPct(d.overlap)} of communication overlaps compute, and the exposed transfer ` +
        `is ${fmtNs(d.exposedTransferNsPerStep)} per step, ${fmtPct(d.exposedTransferShare)} of the ${fmtNs(d.stepSpanNs)} step. Overlapping it would save up to that.`,
      fix: () =>
        'Overlap communication with independent compute: split the batch into micro-batches and all-reduce one while the other computes ' +
        '(as tp4overlap does), or use a runtime feature that overlaps TP communication with GEMMs (async TP / collective matmul, ' +
        'userbuffers); with sequence parallelism the all-gather can be overlapped with the next GEMM.',
    },
  },
  check(a: Analysis, o) {
    const transfer = transferPerStep(a);
    return (['prefill', 'decode', 'step'] as Phase[]).flatMap((phase) => {
      const rows = a.model.devices.flatMap((d) => {
        const steps = a.steadyStepsOf(d.index, phase);
        if (steps.length === 0) return [];
        const per = steps.map((s) => {
          const b = a.breakdowns[s.index]!;
          // Of the comm time not hidden by compute, the part that moved data: waiting belongs to collective-wait.
          const moving = b.commNs > 0 ? Math.min(1, transfer[s.index]! / b.commNs) : 0;
          return { overlap: b.commNs > 0 ? b.overlapNs / b.commNs : 1, exposedTransfer: b.exposedCommNs * moving, span: b.spanNs };
        });
        return [{ device: d.index, overlap: median(per.map((p) => p.overlap)), exposed: median(per.map((p) => p.exposedTransfer)), share: median(per.map((p) => (p.span ? p.exposedTransfer / p.span : 0))), span: median(per.map((p) => p.span)) }];
      });
      if (rows.length === 0) return [];
      const overlap = median(rows.map((r) => r.overlap));
      const share = median(rows.map((r) => r.share));
      // Collectives slowed by a misused fabric are low-bus-bandwidth's finding, not an overlap problem.
      if (overlap >= o.maxOverlap || share <= o.minExposedShare || fabricSlowIn(a, phase)) return [];
      const exposed = median(rows.map((r) => r.exposed));
      return [{
        messageId: 'serialized' as const,
        fixId: 'fix' as const,
        data: { phase, overlap, exposedTransferNsPerStep: exposed, exposedTransferShare: share, stepSpanNs: median(rows.map((r) => r.span)) },
        evidence: {
          phase, overlap, exposedTransferNsPerStep: exposed, exposedTransferShare: share,
          perDevice: rows.map((r) => ({ deviceId: a.model.devices[r.device]!.deviceId, overlap: r.overlap, exposedTransferShare: r.share })),
        },
        impactNs: exposed,
      }];
    });
  },
});
