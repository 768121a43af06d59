/**
 * host-bound-gaps: the GPU sits idle for a large part of the step because the host has not launched the
 * next kernel yet; the largest gaps are shown with the host call in flight (or none: a CPU-side stall).
 */
import { phaseOf } from '../analyzer/breakdown/phaseSummary.js';
import type { Reads } from '../analyzer/data.js';
import { steadyStepsOf } from '../analyzer/steps/steady.js';
import { hostActivity, hostCallsDuring } from '../analyzer/host/hostActivity.js';
import type { Step } from '../analyzer/steps/types.js';
import { PHASES, type Phase } from '../analyzer/contract/vocabulary.js';
import { spanAt } from '../analyzer/timeline/locations.js';
import { adviceMessages, runtimeAdvice } from './advice.js';
import { text, type Text } from './messageFormat.js';
import { HOST_CALLS } from './sharedMessages.js';
import { defineTraceRule } from './types.js';

interface Gap {
  step: Step;
  start: number;
  end: number;
  opAfter: number;
  /** Part of the gap before the next op was launched: the GPU had nothing queued. */
  hostBoundNs: number;
}

function stepGaps(a: Reads<'model'>, s: Step): Gap[] {
  const { ops } = a.model;
  const out: Gap[] = [];
  let busyEnd = -Infinity;
  for (const i of s.ops) {
    const st = ops.start[i]!;
    if (st > busyEnd && busyEnd > -Infinity) {
      const launch = ops.launchStart[i]!;
      const hostBound = Number.isNaN(launch) ? 0 : Math.min(st, Math.max(busyEnd, launch)) - busyEnd;
      out.push({ step: s, start: busyEnd, end: st, opAfter: i, hostBoundNs: hostBound });
    }
    busyEnd = Math.max(busyEnd, ops.end[i]!);
  }
  return out;
}

interface Data {
  phase: Phase;
  devices: { label: string; idleShare: number }[];
  worst: { label: string; idlePerStepNs: number; hostBoundShare: number };
  /** The largest gap of the worst GPU, and what its host did then (the `hostCalls` message). */
  largestGap: { durationNs: number; step: string; kernelAfter: string; host: Text<'hostCalls'> };
  advice: ReturnType<typeof runtimeAdvice>;
}

export const rule = defineTraceRule({
  meta: {
    id: 'host-bound-gaps',
    severity: 'warning',
    title: 'GPU idle waiting for the host',
    description:
      'GPU idle time above a share of the steady steps\' time, most of it before kernels that the host had not launched ' +
      'yet. The largest gaps are listed with the CPU call in flight on the launching thread.',
    options: {
      threshold: { type: 'ratio', default: 0.2, description: 'idle share of the step span above which a GPU counts' },
      hostBoundShare: { type: 'ratio', default: 0.5, description: 'share of the idle time before kernels not yet launched' },
      gapsShown: { type: 'count', default: 3, description: 'largest gaps listed in the evidence' },
    },
    deps: ['steps', 'launches', 'hostCalls', 'model', 'phases', 'runtime'],
    messages: {
      idle:
        'GPUs sit idle waiting for the host in {phase, phaseStep}s: ' +
        '{devices, comma, {label} {idleShare, pct0}} of the step time ({worst.idlePerStepNs, ns} per step on ' +
        '{worst.label}, {worst.hostBoundShare, pct0} of it before kernels not yet launched). Largest gap: {largestGap.durationNs, ns} ' +
        'in "{largestGap.step}" before {largestGap.kernelAfter, ellipsize, 60}; host: {largestGap.host}.',
      fix:
        'Take the host work out of the step: CUDA graphs for decode, static shapes (pad batches to captured sizes) so plans and ' +
        'kernels are not rebuilt per step, warm-up of every shape before serving, no Python work between launches. ' +
        '{advice}',
      ...adviceMessages('cudagraph'),
      ...HOST_CALLS,
      gap: 'GPU idle {durationNs, ns} in "{step}" before {kernelAfter, ellipsize, 60}',
    },
  },
  check(a, o) {
    const { ops } = a.model;
    return PHASES.flatMap((phase) => {
      const hit = a.model.devices.flatMap((d) => {
        const steps = steadyStepsOf(a.steps, d.index, phase);
        const sum = phaseOf(a.phases, d.index, phase);
        if (steps.length === 0 || !sum) return [];
        const idleShare = sum.idleShare;
        if (!(idleShare > o.threshold)) return [];
        const gaps = steps.flatMap((s) => stepGaps(a, s));
        const idle = gaps.reduce((x, g) => x + (g.end - g.start), 0);
        const hostBound = gaps.reduce((x, g) => x + g.hostBoundNs, 0);
        if (idle === 0 || hostBound / idle < o.hostBoundShare) return [];
        return [{ device: d, idleShare, hostBoundShare: hostBound / idle, gaps, idlePerStep: sum.timeNs.idle / sum.steadyCount }];
      });
      if (hit.length === 0) return [];
      hit.sort((x, y) => y.idleShare - x.idleShare);
      const worst = hit[0]!;
      const top = [...worst.gaps].sort((x, y) => y.end - y.start - (x.end - x.start)).slice(0, o.gapsShown).map((g) => {
        const thread = ops.thread[g.opAfter]!;
        const calls = thread >= 0 ? hostCallsDuring(a.model, a.hostCalls, thread, g.start, g.end) : [];
        return {
          opAfter: g.opAfter, endNs: g.end,
          step: g.step.name, startNs: g.start, durationNs: g.end - g.start, hostBoundNs: g.hostBoundNs,
          kernelAfter: a.model.opNames[ops.name[g.opAfter]!]!.short, host: hostActivity(calls, g.end - g.start), hostCalls: calls.slice(0, 5).map((c) => c.name),
        };
      });
      const g0 = top[0]!;
      return [{
        messageId: 'idle' as const,
        fixId: 'fix' as const,
        data: {
          phase,
          devices: hit.map((h) => ({ label: h.device.label, idleShare: h.idleShare })),
          worst: { label: worst.device.label, idlePerStepNs: worst.idlePerStep, hostBoundShare: worst.hostBoundShare },
          largestGap: { durationNs: g0.durationNs, step: g0.step, kernelAfter: g0.kernelAfter, host: text('hostCalls', { ...g0.host }) },
          advice: runtimeAdvice(a.runtime),
        } satisfies Data,
        evidence: {
          phase,
          devices: hit.map((h) => ({ deviceId: h.device.deviceId, idleShare: h.idleShare, idlePerStepNs: h.idlePerStep, hostBoundShare: h.hostBoundShare })),
          largestGaps: top.map(({ opAfter, endNs, ...rest }) => rest),
        },
        impactNs: worst.idlePerStep,
        locations: top.map((g) =>
          spanAt(a, worst.device.index, g.startNs, g.endNs, text('gap', { durationNs: g.durationNs, step: g.step, kernelAfter: g.kernelAfter }), ops.stream[g.opAfter]!)),
      }];
    });
  },
});
