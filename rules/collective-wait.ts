/**
 * collective-wait: most NCCL kernel time is ranks waiting for each other, not moving data.
 */
import type { Analysis } from '../analyzer/analysis.js';
import { explainLateArrival } from '../analyzer/collectives/lateness.js';
import { phaseCollectives } from '../analyzer/collectives/phaseStats.js';
import { fmtNs, fmtPct } from '../analyzer/report/format.js';
import type { Phase } from '../analyzer/steps/types.js';
import type { Finding, Rule } from './types.js';

export const rule: Rule = {
  meta: {
    id: 'collective-wait',
    severity: 'warning',
    title: 'Ranks wait for each other inside collectives',
    description: 'More than half of the collective kernel time is waiting for the last rank to arrive, and that waiting is a material part of the step.',
    defaults: { waitShare: 0.5, minShareOfStep: 0.1 },
    requires: ['collectives', 'steps'],
  },
  check(a: Analysis, o) {
    const out: Finding[] = [];
    for (const phase of ['prefill', 'mixed', 'decode', 'step'] as Phase[]) {
      const pc = phaseCollectives(a, phase);
      if (!pc || pc.kernelNs === 0) continue;
      const share = pc.waitNs / pc.kernelNs;
      // Waiting per step, averaged over the ranks, against the step span.
      const waitPerStep = pc.waitNs / pc.ranks / Math.max(1, pc.steps);
      const ofStep = pc.stepSpanNs > 0 ? waitPerStep / pc.stepSpanNs : 0;
      if (share <= (o.waitShare as number) || ofStep < (o.minShareOfStep as number)) continue;
      const late = [...pc.devices].sort((x, y) => y.skewWhenLastNs - x.skewWhenLastNs);
      const worst = late[0]!;
      const label = (d: number) => a.model.devices[d]!.label;
      // The single most delayed arrival of the worst rank, explained.
      const c = a.collectives;
      let top = -1;
      for (const i of pc.instances) if (c.lastArriver[i] === worst.device && (top < 0 || c.skewNs[i]! > c.skewNs[top]!)) top = i;
      const why = top >= 0 ? explainLateArrival(a.model, a.classes, a.timeline, a.hostCalls, c, top) : null;
      const cause = why
        ? why.extraIdleNs >= why.extraBusyNs
          ? `its GPU sat idle ${fmtNs(why.gapNs)} before the collective while the host was in: ${why.host}`
          : `it had ${fmtNs(why.extraBusyNs)} more GPU work than the other ranks before the collective`
        : '';
      out.push({
        rule: 'collective-wait',
        severity: 'warning',
        message:
          `${fmtPct(share)} of ${phase} collective kernel time is waiting, not transfer (${fmtNs(waitPerStep)} per step per rank, ` +
          `${fmtPct(ofStep)} of the ${fmtNs(pc.stepSpanNs)} step). Ranks arrive up to ${fmtNs(Math.max(...pc.instances.map((i) => c.skewNs[i]!)))} apart; ` +
          `${label(worst.device)} is last in ${worst.lastArrivals} of ${pc.instances.length}` + (cause ? `: in its latest arrival ${cause}.` : '.'),
        evidence: {
          phase, waitShare: share, waitNsPerStepPerRank: waitPerStep, stepSpanNs: pc.stepSpanNs, medianSkewNs: pc.medianSkewNs,
          instances: pc.instances.length,
          ranks: pc.devices.map((d) => ({ deviceId: a.model.devices[d.device]!.deviceId, lastArrivals: d.lastArrivals, waitShare: d.kernelNs ? d.waitNs / d.kernelNs : 0, skewWhenLastNs: d.skewWhenLastNs })),
          latestArrival: why && {
            deviceId: a.model.devices[why.device]!.deviceId, skewNs: why.skewNs, idleGapNs: why.gapNs, gapStartNs: why.gapStart,
            extraIdleNs: why.extraIdleNs, extraBusyNs: why.extraBusyNs, launchDelayNs: why.launchDelayNs, hostCalls: why.hostCalls,
          },
        },
        recommendation:
          'This is not a bandwidth problem: make the ranks reach the collective together. Remove the work that delays the late rank ' +
          '(host-side stalls before its kernels, see host-bound-gaps; extra work only that rank does), keep shapes static so plans and kernels ' +
          'are not rebuilt per step, and capture the step in a CUDA graph so launches cannot drift apart.',
        impactNs: waitPerStep,
      });
    }
    return out;
  },
};
