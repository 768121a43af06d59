/**
 * A phase's typical step on a typical GPU, from the steady steps only (warm-up outliers out): time per
 * step by kernel class and idle, averaged over steps and then over GPUs, and the shares as medians over
 * every (GPU, steady step). What `compare` and `scaling` put side by side across traces.
 */
import { KERNEL_CLASSES, type KernelClass } from '../classify/kernelClasses.js';
import type { Analysis } from '../analysis.js';
import { OpKind } from '../model/types.js';
import type { Phase } from '../steps/types.js';
import { median } from '../util/stats.js';

export type TimeClass = KernelClass | 'idle';

export interface SteadyProfile {
  phase: Phase;
  /** GPUs with steady steps in the phase, and their steady steps (mean count per GPU). */
  gpus: number;
  stepsPerGpu: number;
  /** ns per step per GPU (mean). Classes on concurrent streams overlap, so they can add up to more than the span. */
  classNs: Record<TimeClass, number>;
  spanNs: number;
  /** Medians over (GPU, steady step) of |comm| / span, |comm − compute| / span, idle / span. */
  commShare: number;
  exposedCommShare: number;
  idleShare: number;
  /** Share of the steady steps' GPU ops launched from CUDA graphs. */
  graphShare: number;
  /** GPU ops (kernels, copies) per step per GPU, mean: how much work a step holds. */
  opsPerStep: number;
}

function profile(a: Analysis, phase: Phase): SteadyProfile | null {
  const perGpu = a.model.devices.map((d) => a.steadyStepsOf(d.index, phase)).filter((s) => s.length > 0);
  if (perGpu.length === 0) return null;
  const classNs = Object.fromEntries([...KERNEL_CLASSES, 'idle'].map((c) => [c, 0])) as Record<TimeClass, number>;
  let spanNs = 0;
  const comm: number[] = [];
  const exposed: number[] = [];
  const idle: number[] = [];
  let ops = 0;
  let graphOps = 0;
  const { ops: o } = a.model;
  for (const steps of perGpu) {
    const w = 1 / steps.length / perGpu.length;
    for (const s of steps) {
      const b = a.breakdowns[s.index]!;
      KERNEL_CLASSES.forEach((c, i) => (classNs[c] += b.classNs[i]! * w));
      classNs.idle += b.idleNs * w;
      spanNs += b.spanNs * w;
      const span = b.spanNs || 1;
      comm.push(b.commNs / span);
      exposed.push(b.exposedCommNs / span);
      idle.push(b.idleNs / span);
      ops += s.ops.length;
      for (const i of s.ops) if (o.fromGraph[i] === 1 || o.kind[i] === OpKind.graph) graphOps++;
    }
  }
  return {
    phase, gpus: perGpu.length, stepsPerGpu: perGpu.reduce((x, s) => x + s.length, 0) / perGpu.length,
    classNs, spanNs, commShare: median(comm), exposedCommShare: median(exposed), idleShare: median(idle),
    graphShare: ops ? graphOps / ops : 0,
    opsPerStep: ops / perGpu.reduce((x, s) => x + s.length, 0),
  };
}

export function steadyProfile(a: Analysis, phase: Phase): SteadyProfile | null {
  return a.memo(`steadyProfile:${phase}`, () => profile(a, phase));
}
