/**
 * Regimes: runs of consecutive steps at another speed than the steps the numbers describe (steady.ts marks
 * them). An engine's first request builds its kernels' plans inside every decode step (cuDNN per new KV
 * length: 40 ms a step instead of 4.4), a batch size without a captured graph runs eager: half the steps can
 * be in such a run, and dropping them as outliers hides the finding. Each regime is described like a phase:
 * its steps, their median span against the typical one, where the extra time goes, and the host calls in
 * flight during the GPU's idle gaps inside its steps (the cause, as the host shows it).
 */
import { median } from 'd3-array';
import { artifact } from '../artifact.js';
import type { StepBreakdown } from '../breakdown/stepBreakdown.js';
import { KERNEL_CLASSES, type KernelClass, type Phase } from '../contract/vocabulary.js';
import { tallyHostCalls, topCalls, type CallTotal } from '../host/hostActivity.js';
import { lowerMedian } from '../util/stats.js';
import type { Step } from './types.js';

/** Idle gaps inside a regime's steps shorter than this are launch latency, not the host at work. */
const GAP_MIN_NS = 50_000;

export interface Regime {
  device: number;
  phase: Phase;
  steps: Step[];
  medianNs: number;
  /** Mean span of its steps: the whole the per-step class times below are parts of. */
  meanNs: number;
  /** The typical (lower-median) span of the steady steps of the same device and phase. */
  typicalNs: number;
  /** Means per step over the regime's steps. */
  perStepNs: Record<KernelClass | 'idle', number>;
  /** The same for the steady steps, to say where the extra time goes. */
  steadyPerStepNs: Record<KernelClass | 'idle', number>;
  /** Host calls in flight during idle gaps inside the regime's steps, summed (longest first, at most five). */
  hostCalls: { name: string; source: 'cuda' | 'os'; ns: number }[];
  /** Idle inside the steps with no CUDA or OS call in flight (ns, summed). */
  uncoveredNs: number;
  startNs: number;
  endNs: number;
}

function means(breakdowns: readonly StepBreakdown[], steps: Step[]): Record<KernelClass | 'idle', number> {
  const n = Math.max(1, steps.length);
  const out = Object.fromEntries(KERNEL_CLASSES.map((c, i) => [c, steps.reduce((x, s) => x + breakdowns[s.index]!.classNs[i]!, 0) / n])) as Record<KernelClass | 'idle', number>;
  out.idle = steps.reduce((x, s) => x + breakdowns[s.index]!.idleNs, 0) / n;
  return out;
}

export const regimes = artifact(['model', 'stepSet', 'breakdowns', 'hostCalls'], (a): Regime[] => {
  const { model, stepSet: set } = a;
  const out: Regime[] = [];
  set.byDevice.forEach((list, device) => {
    const byPhase = new Map<Phase, Step[]>();
    for (const s of list) {
      let l = byPhase.get(s.phase);
      if (!l) byPhase.set(s.phase, (l = []));
      l.push(s);
    }
    for (const [phase, steps] of byPhase) {
      const steady = steps.filter((s) => set.steady[s.index] === 1);
      if (steady.length === 0) continue;
      const typical = lowerMedian(steady.map((s) => s.end - s.start));
      let run: Step[] = [];
      const flush = () => {
        if (run.length === 0) return;
        const calls = new Map<string, CallTotal>();
        let uncovered = 0;
        for (const s of run) {
          let busy = -Infinity;
          for (const o of s.ops) {
            const st = model.ops.start[o]!;
            if (busy > -Infinity && st - busy >= GAP_MIN_NS) uncovered += tallyHostCalls(model, a.hostCalls, model.ops.thread[o]!, busy, st, calls);
            busy = Math.max(busy, model.ops.end[o]!);
          }
        }
        out.push({
          device, phase, steps: run, medianNs: median(run.map((s) => s.end - s.start)) ?? 0,
          meanNs: run.reduce((x, s) => x + s.end - s.start, 0) / run.length, typicalNs: typical,
          perStepNs: means(a.breakdowns, run), steadyPerStepNs: means(a.breakdowns, steady),
          hostCalls: topCalls(calls, 5).map(({ name, source, ns }) => ({ name, source, ns })), uncoveredNs: uncovered,
          startNs: run[0]!.start, endNs: run[run.length - 1]!.end,
        });
        run = [];
      };
      for (const s of steps) {
        if (set.exclusion[s.index] === 'regime') run.push(s);
        else flush();
      }
      flush();
    }
  });
  return out;
});
