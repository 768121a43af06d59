/**
 * straggler-rank: one rank arrives last far more often than its share, by a material margin.
 */
import type { Analysis } from '../analyzer/analysis.js';
import { explainLateArrival, type LateArrival } from '../analyzer/collectives/lateness.js';
import { phaseCollectives } from '../analyzer/collectives/phaseStats.js';
import type { Phase } from '../analyzer/steps/types.js';
import { ellipsize, fmtNs, fmtPct } from '../analyzer/text/units.js';
import { median } from '../analyzer/util/stats.js';
import { defineRule } from './types.js';

interface Data {
  phase: Phase;
  label: string;
  share: number;
  fairShare: number;
  medianSkewNs: number;
  skewPerStepNs: number;
  /** What came before its late arrivals: more idle GPU time (with the host calls of the largest gap) or more GPU work. */
  cause:
    | { kind: 'idle'; extraIdleNs: number; largestGapNs: number; host: string }
    | { kind: 'busy'; extraBusyNs: number; extraKernels: { count: number; name: string; ns: number }[] };
}

function causeText(c: Data['cause']): string {
  return c.kind === 'idle'
    ? `before its late arrivals its GPU sat idle (${fmtNs(c.extraIdleNs)} more than the other ranks on average; largest gap ${fmtNs(c.largestGapNs)}, host: ${c.host})`
    : `before its late arrivals it had more GPU work than the other ranks (${fmtNs(c.extraBusyNs)} on average` +
        (c.extraKernels.length ? `; kernels the others do not run: ${c.extraKernels.map((k) => `${k.count}× ${ellipsize(k.name, 50)} (${fmtNs(k.ns)})`).join(', ')})` : ')');
}

export const rule = defineRule({
  meta: {
    id: 'straggler-rank',
    severity: 'warning',
    title: 'One rank is the straggler',
    description: 'A rank is the last to arrive at collectives far above its fair share (1/ranks), and the time the others wait for it is material.',
    options: {
      shareOverFair: { type: 'factor', default: 2, description: 'last-arrival share, as a multiple of the fair share 1/ranks, from which a rank is a straggler' },
      maxShareBar: { type: 'ratio', default: 0.8, description: 'the last-arrival share never needs to be higher than this (at TP=2 twice the fair share is every collective)' },
      minSkewNs: { type: 'duration', default: 20_000, description: 'median arrival skew (ns) of its late arrivals from which it matters' },
      minShareOfStep: { type: 'ratio', default: 0.1, description: 'skew per step it causes, as a share of the step, from which it matters' },
      explained: { type: 'count', default: 20, description: 'largest late arrivals explained (idle gap and host calls, or extra work)' },
    },
    requires: ['steps', 'collectives'],
    messages: {
      straggler: (d: Data) =>
        `${d.label} arrives last at ${fmtPct(d.share, 0)} of ${d.phase} collectives (fair share ${fmtPct(d.fairShare, 0)}), ` +
        `${fmtNs(d.medianSkewNs)} after the first rank (median); the others wait ${fmtNs(d.skewPerStepNs)} per step for it. Why: ${causeText(d.cause)}.`,
      fixIdle: (d: Data) =>
        `Find what ${d.label}'s host does before those kernels (the calls above; CPU-side work with no call in flight is Python or framework overhead such as per-step plan building or kernel compilation) and move it out of the step: static shapes, warmed-up plans, CUDA graphs.`,
      fixBusy: (d: Data) =>
        `Give ${d.label} the same work as the others: check for uneven sharding (a dimension not divisible by TP), extra work on one rank (logging, sampling, metrics), or a slower GPU (clocks, thermals).`,
    },
  },
  check(a: Analysis, o) {
    const c = a.collectives;
    return (['prefill', 'decode', 'step'] as Phase[]).flatMap((phase) => {
      const pc = phaseCollectives(a, phase);
      if (!pc || pc.ranks < 2) return [];
      const fair = 1 / pc.ranks;
      return pc.devices.flatMap((d) => {
        const share = d.lastArrivals / pc.instances.length;
        const mine = pc.instances.filter((i) => c.lastArriver[i] === d.device);
        const medSkew = median(mine.map((i) => c.skewNs[i]!));
        const perStep = d.skewWhenLastNs / Math.max(1, pc.steps);
        // At TP=2 twice the fair share is every collective: cap the bar.
        if (share < Math.min(fair * o.shareOverFair, o.maxShareBar)) return [];
        if (!(medSkew >= o.minSkewNs) || perStep < o.minShareOfStep * pc.stepSpanNs) return [];
        // Explain the largest late arrivals: idle (host) or extra work.
        const worst = [...mine].sort((x, y) => c.skewNs[y]! - c.skewNs[x]!).slice(0, o.explained);
        const why: LateArrival[] = worst.map((i) => explainLateArrival(a.model, a.classes, a.timeline, a.hostCalls, c, i));
        const idle = why.reduce((s, w) => s + Math.max(0, w.extraIdleNs), 0);
        const busy = why.reduce((s, w) => s + Math.max(0, w.extraBusyNs), 0);
        const cause: Data['cause'] = idle >= busy
          ? { kind: 'idle', extraIdleNs: idle / why.length, largestGapNs: why[0]!.gapNs, host: why[0]?.host ?? '' }
          : { kind: 'busy', extraBusyNs: busy / why.length, extraKernels: why[0]!.extraKernels.map((k) => ({ count: k.count, name: k.name, ns: k.ns })) };
        return [{
          messageId: 'straggler' as const,
          fixId: idle >= busy ? ('fixIdle' as const) : ('fixBusy' as const),
          data: { phase, label: a.model.devices[d.device]!.label, share, fairShare: fair, medianSkewNs: medSkew, skewPerStepNs: perStep, cause },
          evidence: {
            phase, deviceId: a.model.devices[d.device]!.deviceId, lastArrivals: d.lastArrivals, instances: pc.instances.length, share, fairShare: fair,
            medianSkewNs: medSkew, skewPerStepNs: perStep, stepSpanNs: pc.stepSpanNs,
            lastArrivalsByRank: Object.fromEntries(pc.devices.map((x) => [a.model.devices[x.device]!.deviceId, x.lastArrivals])),
            largestLateArrivals: why.slice(0, 3).map((w) => ({ skewNs: w.skewNs, idleGapNs: w.gapNs, gapStartNs: w.gapStart, extraIdleNs: w.extraIdleNs, extraBusyNs: w.extraBusyNs, hostCalls: w.hostCalls, extraKernels: w.extraKernels })),
          },
          impactNs: perStep,
        }];
      });
    });
  },
});
