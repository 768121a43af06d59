/**
 * collective-wait: most NCCL kernel time is ranks waiting for each other, not moving data.
 */
import type { Analysis } from '../analyzer/analysis.js';
import { explainLateArrival } from '../analyzer/collectives/lateness.js';
import { phaseCollectives } from '../analyzer/collectives/phaseStats.js';
import { PHASES, type Phase } from '../analyzer/steps/types.js';
import { fmtNs, fmtPct } from '../analyzer/text/units.js';
import { opAt, spanAt, type TimelineLocation } from '../analyzer/timeline/locations.js';
import { defineRule } from './types.js';

interface Data {
  phase: Phase;
  waitShare: number;
  waitNsPerStepPerRank: number;
  shareOfStep: number;
  stepSpanNs: number;
  maxSkewNs: number;
  worst: { label: string; lastArrivals: number };
  instances: number;
  /** Why the worst rank's latest arrival was late: an idle GPU with the host calls in flight, or more GPU work. */
  cause: { kind: 'idle'; gapNs: number; host: string } | { kind: 'busy'; extraBusyNs: number } | null;
}

function causeText(c: NonNullable<Data['cause']>): string {
  return c.kind === 'idle'
    ? `its GPU sat idle ${fmtNs(c.gapNs)} before the collective while the host was in: ${c.host}`
    : `it had ${fmtNs(c.extraBusyNs)} more GPU work than the other ranks before the collective`;
}

export const rule = defineRule({
  meta: {
    id: 'collective-wait',
    severity: 'warning',
    title: 'Ranks wait for each other inside collectives',
    description: 'More than half of the collective kernel time is waiting for the last rank to arrive, and that waiting is a material part of the step.',
    options: {
      waitShare: { type: 'ratio', default: 0.5, description: 'share of collective kernel time spent waiting above which the rule fires' },
      minShareOfStep: { type: 'ratio', default: 0.1, description: 'waiting per step and rank, as a share of the step, from which it matters' },
    },
    requires: ['steps', 'collectives'],
    messages: {
      waiting: (d: Data) =>
        `${fmtPct(d.waitShare)} of ${d.phase} collective kernel time is waiting, not transfer (${fmtNs(d.waitNsPerStepPerRank)} per step per rank, ` +
        `${fmtPct(d.shareOfStep)} of the ${fmtNs(d.stepSpanNs)} step). Ranks arrive up to ${fmtNs(d.maxSkewNs)} apart; ` +
        `${d.worst.label} is last in ${d.worst.lastArrivals} of ${d.instances}` + (d.cause ? `: in its latest arrival ${causeText(d.cause)}.` : '.'),
      fix: () =>
        'This is not a bandwidth problem: make the ranks reach the collective together. Remove the work that delays the late rank ' +
        '(host-side stalls before its kernels, see host-bound-gaps; extra work only that rank does), keep shapes static so plans and kernels ' +
        'are not rebuilt per step, and capture the step in a CUDA graph so launches cannot drift apart.',
    },
  },
  check(a: Analysis, o) {
    return PHASES.flatMap((phase) => {
      const pc = phaseCollectives(a, phase);
      if (!pc || pc.kernelNs === 0) return [];
      const share = pc.waitNs / pc.kernelNs;
      // Waiting per step, averaged over the ranks, against the step span.
      const waitPerStep = pc.waitNs / pc.ranks / Math.max(1, pc.steps);
      const ofStep = pc.stepSpanNs > 0 ? waitPerStep / pc.stepSpanNs : 0;
      if (share <= o.waitShare || ofStep < o.minShareOfStep) return [];
      const late = [...pc.devices].sort((x, y) => y.skewWhenLastNs - x.skewWhenLastNs);
      const worst = late[0]!;
      // The single most delayed arrival of the worst rank, explained.
      const c = a.collectives;
      let top = -1;
      for (const i of pc.instances) if (c.lastArriver[i] === worst.device && (top < 0 || c.skewNs[i]! > c.skewNs[top]!)) top = i;
      const why = top >= 0 ? explainLateArrival(a.model, a.classes, a.timeline, a.hostCalls, c, top) : null;
      const cause: Data['cause'] = why
        ? why.extraIdleNs >= why.extraBusyNs ? { kind: 'idle', gapNs: why.gapNs, host: why.host } : { kind: 'busy', extraBusyNs: why.extraBusyNs }
        : null;
      const locations: TimelineLocation[] = [];
      if (top >= 0) {
        const op = c.ops[top * c.nDevices + worst.device]!;
        if (why && why.gapNs > 0) locations.push(spanAt(a, worst.device, why.gapStart, why.gapStart + why.gapNs, `${a.model.devices[worst.device]!.label} idle ${fmtNs(why.gapNs)} before its latest arrival`));
        if (op >= 0) locations.push(opAt(a, op, `latest arrival: ${fmtNs(c.skewNs[top]!)} after the first rank`));
      }
      return [{
        messageId: 'waiting' as const,
        fixId: 'fix' as const,
        data: {
          phase, waitShare: share, waitNsPerStepPerRank: waitPerStep, shareOfStep: ofStep, stepSpanNs: pc.stepSpanNs,
          maxSkewNs: Math.max(...pc.instances.map((i) => c.skewNs[i]!)), worst: { label: a.model.devices[worst.device]!.label, lastArrivals: worst.lastArrivals },
          instances: pc.instances.length, cause,
        },
        evidence: {
          phase, waitShare: share, waitNsPerStepPerRank: waitPerStep, stepSpanNs: pc.stepSpanNs, medianSkewNs: pc.medianSkewNs,
          instances: pc.instances.length,
          ranks: pc.devices.map((d) => ({ deviceId: a.model.devices[d.device]!.deviceId, lastArrivals: d.lastArrivals, waitShare: d.kernelNs ? d.waitNs / d.kernelNs : 0, skewWhenLastNs: d.skewWhenLastNs })),
          latestArrival: why && {
            deviceId: a.model.devices[why.device]!.deviceId, skewNs: why.skewNs, idleGapNs: why.gapNs, gapStartNs: why.gapStart,
            extraIdleNs: why.extraIdleNs, extraBusyNs: why.extraBusyNs, launchDelayNs: why.launchDelayNs, hostCalls: why.hostCalls,
          },
        },
        impactNs: waitPerStep,
        locations,
      }];
    });
  },
});
