/**
 * comm-dominant-step: communication that really moves data (transfer time, not waiting) takes a large part
 * of the step: the cost of the TP degree itself.
 */
import { phaseOf } from '../analyzer/breakdown/phaseSummary.js';
import { settingList } from '../analyzer/runtime/environment.js';
import { PHASES, type Phase } from '../analyzer/contract/vocabulary.js';
import { median } from '../analyzer/util/stats.js';
import { adviceMessages, runtimeAdvice } from './advice.js';
import { typicalStepAt } from '../analyzer/timeline/locations.js';
import { defineTraceRule } from './types.js';
import { SETTING_LIST, TYPICAL_STEP } from './sharedMessages.js';
import { text, type Text } from './messageFormat.js';

interface Data {
  phase: Phase;
  tp: number;
  transferShare: number;
  transferPerStepNs: number;
  stepSpanNs: number;
  advice: ReturnType<typeof runtimeAdvice>;
  /** Recorded settings that likely keep these collectives off NVLink (low-bus-bandwidth's guess), when any. */
  suspectSettings: Text<'settingList'> | null;
}

export const rule = defineTraceRule({
  meta: {
    id: 'comm-dominant-step',
    severity: 'warning',
    title: 'Communication transfer dominates the step',
    description:
      'Collective transfer time (the shortest rank\'s kernel per collective: waiting excluded) is more than a share of the step span. ' +
      'Where the fabric is measured slow, low-bus-bandwidth explains it and supersedes this finding; where the recorded settings only ' +
      'make it suspect, the finding fires and says so.',
    options: { threshold: { type: 'ratio', default: 0.3, description: 'transfer share of the step span above which the rule fires' } },
    deps: ['steps', 'collectives', 'collectiveSummary', 'model', 'phases', 'runtime', 'fabric', 'tp'],
    messages: {
      dominant:
        'Collective transfer takes {transferShare, pct} of the {phase, phaseStep} time at TP={tp} ({transferPerStepNs, ns} of {stepSpanNs, ns} per step, median over GPUs), ' +
        'with waiting for late ranks already excluded: the all-reduces themselves are the bottleneck.' +
        '{suspectSettings, select, none {} other { The recorded {suspectSettings} likely slows them (low-bus-bandwidth); without message sizes that is not measured.}}',
      fix:
        '{suspectSettings, select, none {} other {First unset {suspectSettings.data.settings, comma, {name}} and measure again; then: }}' +
        'Lower the TP degree if the model fits (each rank then does more compute per all-reduce), batch more tokens per step so each ' +
        'collective carries more work, and use a fused or custom all-reduce. {advice}',
      ...adviceMessages('allreduce'),
      ...TYPICAL_STEP,
      ...SETTING_LIST,
    },
  },
  check(a, o) {
    const classes = a.collectiveSummary.classes;
    return PHASES.flatMap((phase) => {
      const perDevice = a.model.devices.flatMap((d) => {
        const p = phaseOf(a.phases, d.index, phase);
        if (!p || p.steadyCount === 0) return [];
        return [{ device: d.index, share: p.totalSpanNs > 0 ? p.commTransferNs / p.totalSpanNs : 0, perStep: p.commTransferNs / p.steadyCount, span: p.totalSpanNs / p.steadyCount }];
      });
      if (perDevice.length === 0) return [];
      const share = median(perDevice.map((x) => x.share));
      if (!(share > o.threshold)) return [];
      const perStep = median(perDevice.map((x) => x.perStep));
      const span = median(perDevice.map((x) => x.span));
      const tp = a.tp;
      return [{
        messageId: 'dominant' as const,
        fixId: 'fix' as const,
        data: {
          phase, tp, transferShare: share, transferPerStepNs: perStep, stepSpanNs: span, advice: runtimeAdvice(a.runtime),
          suspectSettings: a.fabric.suspectIn(phase) ? text('settingList', { settings: settingList(a.fabric.health.settings) }) : null,
        } satisfies Data,
        // A fabric measured slow is the cause: the TP degree is not to blame for a link that does not work.
        ...(a.fabric.slowIn(phase) ? { supersededBy: 'low-bus-bandwidth' } : {}),
        costShare: share,
        evidence: {
          phase, tp, transferShare: share, transferPerStepNs: perStep, stepSpanNs: span,
          perDevice: perDevice.map((x) => ({ deviceId: a.model.devices[x.device]!.deviceId, transferShare: x.share })),
          sizeClasses: classes.filter((k) => k.phase === phase).map((k) => ({ op: k.op, bytes: k.bytes, count: k.count, transferMedianNs: k.transferMedianNs, busGBps: k.busGBps })),
        },
        impactNs: perStep * (share - o.threshold) / share,
        locations: typicalStepAt(a, a.steps, phase, perDevice.sort((x, y) => y.share - x.share)[0]!.device),
      }];
    });
  },
});
