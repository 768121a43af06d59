/**
 * comm-serialized: collectives never overlap compute, and the data they move (transfer, not waiting) is a
 * material part of the step: overlapping it is the saving.
 */
import { phaseOf } from '../analyzer/breakdown/phaseSummary.js';
import { steadyStepsOf } from '../analyzer/steps/steady.js';
import { settingList } from '../analyzer/runtime/environment.js';
import { PHASES, type Phase } from '../analyzer/contract/vocabulary.js';
import { SETTING_LIST, TYPICAL_STEP } from './sharedMessages.js';
import { text, type Text } from './messageFormat.js';
import { median } from '../analyzer/util/stats.js';
import { typicalStepAt } from '../analyzer/timeline/locations.js';
import { defineTraceRule } from './types.js';

interface Data {
  phase: Phase;
  overlap: number;
  exposedTransferNsPerStep: number;
  exposedTransferShare: number;
  stepSpanNs: number;
  /** Recorded settings that likely keep these collectives off NVLink (low-bus-bandwidth's guess), when any. */
  suspectSettings: Text<'settingList'> | null;
}

export const rule = defineTraceRule({
  meta: {
    id: 'comm-serialized',
    severity: 'warning',
    title: 'Communication serialized with compute',
    description:
      'Less than 5% of communication time overlaps compute while exposed communication (counted as transfer, waiting excluded) is ' +
      'more than 10% of the step. The potential saving is the exposed transfer time. Where the fabric is measured slow, low-bus-bandwidth ' +
      'explains it and supersedes this finding.',
    options: {
      maxOverlap: { type: 'ratio', default: 0.05, description: 'share of communication overlapping compute below which it counts as serialized' },
      minExposedShare: { type: 'ratio', default: 0.1, description: 'exposed transfer share of the step above which the rule fires' },
    },
    deps: ['steps', 'collectives', 'breakdowns', 'model', 'phases', 'fabric', 'transferPerStep'],
    messages: {
      serialized:
        '{phase} collectives run with compute idle: {overlap, pct} of communication overlaps compute, and the exposed transfer ' +
        'is {exposedTransferNsPerStep, ns} per step, {exposedTransferShare, pct} of the {stepSpanNs, ns} step (means over steady steps, median over GPUs). Overlapping it would save up to that.' +
        '{suspectSettings, select, none {} other { The recorded {suspectSettings} likely makes the transfer itself slow (low-bus-bandwidth); without message sizes that is not measured.}}',
      fix:
        '{suspectSettings, select, none {} other {First unset {suspectSettings.data.settings, comma, {name}} and measure again; then: }}' +
        'Overlap communication with independent compute: split the batch into micro-batches and all-reduce one while the other computes, ' +
        'or use a runtime feature that overlaps TP communication with GEMMs (async TP / collective matmul, ' +
        'userbuffers); with sequence parallelism the all-gather can be overlapped with the next GEMM.',
      ...TYPICAL_STEP,
      ...SETTING_LIST,
    },
  },
  check(a, o) {
    const transfer = a.transferPerStep;
    return PHASES.flatMap((phase) => {
      const rows = a.model.devices.flatMap((d) => {
        const steps = steadyStepsOf(a.steps, d.index, phase);
        const sum = phaseOf(a.phases, d.index, phase);
        if (steps.length === 0 || !sum) return [];
        // Of the comm time not hidden by compute, the part that moved data: waiting belongs to collective-wait.
        let exposedTransfer = 0;
        for (const s of steps) {
          const b = a.breakdowns[s.index]!;
          exposedTransfer += b.commNs > 0 ? b.exposedCommNs * Math.min(1, transfer[s.index]! / b.commNs) : 0;
        }
        return [{
          device: d.index, overlap: sum.commNs > 0 ? sum.overlap : 1, exposed: exposedTransfer / steps.length,
          share: sum.totalSpanNs > 0 ? exposedTransfer / sum.totalSpanNs : 0, span: sum.totalSpanNs / steps.length,
        }];
      });
      if (rows.length === 0) return [];
      const overlap = median(rows.map((r) => r.overlap));
      const share = median(rows.map((r) => r.share));
      if (overlap >= o.maxOverlap || share <= o.minExposedShare) return [];
      const exposed = median(rows.map((r) => r.exposed));
      return [{
        messageId: 'serialized' as const,
        fixId: 'fix' as const,
        data: {
          phase, overlap, exposedTransferNsPerStep: exposed, exposedTransferShare: share, stepSpanNs: median(rows.map((r) => r.span)),
          suspectSettings: a.fabric.suspectIn(phase) ? text('settingList', { settings: settingList(a.fabric.health.settings) }) : null,
        } satisfies Data,
        // Collectives slowed by a fabric measured slow are low-bus-bandwidth's finding first, not an overlap problem.
        ...(a.fabric.slowIn(phase) ? { supersededBy: 'low-bus-bandwidth' } : {}),
        costShare: share,
        evidence: {
          phase, overlap, exposedTransferNsPerStep: exposed, exposedTransferShare: share,
          perDevice: rows.map((r) => ({ deviceId: a.model.devices[r.device]!.deviceId, overlap: r.overlap, exposedTransferShare: r.share })),
        },
        impactNs: exposed,
        locations: typicalStepAt(a, a.steps, phase, [...rows].sort((x, y) => y.share - x.share)[0]!.device),
      }];
    });
  },
});
