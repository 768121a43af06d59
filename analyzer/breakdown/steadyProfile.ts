/**
 * A phase's typical step on a typical GPU, from the steady steps only (warm-up outliers out): each GPU's
 * mean per steady step (its phase summary divided by its steady steps), then the mean over GPUs; the
 * shares are parts of that mean span. What compare, scaling and attach put side by side across traces,
 * made from the same sums as the per-GPU tables, so the two never disagree.
 */
import { TIME_CLASSES, type KernelClass, type Phase, type TimeClass } from '../contract/vocabulary.js';
import { artifact, perKey } from '../artifact.js';
import type { Reads } from '../data.js';
import { OpKind } from '../model/types.js';
import { steadyStepsOf } from '../steps/steady.js';

export type { TimeClass };

export interface SteadyProfile {
  phase: Phase;
  /** GPUs with steady steps in the phase, and their steady steps (mean count per GPU). */
  gpus: number;
  stepsPerGpu: number;
  /** ns per step per GPU (mean). Classes on concurrent streams overlap, so they can add up to more than the span. */
  classNs: Record<TimeClass, number>;
  /** Communication split into transfer (data moving) and waiting for other ranks, ns per step per GPU. */
  commTransferNs: number;
  commWaitNs: number;
  exposedCommNs: number;
  spanNs: number;
  /** Parts of the mean span: communication, exposed communication, idle. */
  commShare: number;
  exposedCommShare: number;
  idleShare: number;
  /** Share of the steady steps' GPU ops launched from CUDA graphs. */
  graphShare: number;
  /** GPU ops (kernels, copies) per step per GPU, mean: how much work a step holds. */
  opsPerStep: number;
}

function profile(a: Reads<'phases' | 'model' | 'stepSet'>, phase: Phase): SteadyProfile | null {
  const sums = a.phases.filter((p) => p.phase === phase && p.steadyCount > 0);
  if (sums.length === 0) return null;
  const mean = (f: (p: (typeof sums)[number]) => number) => sums.reduce((x, p) => x + f(p) / p.steadyCount, 0) / sums.length;
  const classNs = Object.fromEntries(TIME_CLASSES.map((c) => [c, mean((p) => p.timeNs[c])])) as Record<TimeClass, number>;
  const spanNs = mean((p) => p.totalSpanNs);
  const exposedCommNs = mean((p) => p.exposedCommNs);
  const of = (x: number) => (spanNs > 0 ? x / spanNs : 0);
  let ops = 0;
  let graphOps = 0;
  const { ops: o } = a.model;
  for (const p of sums) {
    for (const s of steadyStepsOf(a.stepSet, p.device, phase)) {
      ops += s.ops.length;
      for (const i of s.ops) if (o.fromGraph[i] === 1 || o.kind[i] === OpKind.graph) graphOps++;
    }
  }
  const steps = sums.reduce((x, p) => x + p.steadyCount, 0);
  return {
    phase, gpus: sums.length, stepsPerGpu: steps / sums.length, classNs,
    commTransferNs: mean((p) => p.commTransferNs), commWaitNs: mean((p) => p.commWaitNs), exposedCommNs, spanNs,
    commShare: of(classNs.communication), exposedCommShare: of(exposedCommNs), idleShare: of(classNs.idle),
    graphShare: ops ? graphOps / ops : 0,
    opsPerStep: ops / steps,
  };
}

export const steadyProfile = artifact(['phases', 'model', 'stepSet'], (a) => perKey((phase: Phase) => profile(a, phase)));
