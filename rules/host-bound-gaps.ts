/**
 * host-bound-gaps: the GPU sits idle for a large part of the step because the host has not launched the
 * next kernel yet; the largest gaps are shown with the host call in flight (or none: a CPU-side stall).
 */
import type { Analysis } from '../analyzer/analysis.js';
import { describeHostCalls, hostCallsDuring } from '../analyzer/host/hostActivity.js';
import { ellipsize, fmtNs, fmtPct } from '../analyzer/report/format.js';
import type { Phase, Step } from '../analyzer/steps/types.js';
import { median } from '../analyzer/util/stats.js';
import { runtimeAdvice } from './advice.js';
import type { Finding, Rule } from './types.js';

interface Gap {
  step: Step;
  start: number;
  end: number;
  opAfter: number;
  /** Part of the gap before the next op was launched: the GPU had nothing queued. */
  hostBoundNs: number;
}

function stepGaps(a: Analysis, s: Step): Gap[] {
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

export const rule: Rule = {
  meta: {
    id: 'host-bound-gaps',
    severity: 'warning',
    title: 'GPU idle waiting for the host',
    description:
      'GPU idle time above a share of the step span (median over steps), most of it before kernels that the host had not launched ' +
      'yet. The largest gaps are listed with the CPU call in flight on the launching thread.',
    defaults: { threshold: 0.2, hostBoundShare: 0.5, gapsShown: 3 },
    requires: ['steps', 'hostCalls'],
  },
  check(a: Analysis, o) {
    const out: Finding[] = [];
    const { ops } = a.model;
    for (const phase of ['prefill', 'mixed', 'decode', 'step'] as Phase[]) {
      const hit = a.model.devices.flatMap((d) => {
        const steps = a.steadyStepsOf(d.index, phase);
        if (steps.length === 0) return [];
        const idleShare = median(steps.map((s) => {
          const b = a.breakdowns[s.index]!;
          return b.spanNs ? b.idleNs / b.spanNs : 0;
        }));
        if (!(idleShare > (o.threshold as number))) return [];
        const gaps = steps.flatMap((s) => stepGaps(a, s));
        const idle = gaps.reduce((x, g) => x + (g.end - g.start), 0);
        const hostBound = gaps.reduce((x, g) => x + g.hostBoundNs, 0);
        if (idle === 0 || hostBound / idle < (o.hostBoundShare as number)) return [];
        return [{ device: d, idleShare, hostBoundShare: hostBound / idle, gaps, idlePerStep: median(steps.map((s) => a.breakdowns[s.index]!.idleNs)) }];
      });
      if (hit.length === 0) continue;
      hit.sort((x, y) => y.idleShare - x.idleShare);
      const worst = hit[0]!;
      const top = [...worst.gaps].sort((x, y) => y.end - y.start - (x.end - x.start)).slice(0, o.gapsShown as number).map((g) => {
        const thread = ops.thread[g.opAfter]!;
        const calls = thread >= 0 ? hostCallsDuring(a.model, a.hostCalls, thread, g.start, g.end) : [];
        return {
          step: g.step.name, startNs: g.start, durationNs: g.end - g.start, hostBoundNs: g.hostBoundNs,
          kernelAfter: a.model.opNames[ops.name[g.opAfter]!]!.short, host: describeHostCalls(calls, g.end - g.start), hostCalls: calls.slice(0, 5).map((c) => c.name),
        };
      });
      const g0 = top[0]!;
      out.push({
        rule: 'host-bound-gaps',
        severity: 'warning',
        message:
          `GPUs sit idle waiting for the host in ${phase} steps: ` +
          hit.map((h) => `${h.device.label} ${fmtPct(h.idleShare, 0)}`).join(', ') + ` of the step (median; ${fmtNs(worst.idlePerStep)} per step on ` +
          `${worst.device.label}, ${fmtPct(worst.hostBoundShare, 0)} of it before kernels not yet launched). Largest gap: ${fmtNs(g0.durationNs)} ` +
          `in "${g0.step}" before ${ellipsize(g0.kernelAfter, 60)}; host: ${g0.host}.`,
        evidence: {
          phase,
          devices: hit.map((h) => ({ deviceId: h.device.deviceId, idleShare: h.idleShare, idlePerStepNs: h.idlePerStep, hostBoundShare: h.hostBoundShare })),
          largestGaps: top,
        },
        recommendation:
          'Take the host work out of the step: CUDA graphs for decode, static shapes (pad batches to captured sizes) so plans and ' +
          'kernels are not rebuilt per step, warm-up of every shape before serving, no Python work between launches. ' +
          runtimeAdvice(a, 'cudagraph'),
        impactNs: worst.idlePerStep,
      });
    }
    return out;
  },
};
