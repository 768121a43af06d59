/**
 * A few fast steps among slow ones (steps/steady.ts keeps them in the numbers): what the fast ones did not
 * do is what makes the others slow. In eager PyTorch decode the first measured steps reuse the attention
 * plans a warm-up pass built for the same KV length and run in 2 ms, while every later step waits tens of
 * ms idle for the host to build a new plan: the same kernels, the difference is idle (or, on ranks that
 * reach the all-reduce early, waiting inside it).
 */
import { artifact } from '../artifact.js';
import type { Reads } from '../data.js';
import { KERNEL_CLASSES, type KernelClass, type Phase } from '../contract/vocabulary.js';
import { lowerMedian, median } from '../util/stats.js';
import { byDevicePhase, isFast } from './steady.js';
import type { Step } from './types.js';

/** At most this share of a phase's steps may be fast for them to be "a few" (else the slow ones are few). */
export const FEW = 0.34;
/** Fast steps with fewer than this share of the others' ops run less work. */
export const LESS_WORK = 0.6;

export interface FastSteps {
  device: number;
  phase: Phase;
  /** Step indices of the fast steps, in time order. */
  fast: number[];
  /** Steps of the phase the numbers describe on this device. */
  of: number;
  fastMedianNs: number;
  otherMedianNs: number;
  /** Median op count of the fast steps and of the others. */
  fastOps: number;
  otherOps: number;
  /** What the others spend per step beyond the fast ones (median minus median), per class and idle, ns. */
  extraNs: Record<KernelClass | 'idle', number>;
  /** The largest of those. */
  mainExtra: KernelClass | 'idle';
}

export const fastSteps = artifact(['stepSet', 'steady', 'breakdowns'], (a): FastSteps[] => {
  const out: FastSteps[] = [];
  for (const g of byDevicePhase(a.stepSet.steps.filter((s) => a.steady[s.index]))) {
    const typical = lowerMedian(g.map((s) => s.end - s.start));
    const fast = g.filter((s) => isFast(s.end - s.start, typical));
    if (fast.length === 0 || fast.length > FEW * g.length) continue;
    const others = g.filter((s) => !fast.includes(s));
    const b = (s: Step) => a.breakdowns[s.index]!;
    const extraNs = Object.fromEntries(
      KERNEL_CLASSES.map((c, i) => [c, median(others.map((s) => b(s).classNs[i]!)) - median(fast.map((s) => b(s).classNs[i]!))]),
    ) as Record<KernelClass | 'idle', number>;
    extraNs.idle = median(others.map((s) => b(s).idleNs)) - median(fast.map((s) => b(s).idleNs));
    const mainExtra = (Object.keys(extraNs) as (KernelClass | 'idle')[]).reduce((x, y) => (extraNs[y] > extraNs[x] ? y : x));
    out.push({
      device: g[0]!.device, phase: g[0]!.phase, fast: fast.map((s) => s.index), of: g.length,
      fastMedianNs: median(fast.map((s) => s.end - s.start)), otherMedianNs: median(others.map((s) => s.end - s.start)),
      fastOps: median(fast.map((s) => s.ops.length)), otherOps: median(others.map((s) => s.ops.length)),
      extraNs, mainExtra,
    });
  }
  return out;
});

const ms = (ns: number) => (ns >= 10e6 ? (ns / 1e6).toFixed(1) : (ns / 1e6).toFixed(2));

/** One line per phase (GPUs alike folded together), for the report's notes. */
export function fastStepsText(a: Reads<'fastSteps' | 'stepSet' | 'model'>): string[] {
  const found = a.fastSteps;
  const byPhase = new Map<Phase, FastSteps[]>();
  for (const f of found) {
    let l = byPhase.get(f.phase);
    if (!l) byPhase.set(f.phase, (l = []));
    l.push(f);
  }
  const lines: string[] = [];
  for (const [phase, list] of byPhase) {
    const f = list[0]!;
    const names = [...new Set(list.flatMap((x) => x.fast.map((i) => a.stepSet.steps[i]!.name)))];
    const gpus = list.map((x) => a.model.devices[x.device]!.label).join(', ');
    const kernels = f.fastOps === f.otherOps ? `the same ${f.otherOps} GPU ops` : `${f.fastOps} GPU ops against ${f.otherOps}`;
    const what = (x: FastSteps) => (x.mainExtra === 'idle' ? `${ms(x.extraNs.idle)} ms idle` : `${ms(x.extraNs[x.mainExtra])} ms more ${x.mainExtra}`);
    const extras = [...new Set(list.map(what))];
    // Far fewer ops is less work, not the same work without a wait: a speculative generation's last
    // rounds propose fewer tokens, down to a verification alone.
    if (f.fastOps < LESS_WORK * f.otherOps) {
      lines.push(
        `${phase}: ${names.length} of ${f.of} steps (${names.slice(0, 4).join(', ')}${names.length > 4 ? ', …' : ''}) ran ${(f.otherMedianNs / f.fastMedianNs).toFixed(0)}× faster ` +
          `than the others (${ms(f.fastMedianNs)} ms against ${ms(f.otherMedianNs)} ms, on ${gpus}) with ${kernels}: they hold less work ` +
          `(fewer forwards, layers or tokens), not the same work faster; the numbers include both`,
      );
      continue;
    }
    lines.push(
      `${phase}: ${names.length} of ${f.of} steps (${names.slice(0, 4).join(', ')}${names.length > 4 ? ', …' : ''}) ran ${(f.otherMedianNs / f.fastMedianNs).toFixed(0)}× faster ` +
        `than the others (${ms(f.fastMedianNs)} ms against ${ms(f.otherMedianNs)} ms, on ${gpus}) with ${kernels}: the others spend ` +
        `${extras.slice(0, 3).join(' / ')} per step that the fast ones did not (host work before their kernels, such as ` +
        `attention plans built for a new shape, or waiting for a late rank); the numbers include both`,
    );
  }
  return lines;
}
