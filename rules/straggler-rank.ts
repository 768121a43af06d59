/**
 * straggler-rank: one rank arrives last far more often than its share, by a material margin.
 */
import type { Analysis } from '../analyzer/analysis.js';
import { explainLateArrival, type LateArrival } from '../analyzer/collectives/lateness.js';
import { phaseCollectives } from '../analyzer/collectives/phaseStats.js';
import { ellipsize, fmtNs, fmtPct } from '../analyzer/report/format.js';
import type { Phase } from '../analyzer/steps/types.js';
import { median } from '../analyzer/util/stats.js';
import type { Finding, Rule } from './types.js';

export const rule: Rule = {
  meta: {
    id: 'straggler-rank',
    severity: 'warning',
    title: 'One rank is the straggler',
    description: 'A rank is the last to arrive at collectives far above its fair share (1/ranks), and the time the others wait for it is material.',
    defaults: { shareOverFair: 2, maxShareBar: 0.8, minSkewNs: 20_000, minShareOfStep: 0.1, explained: 20 },
    requires: ['collectives', 'steps'],
  },
  check(a: Analysis, o) {
    const out: Finding[] = [];
    const c = a.collectives;
    for (const phase of ['prefill', 'mixed', 'decode', 'step'] as Phase[]) {
      const pc = phaseCollectives(a, phase);
      if (!pc || pc.ranks < 2) continue;
      const fair = 1 / pc.ranks;
      for (const d of pc.devices) {
        const share = d.lastArrivals / pc.instances.length;
        const mine = pc.instances.filter((i) => c.lastArriver[i] === d.device);
        const medSkew = median(mine.map((i) => c.skewNs[i]!));
        const perStep = d.skewWhenLastNs / Math.max(1, pc.steps);
        // At TP=2 twice the fair share is every collective: cap the bar.
        if (share < Math.min(fair * (o.shareOverFair as number), o.maxShareBar as number)) continue;
        if (!(medSkew >= (o.minSkewNs as number)) || perStep < (o.minShareOfStep as number) * pc.stepSpanNs) continue;
        // Explain the largest late arrivals: idle (host) or extra work.
        const worst = [...mine].sort((x, y) => c.skewNs[y]! - c.skewNs[x]!).slice(0, o.explained as number);
        const why: LateArrival[] = worst.map((i) => explainLateArrival(a.model, a.classes, a.timeline, a.hostCalls, c, i));
        const idle = why.reduce((s, w) => s + Math.max(0, w.extraIdleNs), 0);
        const busy = why.reduce((s, w) => s + Math.max(0, w.extraBusyNs), 0);
        const label = a.model.devices[d.device]!.label;
        const hostTop = why[0]?.host ?? '';
        const cause = idle >= busy
          ? `before its late arrivals its GPU sat idle (${fmtNs(idle / why.length)} more than the other ranks on average; largest gap ${fmtNs(why[0]!.gapNs)}, host: ${hostTop})`
          : `before its late arrivals it had more GPU work than the other ranks (${fmtNs(busy / why.length)} on average` +
            (why[0]!.extraKernels.length ? `; kernels the others do not run: ${why[0]!.extraKernels.map((k) => `${k.count}× ${ellipsize(k.name, 50)} (${fmtNs(k.ns)})`).join(', ')})` : ')');
        out.push({
          rule: 'straggler-rank',
          severity: 'warning',
          message:
            `${label} arrives last at ${fmtPct(share, 0)} of ${phase} collectives (fair share ${fmtPct(fair, 0)}), ` +
            `${fmtNs(medSkew)} after the first rank (median); the others wait ${fmtNs(perStep)} per step for it. Why: ${cause}.`,
          evidence: {
            phase, deviceId: a.model.devices[d.device]!.deviceId, lastArrivals: d.lastArrivals, instances: pc.instances.length, share, fairShare: fair,
            medianSkewNs: medSkew, skewPerStepNs: perStep, stepSpanNs: pc.stepSpanNs,
            lastArrivalsByRank: Object.fromEntries(pc.devices.map((x) => [a.model.devices[x.device]!.deviceId, x.lastArrivals])),
            largestLateArrivals: why.slice(0, 3).map((w) => ({ skewNs: w.skewNs, idleGapNs: w.gapNs, gapStartNs: w.gapStart, extraIdleNs: w.extraIdleNs, extraBusyNs: w.extraBusyNs, hostCalls: w.hostCalls, extraKernels: w.extraKernels })),
          },
          recommendation: idle >= busy
            ? `Find what ${label}'s host does before those kernels (the calls above; CPU-side work with no call in flight is Python or framework overhead such as per-step plan building or kernel compilation) and move it out of the step: static shapes, warmed-up plans, CUDA graphs.`
            : `Give ${label} the same work as the others: check for uneven sharding (a dimension not divisible by TP), extra work on one rank (logging, sampling, metrics), or a slower GPU (clocks, thermals).`,
          impactNs: perStep,
        });
      }
    }
    return out;
  },
};
