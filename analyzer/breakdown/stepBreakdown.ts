/**
 * Where one step's time goes on its device (docs/architecture.md §3): per-class busy time, comm share, overlap, exposed
 * comm and idle, all as lengths of interval unions over the step's ops, in one pass.
 */
import { COMM, IS_COMPUTE } from '../classify/opClasses.js';
import { KERNEL_CLASSES } from '../contract/vocabulary.js';
import type { GpuOps } from '../model/types.js';
import type { Step } from '../steps/types.js';

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
  /** |union of moe ops of each part| (experts, routing, dispatch/combine: classify/moeParts.ts); each at most classNs[moe]. */
  moeNs: Float64Array;
  /** |union of FP8 GEMMs| and |union of the kernels quantising their inputs| (classify/quantParts.ts). */
  fp8GemmNs: number;
  fp8QuantNs: number;
}

/** Union meters (util/intervals.ts UnionMeter, unrolled into typed arrays): one per class, then these. */
const ALL = KERNEL_CLASSES.length;
const COMPUTE = ALL + 1;
const COMM_OR_COMPUTE = ALL + 2;
/** Meters of the MoE parts (part p at MOE_PART + p - 1). */
const MOE_PART = ALL + 3;
const FP8_GEMM = MOE_PART + 3;
const FP8_QUANT = FP8_GEMM + 1;
const METERS = FP8_QUANT + 1;
const MOE = KERNEL_CLASSES.indexOf('moe');

/** Per meter: the total so far and the open interval [ms, me); reused by every call (one runs at a time). */
const total = new Float64Array(METERS);
const ms = new Float64Array(METERS);
const me = new Float64Array(METERS);

/** UnionMeter.add on meter m: intervals come in ascending start order. */
function add(m: number, s: number, e: number): void {
  if (s > me[m]!) {
    if (me[m]! > ms[m]!) total[m]! += me[m]! - ms[m]!;
    ms[m] = s;
    me[m] = e;
  } else if (e > me[m]!) {
    me[m] = e;
  }
}

export function breakdownOps(ops: GpuOps, opClass: Uint8Array, indices: Uint32Array | number[], spanStart: number, spanEnd: number, moePart?: Uint8Array, fp8?: { gemm: Uint8Array; quant: Uint8Array }): Omit<StepBreakdown, 'step'> {
  // Called per step and per layer window (hundreds of thousands of times in a big trace): nothing is
  // allocated per op, and per call only what is returned.
  total.fill(0);
  ms.fill(0);
  me.fill(-Infinity);
  const classCount = new Uint32Array(KERNEL_CLASSES.length);
  const { start, end } = ops;
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    const s = Math.max(start[i]!, spanStart);
    const e = Math.min(end[i]!, spanEnd);
    const c = opClass[i]!;
    classCount[c]!++;
    if (e <= s) continue;
    add(c, s, e);
    add(ALL, s, e);
    if (IS_COMPUTE[c]) add(COMPUTE, s, e);
    if (IS_COMPUTE[c] || c === COMM) add(COMM_OR_COMPUTE, s, e);
    if (c === MOE && moePart && moePart[i]! > 0) add(MOE_PART + moePart[i]! - 1, s, e);
    if (fp8) {
      if (fp8.gemm[i]) add(FP8_GEMM, s, e);
      else if (fp8.quant[i]) add(FP8_QUANT, s, e);
    }
  }
  for (let m = 0; m < METERS; m++) if (me[m]! > ms[m]!) total[m]! += me[m]! - ms[m]!;
  const classNs = total.slice(0, ALL);
  const busyNs = total[ALL]!;
  const computeNs = total[COMPUTE]!;
  const unionCC = total[COMM_OR_COMPUTE]!;
  const commNs = classNs[COMM]!;
  const exposedCommNs = Math.max(0, unionCC - computeNs);
  const spanNs = Math.max(0, spanEnd - spanStart);
  return {
    spanNs, classNs, busyNs, computeNs, commNs,
    overlapNs: Math.max(0, commNs - exposedCommNs), exposedCommNs,
    idleNs: Math.max(0, spanNs - busyNs), classCount, moeNs: total.slice(MOE_PART, MOE_PART + 3),
    fp8GemmNs: total[FP8_GEMM]!, fp8QuantNs: total[FP8_QUANT]!,
  };
}

export function breakdownStep(ops: GpuOps, opClass: Uint8Array, step: Step, moePart?: Uint8Array, fp8?: { gemm: Uint8Array; quant: Uint8Array }): StepBreakdown {
  return { step: step.index, ...breakdownOps(ops, opClass, step.ops, step.start, step.end, moePart, fp8) };
}
