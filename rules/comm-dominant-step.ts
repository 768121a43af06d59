/**
 * comm-dominant-step: communication that really moves data (transfer time, not waiting) takes a large part
 * of the step: the cost of the TP degree itself.
 */
import type { Analysis } from '../analyzer/analysis.js';
import { transferPerStep } from '../analyzer/collectives/stepTransfer.js';
import { fmtNs, fmtPct } from '../analyzer/report/format.js';
import { tpDegree } from '../analyzer/roofline/achievement.js';
import type { Phase } from '../analyzer/steps/types.js';
import { median } from '../analyzer/util/stats.js';
import { runtimeAdvice } from './advice.js';
import type { Finding, Rule } from './types.js';

export const rule: Rule = {
  meta: {
    id: 'comm-dominant-step',
    severity: 'warning',
    title: 'Communication transfer dominates the step',
    description:
      'Collective transfer time (the shortest rank\'s kernel per collective: waiting excluded) is more than a share of the step span. ' +
      'Silent where the collectives are slow because the fabric is misused (low-bus-bandwidth explains that).',
    defaults: { threshold: 0.3, slowBusFraction: 0.3 },
    requires: ['collectives', 'steps'],
  },
  check(a: Analysis, o) {
    const out: Finding[] = [];
    const transfer = transferPerStep(a);
    const classes = a.collectiveSummary.classes;
    for (const phase of ['prefill', 'mixed', 'decode', 'step'] as Phase[]) {
      const perDevice = a.model.devices.flatMap((d) => {
        const steps = a.steadyStepsOf(d.index, phase);
        if (steps.length === 0) return [];
        return [{ device: d.index, share: median(steps.map((s) => (s.end > s.start ? transfer[s.index]! / (s.end - s.start) : 0))), perStep: median(steps.map((s) => transfer[s.index]!)), span: median(steps.map((s) => s.end - s.start)) }];
      });
      if (perDevice.length === 0) continue;
      const share = median(perDevice.map((x) => x.share));
      if (!(share > (o.threshold as number))) continue;
      const slow = classes.find((k) => k.phase === phase && k.busGBps !== null && k.expectedBusGBps !== null && k.busGBps < (o.slowBusFraction as number) * k.expectedBusGBps);
      if (slow) continue;
      const perStep = median(perDevice.map((x) => x.perStep));
      const span = median(perDevice.map((x) => x.span));
      const tp = tpDegree(a);
      out.push({
        rule: 'comm-dominant-step',
        severity: 'warning',
        message:
          `Collective transfer takes ${fmtPct(share)} of the ${phase} step at TP=${tp} (${fmtNs(perStep)} of ${fmtNs(span)}, median over GPUs and steps), ` +
          `with waiting for late ranks already excluded: the all-reduces themselves are the bottleneck.`,
        evidence: {
          phase, tp, transferShare: share, transferPerStepNs: perStep, stepSpanNs: span,
          perDevice: perDevice.map((x) => ({ deviceId: a.model.devices[x.device]!.deviceId, transferShare: x.share })),
          sizeClasses: classes.filter((k) => k.phase === phase).map((k) => ({ op: k.op, bytes: k.bytes, count: k.count, transferMedianNs: k.transferMedianNs, busGBps: k.busGBps })),
        },
        recommendation:
          `Lower the TP degree if the model fits (each rank then does more compute per all-reduce), batch more tokens per step so each ` +
          `collective carries more work, and use a fused or custom all-reduce. ${runtimeAdvice(a, 'allreduce')}`,
        impactNs: perStep * (share - (o.threshold as number)) / share,
      });
    }
    return out;
  },
};
