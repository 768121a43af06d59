/**
 * sync-in-step: the host blocks on the GPU (device, stream or event synchronization, blocking copies)
 * inside steps, draining the GPU's queue each time.
 */
import type { Reads } from '../analyzer/data.js';
import { steadyStepsOf } from '../analyzer/steps/steady.js';
import type { Step } from '../analyzer/steps/types.js';
import { PHASES, type Phase } from '../analyzer/contract/vocabulary.js';
import { lowerBound } from '../analyzer/util/sort.js';
import { median } from '../analyzer/util/stats.js';
import { spanAt } from '../analyzer/timeline/locations.js';
import { text, type Text } from './messageFormat.js';
import { defineTraceRule } from './types.js';

const SYNC = /Synchronize|^cudaMemcpy_v|^cudaMemcpy2D_v|^cuMemcpyDtoH_v|^cuMemcpyHtoD_v/;

interface StepSyncs {
  step: Step;
  calls: { name: string; start: number; end: number }[];
  /** GPU idle inside the step right after the syncs: from the drained queue to the next kernel, each
   *  stretch clipped to the step and counted once (never more than the step's idle time). */
  drainNs: number;
}

/** Length of the union of [start, end) stretches. */
function unionLength(xs: [number, number][]): number {
  xs.sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of xs) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

function syncsOf(a: Reads<'model' | 'hostCalls'>, s: Step, deviceStarts: Float64Array, deviceList: Uint32Array): StepSyncs {
  const hc = a.model.hostCalls;
  const { ops } = a.model;
  const thread = s.thread >= 0 ? s.thread : ops.thread[s.ops[0]!]!;
  let t0 = s.hostStart;
  let t1 = s.hostEnd;
  for (const i of s.ops) {
    const l = ops.launchStart[i]!;
    if (!Number.isNaN(l)) {
      t0 = Math.min(t0, l);
      t1 = Math.max(t1, l);
    }
  }
  const calls: StepSyncs['calls'] = [];
  const idle: [number, number][] = [];
  // The thread's calls starting in [t0, t1], from the shared per-thread index (not a scan of every call
  // of the trace for every step: a production trace has tens of thousands of steps and millions of calls).
  const entry = a.hostCalls.byThread.get(thread);
  const from = entry ? lowerBound(entry.starts, t0) : 0;
  for (let c = from; entry && c < entry.calls.length && entry.starts[c]! <= t1; c++) {
    const i = entry.calls[c]!;
    const name = hc.names[hc.name[i]!]!;
    if (!SYNC.test(name)) continue;
    calls.push({ name, start: hc.start[i]!, end: hc.end[i]! });
    // The next op after the sync returned, and the last one finished before it.
    const k = lowerBound(deviceStarts, hc.end[i]!);
    if (k < deviceList.length && k > 0) {
      let lastEnd = -Infinity;
      for (let j = k - 1; j >= 0 && j >= k - 64; j--) lastEnd = Math.max(lastEnd, ops.end[deviceList[j]!]!);
      const from = Math.max(lastEnd, hc.start[i]!, s.start);
      const to = Math.min(deviceStarts[k]!, s.end);
      if (to > from) idle.push([from, to]);
    }
  }
  return { step: s, calls, drainNs: unionLength(idle) };
}

interface Data {
  phase: Phase;
  syncsPerStep: number;
  devices: string[];
  /** The synchronizing calls, most frequent first (name, count over the steps). */
  calls: Text<'calls'>;
  drainNsPerStep: number;
  stepSpanNs: number;
}

export const rule = defineTraceRule({
  meta: {
    id: 'sync-in-step',
    severity: 'warning',
    title: 'Host synchronizations inside steps',
    description:
      'The step\'s thread calls cudaDeviceSynchronize / cudaStreamSynchronize / cudaEventSynchronize or a blocking copy inside steps ' +
      '(median at least minPerStep per step). Each drains the GPU\'s queue; the idle time after them is the impact.',
    options: {
      minPerStep: { type: 'count', default: 1, description: 'synchronizations per step (median) from which the rule fires' },
      warnShare: {
        type: 'ratio', default: 0.01,
        description: 'GPU idle after the syncs, as a share of the step, from which the finding is a warning; below it, info',
      },
    },
    deps: ['steps', 'launches', 'model', 'timeline', 'hostCalls'],
    messages: {
      syncs:
        'The host synchronizes with the GPU inside {phase, phaseStep}s: {syncsPerStep, select, =1 {once} other {{syncsPerStep} times}} per step on ' +
        '{devices, comma} ({calls}). Each drains the GPU\'s queue; the GPU then idles {drainNsPerStep, ns} per step ' +
        'waiting for new launches ({drainNsPerStep / stepSpanNs, pct} of the step).',
      calls: '{calls, comma, {name} ×{count}}',
      fix:
        'Remove host synchronizations from the step loop: no torch.cuda.synchronize(), .item(), .cpu() or .tolist() on GPU tensors ' +
        'between launches; keep values needed on the host one step behind (async copies to pinned memory with an event checked later). ' +
        'Besides the idle time, a sync stops the host from running ahead of the GPU, which is what hides launch overhead.',
      longest: 'host {name} ({ns, ns}) in "{step}"',
    },
  },
  check(a, o) {
    const tl = a.timeline;
    return PHASES.flatMap((phase) => {
      const hit = a.model.devices.flatMap((d) => {
        const steps = steadyStepsOf(a.steps, d.index, phase);
        if (steps.length === 0) return [];
        const list = tl.ops[d.index]!;
        const starts = new Float64Array(list.length);
        for (let k = 0; k < list.length; k++) starts[k] = a.model.ops.start[list[k]!]!;
        const per = steps.map((s) => syncsOf(a, s, starts, list));
        const count = median(per.map((p) => p.calls.length));
        if (count < o.minPerStep) return [];
        const names = new Map<string, number>();
        for (const p of per) for (const c of p.calls) names.set(c.name, (names.get(c.name) ?? 0) + 1);
        const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
        return [{ device: d, count, steps: steps.length, per, names, drain: mean(per.map((p) => p.drainNs)), span: mean(steps.map((s) => s.end - s.start)) }];
      });
      if (hit.length === 0) return [];
      const names = new Map<string, number>();
      for (const h of hit) for (const [n, c] of h.names) names.set(n, (names.get(n) ?? 0) + c);
      const top = text('calls', { calls: [...names].sort((x, y) => y[1] - x[1]).map(([name, count]) => ({ name, count })) });
      const drain = median(hit.map((h) => h.drain));
      const span = median(hit.map((h) => h.span));
      return [{
        messageId: 'syncs' as const,
        fixId: 'fix' as const,
        data: { phase, syncsPerStep: median(hit.map((h) => h.count)), devices: hit.map((h) => h.device.label), calls: top, drainNsPerStep: drain, stepSpanNs: span } satisfies Data,
        evidence: {
          phase, devices: hit.map((h) => ({ deviceId: h.device.deviceId, syncsPerStep: h.count, drainNsPerStep: h.drain })),
          drainNsPerStep: drain, stepSpanNs: span, calls: Object.fromEntries(names),
        },
        impactNs: drain,
        costShare: span > 0 ? drain / span : 0,
        // Severity follows the measured cost: a sync that idles the GPU 0.1% of the step is worth knowing, not a warning.
        ...(span > 0 && drain / span < o.warnShare ? { severity: 'info' as const } : {}),
        // The longest synchronizations, on the host thread of the GPU's steps (no stream: the host waits on the GPU).
        locations: hit
          .flatMap((h) => h.per.flatMap((p) => p.calls.map((c) => ({ h, p, c }))))
          .sort((x, y) => y.c.end - y.c.start - (x.c.end - x.c.start))
          .slice(0, 3)
          .map(({ h, p, c }) => spanAt(a, h.device.index, c.start, c.end, text('longest', { name: c.name, ns: c.end - c.start, step: p.step.name }))),
      }];
    });
  },
});
