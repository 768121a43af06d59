/**
 * Where one step's time goes on its device (DESIGN 3): per-class busy time, comm share, overlap, exposed
 * comm and idle, all as lengths of interval unions over the step's ops, in one pass.
 */
import { COMM, IS_COMPUTE } from '../classify/opClasses.js';
import { KERNEL_CLASSES } from '../classify/kernelClasses.js';
import type { GpuOps } from '../model/types.js';
import type { Step } from '../steps/types.js';
import { UnionMeter } from '../util/intervals.js';

export interface StepBreakdown {
  step: number;
  spanNs: number;
  /** |union of ops of each class| indexed like KERNEL_CLASSES; classes on concurrent streams may overlap. */
  classNs: Float64Array;
  /** |union of all ops|. */
  busyNs: number;
  computeNs: number;
  commNs: number;
  /** |comm ∩ compute|. */
  overlapNs: number;
  /** |comm − compute|. */
  exposedCommNs: number;
  idleNs: number;
  /** Number of ops of each class. */
  classCount: Uint32Array;
}

export function breakdownOps(ops: GpuOps, opClass: Uint8Array, indices: Uint32Array | number[], spanStart: number, spanEnd: number): Omit<StepBreakdown, 'step'> {
  const meters = KERNEL_CLASSES.map(() => new UnionMeter());
  const all = new UnionMeter();
  const compute = new UnionMeter();
  const commOrCompute = new UnionMeter();
  const classCount = new Uint32Array(KERNEL_CLASSES.length);
  for (const i of indices) {
    const s = Math.max(ops.start[i]!, spanStart);
    const e = Math.min(ops.end[i]!, spanEnd);
    const c = opClass[i]!;
    classCount[c]!++;
    meters[c]!.add(s, e);
    all.add(s, e);
    if (IS_COMPUTE[c]) compute.add(s, e);
    if (IS_COMPUTE[c] || c === COMM) commOrCompute.add(s, e);
  }
  const classNs = Float64Array.from(meters, (m) => m.finish());
  const busyNs = all.finish();
  const computeNs = compute.finish();
  const unionCC = commOrCompute.finish();
  const commNs = classNs[COMM]!;
  const exposedCommNs = Math.max(0, unionCC - computeNs);
  const spanNs = Math.max(0, spanEnd - spanStart);
  return {
    spanNs, classNs, busyNs, computeNs, commNs,
    overlapNs: Math.max(0, commNs - exposedCommNs), exposedCommNs,
    idleNs: Math.max(0, spanNs - busyNs), classCount,
  };
}

export function breakdownStep(ops: GpuOps, opClass: Uint8Array, step: Step): StepBreakdown {
  return { step: step.index, ...breakdownOps(ops, opClass, step.ops, step.start, step.end) };
}
