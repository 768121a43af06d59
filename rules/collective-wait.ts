/**
 * collective-wait: most NCCL kernel time is ranks waiting for each other, not moving data.
 */
import { explainLateArrival } from '../analyzer/collectives/lateness.js';
import { PHASES, type Phase } from '../analyzer/contract/vocabulary.js';
import { opAt, spanAt } from '../analyzer/timeline/locations.js';
import { text, type Text } from './messageFormat.js';
import { HOST_CALLS } from './sharedMessages.js';
import { defineTraceRule, type RuleLocation } from './types.js';

interface Data {
  phase: Phase;
  waitShare: number;
  waitNsPerStepPerRank: number;
  shareOfStep: number;
  stepSpanNs: number;
  maxSkewNs: number;
  /** The phase's late rank (analyzer/collectives/lateRank.ts): named from its work or arrivals, or the ranks tied. */
  late: { labels: string[]; lastArrivals: number; fromWork: boolean };
  instances: number;
  /** The single latest arrival: whose, how late, and why (an idle GPU with the host calls in flight, or more GPU work). */
  latest: { label: string; skewNs: number } | null;
  cause: { kind: 'idle'; gapNs: number; host: Text<'hostCalls'> } | { kind: 'busy'; extraBusyNs: number } | null;
}

export const rule = defineTraceRule({
  meta: {
    id: 'collective-wait',
    severity: 'warning',
    title: 'Ranks wait for each other inside collectives',
    description: 'More than half of the collective kernel time is waiting for the last rank to arrive, and that waiting is a material part of the step.',
    options: {
      waitShare: { type: 'ratio', default: 0.5, description: 'share of collective kernel time spent waiting above which the rule fires' },
      minShareOfStep: { type: 'ratio', default: 0.1, description: 'waiting per step and rank, as a share of the step, from which it matters' },
    },
    deps: ['steps', 'collectives', 'classes', 'hostCalls', 'model', 'timeline', 'phaseCollectives', 'phaseLateRank'],
    messages: {
      waiting:
        '{waitShare, pct} of {phase} collective kernel time is waiting, not transfer ({waitNsPerStepPerRank, ns} per step per rank, ' +
        '{shareOfStep, pct} of the {stepSpanNs, ns} step). Ranks arrive up to {maxSkewNs, ns} apart; {late, message, late}.' +
        '{latest, select, none {} other {{cause, select, none {} other { In the latest arrival ({latest.label}, {latest.skewNs, ns} after the first rank) {cause, message, cause}.}}}}',
      late:
        '{labels.1, select, none {{labels.0} is last in {lastArrivals} of {instances}' +
        '{fromWork, select, true { and computes several times what the others do (straggler-rank)} other {}}} ' +
        'other {{labels, series} are each last in {lastArrivals} of {instances} (a tie)}}',
      cause:
        '{kind, select, idle {its GPU sat idle {gapNs, ns} before the collective while the host was in: {host}} ' +
        'other {it had {extraBusyNs, ns} more GPU work than the other ranks before the collective}}',
      fix:
        'This is not a bandwidth problem: make the ranks reach the collective together. Remove the work that delays the late rank ' +
        '(host-side stalls before its kernels, see host-bound-gaps; extra work only that rank does), keep shapes static so plans and kernels ' +
        'are not rebuilt per step, and capture the step in a CUDA graph so launches cannot drift apart.',
      ...HOST_CALLS,
      idleBefore: '{label} idle {gapNs, ns} before its latest arrival',
      latestArrival: 'latest arrival: {skewNs, ns} after the first rank',
    },
  },
  check(a, o) {
    return PHASES.flatMap((phase) => {
      const pc = a.phaseCollectives(phase);
      if (!pc || pc.kernelNs === 0) return [];
      const share = pc.waitNs / pc.kernelNs;
      // Waiting per step, averaged over the ranks, against the step span.
      const waitPerStep = pc.waitNs / pc.ranks / Math.max(1, pc.steps);
      const ofStep = pc.stepSpanNs > 0 ? waitPerStep / pc.stepSpanNs : 0;
      if (share <= o.waitShare || ofStep < o.minShareOfStep) return [];
      const c = a.collectives;
      const lr = a.phaseLateRank(phase);
      const lastOf = (dev: number) => pc.devices.find((x) => x.device === dev)?.lastArrivals ?? 0;
      const lateDevices = lr?.named !== null && lr?.named !== undefined ? [lr.named] : lr?.mostOftenLast?.devices ?? [];
      // The single most delayed arrival of the phase, explained (whoever's it was).
      let top = -1;
      for (const i of pc.instances) if (top < 0 || c.skewNs[i]! > c.skewNs[top]!) top = i;
      const worst = { device: top >= 0 ? c.lastArriver[top]! : lateDevices[0]! };
      const why = top >= 0 ? explainLateArrival(a.model, a.classes, a.timeline, a.hostCalls, c, top) : null;
      const cause: Data['cause'] = why
        ? why.extraIdleNs >= why.extraBusyNs ? { kind: 'idle', gapNs: why.gapNs, host: text('hostCalls', { ...why.host }) } : { kind: 'busy', extraBusyNs: why.extraBusyNs }
        : null;
      const locations: RuleLocation[] = [];
      if (top >= 0) {
        const op = c.ops[top * c.nDevices + worst.device]!;
        if (why && why.gapNs > 0) locations.push(spanAt(a, worst.device, why.gapStart, why.gapStart + why.gapNs, text('idleBefore', { label: a.model.devices[worst.device]!.label, gapNs: why.gapNs })));
        if (op >= 0) locations.push(opAt(a, op, text('latestArrival', { skewNs: c.skewNs[top]! })));
      }
      return [{
        messageId: 'waiting' as const,
        fixId: 'fix' as const,
        data: {
          phase, waitShare: share, waitNsPerStepPerRank: waitPerStep, shareOfStep: ofStep, stepSpanNs: pc.stepSpanNs,
          maxSkewNs: Math.max(...pc.instances.map((i) => c.skewNs[i]!)),
          late: { labels: lateDevices.map((d) => a.model.devices[d]!.label), lastArrivals: lastOf(lateDevices[0]!), fromWork: lr?.heavy?.device === lr?.named && lr?.heavy != null },
          instances: pc.instances.length, cause,
          latest: top >= 0 ? { label: a.model.devices[worst.device]!.label, skewNs: c.skewNs[top]! } : null,
        },
        evidence: {
          phase, waitShare: share, waitNsPerStepPerRank: waitPerStep, stepSpanNs: pc.stepSpanNs, medianSkewNs: pc.medianSkewNs,
          instances: pc.instances.length,
          ranks: pc.devices.map((d) => ({ deviceId: a.model.devices[d.device]!.deviceId, lastArrivals: d.lastArrivals, waitShare: d.kernelNs ? d.waitNs / d.kernelNs : 0, skewWhenLastNs: d.skewWhenLastNs })),
          lateDeviceIds: lateDevices.map((d) => a.model.devices[d]!.deviceId),
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
