/**
 * Whether the trace runs FP8 GEMMs: a kernel name that names an FP8 type (cuBLASLt / nvjet / CUTLASS
 * spell it e4m3 or e5m2; Triton and DeepGEMM kernels fp8). A plan check that matters only for FP8 weights
 * is advice, not a warning, on a run without any.
 */
import { artifact } from '../artifact.js';
import { OpKind } from '../model/input.js';

const FP8 = /e4m3|e5m2|fp8|float8/i;

export const runsFp8 = artifact(['model'], (a): boolean => {
  const { ops, opNames } = a.model;
  const named = opNames.map((n) => n.kind === OpKind.kernel && (FP8.test(n.long) || FP8.test(n.short)));
  for (let i = 0; i < ops.n; i++) if (ops.kind[i] === OpKind.kernel && named[ops.name[i]!]) return true;
  return false;
});
