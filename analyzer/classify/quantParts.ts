/**
 * What FP8 quantisation costs (docs/architecture.md §3, "FP8 quantisation"): an FP8 GEMM needs its
 * activations scaled and cast first, and with per-tensor dynamic scales (torch._scaled_mm, torchao) that is
 * an abs-max reduction, the scale, a clamp and the cast to float8: several small kernels around every GEMM,
 * spread over the elementwise, memory and other classes. Engines name their quantisation kernels
 * (vLLM's scaled_fp8_quant, per_token_group_quant_fp8; those rows are `[Qq]uant`); PyTorch's are generic,
 * so each FP8 GEMM (cuBLAS's `qq` nvjet kernels, names with e4m3 / fp8) claims the kernels just before it,
 * from the `abs` that starts the abs-max back to the GEMM, when the cast to float8 is among them.
 */
import type { TraceModel } from '../model/types.js';
import { OpKind } from '../model/types.js';
import { KERNEL_CLASSES } from '../contract/vocabulary.js';

const GEMM = KERNEL_CLASSES.indexOf('gemm');
const ATTENTION = KERNEL_CLASSES.indexOf('attention');
const MOE = KERNEL_CLASSES.indexOf('moe');
const COMM = KERNEL_CLASSES.indexOf('communication');

/** FP8 GEMMs: cuBLAS nvjet with FP8 inputs (`qq`), CUTLASS / DeepGEMM / Triton kernels named for e4m3 or fp8. */
const FP8_GEMM = /^nvjet_sm\d+_qq|e4m3|fp8|Fp8|FP8|float8/;
/** The cast to float8 (PyTorch's float8 copy kernel), or an engine's named quantisation kernel. */
const FP8_CAST = /float8_copy_kernel|Float8_e4m3|Float8_e5m2/;
const NAMED_QUANT = /[Qq]uant/;
/** The start of a dynamic per-tensor scale: the abs of the abs-max. */
const ABS = /AbsFunctor|abs_kernel/;
/** Kernels a quantisation sequence is looked for in, back from its GEMM. */
const REACH = 12;

export interface QuantParts {
  /** 1 for a kernel that quantises an FP8 GEMM's input. */
  quant: Uint8Array;
  /** 1 for an FP8 GEMM. */
  fp8Gemm: Uint8Array;
}

/** `seqs`: each device's ops in start order (model/deviceTimeline.ts). */
export function quantParts(model: TraceModel, opClass: Uint8Array, seqs: readonly Uint32Array[]): QuantParts {
  const { ops, opNames } = model;
  const quant = new Uint8Array(ops.n);
  const fp8Gemm = new Uint8Array(ops.n);
  const isFp8 = Uint8Array.from(opNames, (n) => (n.kind === OpKind.kernel && (FP8_GEMM.test(n.short) || FP8_GEMM.test(n.long)) ? 1 : 0));
  const isCast = Uint8Array.from(opNames, (n) => (n.kind === OpKind.kernel && FP8_CAST.test(n.long) ? 1 : 0));
  const isNamed = Uint8Array.from(opNames, (n) => (n.kind === OpKind.kernel && NAMED_QUANT.test(n.short) ? 1 : 0));
  const isAbs = Uint8Array.from(opNames, (n) => (n.kind === OpKind.kernel && ABS.test(n.long) ? 1 : 0));
  for (const seq of seqs) {
    for (let p = 0; p < seq.length; p++) {
      const o = seq[p]!;
      if (isNamed[ops.name[o]!] && opClass[o] !== GEMM) quant[o] = 1;
      if (!(opClass[o] === GEMM || opClass[o] === MOE) || !isFp8[ops.name[o]!]) continue;
      fp8Gemm[o] = 1;
      // Back over the kernels before it (no other GEMM, attention or collective between) to the abs that
      // starts the abs-max, if the cast is on the way.
      let cast = false;
      let start = -1;
      for (let r = p - 1; r >= 0 && p - r <= REACH; r--) {
        const q = seq[r]!;
        const c = opClass[q]!;
        if (c === GEMM || c === ATTENTION || c === COMM || c === MOE || quant[q]) break;
        if (isCast[ops.name[q]!]) cast = true;
        if (isAbs[ops.name[q]!]) {
          start = r;
          break;
        }
      }
      if (cast && start >= 0) for (let r = start; r < p; r++) quant[seq[r]!] = 1;
      else if (cast) for (let r = p - 1; r >= 0 && isCast[ops.name[seq[r]!]!]; r--) quant[seq[r]!] = 1;
    }
  }
  return { quant, fp8Gemm };
}
