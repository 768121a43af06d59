/**
 * comm-serialized: collectives never overlap compute, and the data they move (transfer, not waiting) is a
 * material part of the step: overlapping it is the saving.
 */
import type { Analysis } from '../analyzer/analysis.js';
import { transferPerStep } from '../analyzer/collectives/stepTransfer.js';
import { fmtNs, fmtPct } from '../analyzer/report/format.js';
import type { Phase } from '../analyzer/steps/types.js';
import { median } from '../analyzer/util/stats.js';
import type { Finding, Rule } from './types.js';

export const rule: Rule = {
  meta: {
    id: 'comm-serialized',
    severity: 'warning',
    title: 'Communication serialized with compute',
    description:
      'Less than 5% of communication time overlaps compute while exposed communication (counted as transfer, waiting excluded) is ' +
      'more than 10% of the step. The potential saving is the exposed transfer time.',
    defaults: { maxOverlap: 0.05, minExposedShare: 0.1, slowBusFraction: 0.3 },
    requires: ['steps', 'collectives'],
  },
  check(a: Analysis, o) {
    const out: Finding[] = [];
    const transfer = transferPerStep(a);
    for (const phase of ['prefill', 'mixed', 'decode', 'step'] as Phase[]) {
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
      if (rows.length === 0) continue;
      const overlap = median(rows.map((r) => r.overlap));
      const share = median(rows.map((r) => r.share));
      if (overlap >= (o.maxOverlap as number) || share <= (o.minExposedShare as number)) continue;
      // Collectives slowed by a misused fabric are low-bus-bandwidth's finding, not an overlap problem.
      const slow = a.collectiveSummary.classes.some((k) => k.phase === phase && k.busGBps !== null && k.expectedBusGBps !== null && k.busGBps < (o.slowBusFraction as number) * k.expectedBusGBps);
      if (slow) continue;
      const exposed = median(rows.map((r) => r.exposed));
      out.push({
        rule: 'comm-serialized',
        severity: 'warning',
        message:
          `${phase} collectives run with compute idle: ${fmtPct(overlap)} of communication overlaps compute, and the exposed transfer ` +
          `is ${fmtNs(exposed)} per step, ${fmtPct(share)} of the ${fmtNs(median(rows.map((r) => r.span)))} step. Overlapping it would save up to that.`,
        evidence: {
          phase, overlap, exposedTransferNsPerStep: exposed, exposedTransferShare: share,
          perDevice: rows.map((r) => ({ deviceId: a.model.devices[r.device]!.deviceId, overlap: r.overlap, exposedTransferShare: r.share })),
        },
        recommendation:
          'Overlap communication with independent compute: split the batch into micro-batches and all-reduce one while the other computes ' +
          '(as tp4overlap does), or use a runtime feature that overlaps TP communication with GEMMs (async TP / collective matmul, ' +
          'userbuffers); with sequence parallelism the all-gather can be overlapped with the next GEMM.',
        impactNs: exposed,
      });
    }
    return out;
  },
};
