/**
 * straggler-rank: ranks that arrive last at collectives far more often than their share, by a material
 * margin. Every rank above its fair share is named (two slow ranks are one finding, not a straggler that
 * seems to move between traces), and when the late rank changes from step to step the finding says so.
 */
import type { RequiredData } from './requirements.js';
import { explainLateArrival, type LateArrival } from '../analyzer/collectives/lateness.js';
import type { DeviceLateness, PhaseCollectives } from '../analyzer/collectives/phaseStats.js';
import { PHASES, type Phase } from '../analyzer/contract/vocabulary.js';
import { median } from '../analyzer/util/stats.js';
import { opAt } from '../analyzer/timeline/locations.js';
import { tiedTop } from '../analyzer/util/tiedTop.js';
import { text, type Text } from './messageFormat.js';
import { HOST_CALLS } from './sharedMessages.js';
import { defineTraceRule } from './types.js';

/** What came before a rank's late arrivals: more idle GPU time (with the host calls of the largest gap) or more GPU work. */
type Cause =
  | { kind: 'idle'; extraIdleNs: number; largestGapNs: number; host: Text<'hostCalls'> }
  | { kind: 'busy'; extraBusyNs: number; extraKernels: { count: number; name: string; ns: number }[] };

interface LateRank {
  label: string;
  deviceId: number;
  share: number;
  medianSkewNs: number;
  skewPerStepNs: number;
  cause: Cause;
  /** Its compute per step against the other ranks' median, when it is several times theirs (analyzer/collectives/lateRank.ts). */
  work: { computeNs: number; othersNs: number } | null;
}

interface Data {
  phase: Phase;
  fairShare: number;
  ranks: LateRank[];
  /** Ranks that were the step's most frequent late arriver, with how many steps each, when more than one was. */
  alternation: { label: string; steps: number }[] | null;
  steps: number;
  /** Steps in which two ranks or more were each last equally often: no one rank is that step's late one. */
  tiedSteps: number;
}

/** Per steady step of the phase, the rank that arrived last most often; counted per rank. Steps where ranks tie count for none, and are counted apart. */
function lateRankPerStep(a: RequiredData<readonly ['collectives', 'steps', 'opStep']>, pc: PhaseCollectives): { perRank: Map<number, number>; tied: number } {
  const c = a.collectives;
  const byStep = new Map<number, Map<number, number>>();
  for (const i of pc.instances) {
    let op = -1;
    for (let d = 0; d < c.nDevices && op < 0; d++) op = c.ops[i * c.nDevices + d]!;
    const step = op >= 0 ? a.steps.steps[a.opStep[op]!]?.ordinal : undefined;
    if (step === undefined) continue;
    let m = byStep.get(step);
    if (!m) byStep.set(step, (m = new Map()));
    m.set(c.lastArriver[i]!, (m.get(c.lastArriver[i]!) ?? 0) + 1);
  }
  const out = new Map<number, number>();
  let tied = 0;
  for (const m of byStep.values()) {
    const top = tiedTop(m);
    if (!top) continue;
    if (top.keys.length > 1) tied++;
    else out.set(top.keys[0]!, (out.get(top.keys[0]!) ?? 0) + 1);
  }
  return { perRank: out, tied };
}

export const rule = defineTraceRule({
  meta: {
    id: 'straggler-rank',
    severity: 'warning',
    title: 'Straggler ranks',
    description:
      'A rank is the last to arrive at collectives far above its fair share (1/ranks), and the time the others wait for it is material; ' +
      'every rank above its fair share with material waiting is named, and a late rank that changes from step to step is said to alternate. ' +
      'A rank whose compute per step is several times the others\' (analyzer/collectives/lateRank.ts) and that is last more often than its ' +
      'fair share is named from its work, even below the arrival bar.',
    options: {
      shareOverFair: { type: 'factor', default: 2, description: 'last-arrival share, as a multiple of the fair share 1/ranks, from which the rule fires' },
      maxShareBar: { type: 'ratio', default: 0.8, description: 'the last-arrival share never needs to be higher than this (at TP=2 twice the fair share is every collective)' },
      minSkewNs: { type: 'duration', default: 20_000, description: 'median arrival skew (ns) of a rank\'s late arrivals from which it matters' },
      minShareOfStep: { type: 'ratio', default: 0.1, description: 'skew per step a rank causes, as a share of the step, from which it matters' },
      explained: { type: 'count', default: 20, description: 'largest late arrivals explained per rank (idle gap and host calls, or extra work)' },
      alternatesFrom: { type: 'ratio', default: 0.2, description: 'share of steps a second rank must be the late one in for the late rank to alternate' },
    },
    deps: ['steps', 'collectives', 'classes', 'hostCalls', 'model', 'timeline', 'opStep', 'phaseCollectives', 'phaseLateRank'],
    messages: {
      straggler:
        '{ranks, series, {label}} {ranks, select, =1 {arrives} other {arrive}} last at {ranks, series, {share, pct0}} of {phase} collectives ' +
        '(fair share {fairShare, pct0}), {ranks, series, {medianSkewNs, ns}} after the first rank (median); the others wait ' +
        '{ranks, series, {skewPerStepNs, ns}} per step for {ranks, select, =1 {it} other {them}}.' +
        '{alternation, select, none {} other { The late rank alternates from step to step: {alternation, series, {label} in {steps}} of {steps} steps' +
        '{tiedSteps, select, none {} other { (in {tiedSteps} of them ranks tie)}}.}}' +
        ' Why: {ranks, select, =1 {{ranks.0, message, why}} other {{ranks, semi, {label}: {#, message, why}}}}.',
      why:
        '{work, select, none {} other {its GPU computes {work.computeNs, ns} per step against {work.othersNs, ns} on the other ranks (median), ' +
        '{work.computeNs / work.othersNs, fixed, 1}×; }}' +
        '{cause.kind, select, idle {before its late arrivals its GPU sat idle ({cause.extraIdleNs, ns} more than the other ranks on average; ' +
        'largest gap {cause.largestGapNs, ns}, host: {cause.host})} ' +
        'other {before its late arrivals it had more GPU work than the other ranks ({cause.extraBusyNs, ns} on average' +
        '{cause.extraKernels, select, none {)} other {; kernels the others do not run: {cause.extraKernels, comma, {count}× {name, ellipsize, 50} ({ns, ns})})}}}}',
      fixIdle:
        'Find what {ranks, series, {label}\'s} host does before those kernels (the calls above; CPU-side work with no call in flight is Python or framework overhead such as per-step plan building or kernel compilation) and move it out of the step: static shapes, warmed-up plans, CUDA graphs.',
      fixBusy:
        'Give {ranks, series, {label}} the same work as the others: check for uneven sharding (a dimension not divisible by TP), extra work on one rank (logging, sampling, metrics), or a slower GPU (clocks, thermals).',
      ...HOST_CALLS,
      lateArrival: 'late arrival: {skewNs, ns} after the first rank',
    },
  },
  check(a, o) {
    const c = a.collectives;
    return PHASES.flatMap((phase) => {
      const pc = a.phaseCollectives(phase);
      if (!pc || pc.ranks < 2) return [];
      const fair = 1 / pc.ranks;
      const late = (d: DeviceLateness) => {
        const mine = pc.instances.filter((i) => c.lastArriver[i] === d.device);
        return { d, share: d.lastArrivals / pc.instances.length, mine, medSkew: median(mine.map((i) => c.skewNs[i]!)), perStep: d.skewWhenLastNs / Math.max(1, pc.steps) };
      };
      const material = (x: ReturnType<typeof late>) => x.medSkew >= o.minSkewNs && x.perStep >= o.minShareOfStep * pc.stepSpanNs;
      const heavy = a.phaseLateRank(phase)?.heavy ?? null;
      const isHeavy = (x: ReturnType<typeof late>) => heavy !== null && x.d.device === heavy.device;
      // The heavy rank leads: its work is the cause named first.
      const ranks = pc.devices.map(late).filter((x) => x.share > fair && material(x)).sort((x, y) => Number(isHeavy(y)) - Number(isHeavy(x)) || y.share - x.share);
      // At TP=2 twice the fair share is every collective: cap the bar. A rank with several times the
      // others' compute needs no bar: its work says why it is late.
      if (!ranks.some((x) => x.share >= Math.min(fair * o.shareOverFair, o.maxShareBar) || isHeavy(x))) return [];
      const explained = ranks.map((x) => {
        const worst = [...x.mine].sort((p, q) => c.skewNs[q]! - c.skewNs[p]!).slice(0, o.explained);
        const why: LateArrival[] = worst.map((i) => explainLateArrival(a.model, a.classes, a.timeline, a.hostCalls, c, i));
        const arrivals = worst.slice(0, 3).flatMap((i) => {
          const op = c.ops[i * c.nDevices + x.d.device]!;
          return op >= 0 ? [opAt(a, op, text('lateArrival', { skewNs: c.skewNs[i]! }))] : [];
        });
        const idle = why.reduce((s, w) => s + Math.max(0, w.extraIdleNs), 0);
        const busy = why.reduce((s, w) => s + Math.max(0, w.extraBusyNs), 0);
        const cause: Cause = idle >= busy && !isHeavy(x)
          ? { kind: 'idle', extraIdleNs: idle / why.length, largestGapNs: why[0]!.gapNs, host: text('hostCalls', { ...why[0]!.host }) }
          : { kind: 'busy', extraBusyNs: busy / why.length, extraKernels: why[0]!.extraKernels.map((k) => ({ count: k.count, name: k.name, ns: k.ns })) };
        return { x, why, cause, arrivals };
      });
      const { perRank: perStep, tied } = lateRankPerStep(a, pc);
      const stepCount = [...perStep.values()].reduce((s, n) => s + n, 0) + tied;
      const often = [...perStep].filter(([, n]) => n >= o.alternatesFrom * stepCount).sort((p, q) => q[1] - p[1]);
      const label = (d: number) => a.model.devices[d]!.label;
      const data: Data = {
        phase, fairShare: fair, steps: stepCount, tiedSteps: tied,
        ranks: explained.map(({ x, cause }) => ({
          label: label(x.d.device), deviceId: a.model.devices[x.d.device]!.deviceId, share: x.share, medianSkewNs: x.medSkew, skewPerStepNs: x.perStep, cause,
          work: isHeavy(x) ? { computeNs: heavy!.computeNs, othersNs: heavy!.othersNs } : null,
        })),
        alternation: often.length > 1 ? often.map(([d, n]) => ({ label: label(d), steps: n })) : null,
      };
      return [{
        messageId: 'straggler' as const,
        fixId: explained[0]!.cause.kind === 'idle' ? ('fixIdle' as const) : ('fixBusy' as const),
        data,
        evidence: {
          phase, deviceIds: data.ranks.map((r) => r.deviceId), instances: pc.instances.length, fairShare: fair, stepSpanNs: pc.stepSpanNs,
          ranks: explained.map(({ x, why }) => ({
            deviceId: a.model.devices[x.d.device]!.deviceId, lastArrivals: x.d.lastArrivals, share: x.share, medianSkewNs: x.medSkew, skewPerStepNs: x.perStep,
            largestLateArrivals: why.slice(0, 3).map((w) => ({ skewNs: w.skewNs, idleGapNs: w.gapNs, gapStartNs: w.gapStart, extraIdleNs: w.extraIdleNs, extraBusyNs: w.extraBusyNs, hostCalls: w.hostCalls, extraKernels: w.extraKernels })),
          })),
          heavyWork: heavy && { deviceId: a.model.devices[heavy.device]!.deviceId, computeNsPerStep: heavy.computeNs, othersComputeNsPerStep: heavy.othersNs },
          lastArrivalsByRank: Object.fromEntries(pc.devices.map((x) => [a.model.devices[x.device]!.deviceId, x.lastArrivals])),
          lateRankPerStep: Object.fromEntries([...perStep].map(([d, n]) => [a.model.devices[d]!.deviceId, n])),
          tiedSteps: tied,
        },
        impactNs: ranks.reduce((s, x) => s + x.perStep, 0),
        locations: explained.flatMap((e) => e.arrivals),
      }];
    });
  },
});
