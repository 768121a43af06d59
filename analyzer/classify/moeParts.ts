/**
 * MoE time in three parts (docs/architecture.md §3, "MoE"): the expert GEMMs, routing (router GEMM,
 * softmax, top-k gating) and dispatch/combine (sorting and permuting tokens by expert, gathers, the
 * weighted sum back, expert-parallel all-to-all). Engines name their MoE kernels (vLLM fused_moe and
 * moe_align_block_size, Marlin MoE, DeepGEMM grouped, TensorRT-LLM expandInputRows / finalizeMoeRouting,
 * DeepEP dispatch / combine), so those are read from the name. PyTorch-native MoE (Hugging Face
 * transformers' grouped_mm and eager per-expert paths) runs generic kernels instead: nvjet GEMMs per
 * expert, `gatherTopK`, index gathers, `nonzero`, argsort, `index_add_`. Those are MoE only by where they
 * run, so a second pass finds the MoE blocks in each GPU's kernel sequence:
 *
 *   router GEMM → top-k (the anchor) → ... → the last combine kernel (index_add / scatter_add) before the
 *   next attention kernel or the next anchor
 *
 * and gives every kernel in the block the class `moe` and a part: the router GEMM and the kernels up to the
 * top-k and its normalisation are routing; GEMMs (and the activation between two of them) are experts; the
 * rest is dispatch/combine. A top-k with no combine after it (a sampler's top-k) starts no block.
 */
import type { TraceModel } from '../model/types.js';
import { OpKind } from '../model/types.js';
import { KERNEL_CLASSES, type KernelClass } from '../contract/vocabulary.js';

const CLASS_INDEX = Object.fromEntries(KERNEL_CLASSES.map((c, i) => [c, i])) as Record<KernelClass, number>;

export const MOE_PARTS = ['experts', 'routing', 'dispatch'] as const;
export type MoePart = (typeof MOE_PARTS)[number];
/** Part of each op: 0 none, else 1 + index into MOE_PARTS. */
export const NO_PART = 0;
const EXPERTS = 1;
const ROUTING = 2;
const DISPATCH = 3;

const GEMM = CLASS_INDEX.gemm;
const MOE = CLASS_INDEX.moe;
const ATTENTION = CLASS_INDEX.attention;
const ELEMENTWISE = CLASS_INDEX.elementwise;
const OTHER = CLASS_INDEX.other;
const COMM = CLASS_INDEX.communication;

/** Named MoE kernels and the part they are (first match wins). */
const NAMED_PARTS: readonly [RegExp, number][] = [
  [/topk_?softmax|topkGating|grouped_?topk|GroupedTopk|moe_fused_gate|fused_gate|[Rr]outing|[Rr]outer|topk_?gating|bitmatrix/, ROUTING],
  [/moe_align|align_block_size|count_and_sort|sort_expert|expandInputRows|finalizeMoeRouting|moe_sum|moe_permute|moe_unpermute|shuffle_rows|permute|Permute|dispatch|combine|A2A|[Aa]ll_?[Tt]o_?[Aa]ll|deep_ep|preprocess|compute_expert_offsets|get_cutlass_moe_mm_data|compute_arg_sorts/, DISPATCH],
  [/./, EXPERTS],
];

/** Kernels that name a grouped (per-expert) GEMM only in their template arguments: CUTLASS grouped problems (torch._grouped_mm). */
const GROUPED_GEMM = /GroupProblemShape|grouped_mm|GroupedMm|MoeProblemShape/;
/** PyTorch top-k kernels (aten/src/ATen/native/cuda/TensorTopK.cu, Sort.cu): the router's top-k. */
const TOPK = /gatherTopK|radixFindKthValues|computeBlockwiseWithinKCounts|computeBlockwiseKthCounts|(^|_)topk|TopK/;
/** The weighted sum of the experts' outputs back into token order (index_add_, scatter_add_). */
const COMBINE = /^indexFunc(Small|Large)Index|index_add|scatter_add|_scatter_gather_elementwise_kernel|moe_sum|finalizeMoeRouting|combine/;
/** Gathers of tokens or expert weights by index (aten index and gather kernels; not index_select, the embedding lookup that opens a forward). */
const GATHER = /^(vectorized_gather_kernel|index_elementwise_kernel|_?scatter_gather_elementwise_kernel|gather_kernel)/;
/** A reduction (sum / max over the top-k weights) or a softmax: routing's tail (norm_topk_prob). */
const ROUTING_TAIL = /reduce_kernel|SoftMax|softmax|elementwise/;

export interface MoeParts {
  /** Class of every op after the MoE pass (a copy of the name classes where blocks were found). */
  opClass: Uint8Array;
  /** Part of every op (NO_PART, or 1 + index into MOE_PARTS). */
  part: Uint8Array;
  /** MoE blocks found from the kernel sequence (not from names). */
  blocks: number;
}

/** Part of a kernel the table already calls `moe`, from its short name (template arguments name policies
 *  such as a "Dispatch" that say nothing of the kernel's job). */
function namedPart(short: string): number {
  for (const [re, p] of NAMED_PARTS) if (re.test(short)) return p;
  return EXPERTS;
}

/** `seqs`: each device's ops in start order (model/deviceTimeline.ts). */
export function moeParts(model: TraceModel, nameClass: Uint8Array, seqs: readonly Uint32Array[]): MoeParts {
  const { ops, opNames } = model;
  const opClass = Uint8Array.from(nameClass);
  const part = new Uint8Array(ops.n);
  // Per name: grouped GEMM, top-k, combine; and the part of a `moe` kernel.
  const isGrouped = new Uint8Array(opNames.length);
  const isTopk = new Uint8Array(opNames.length);
  const isCombine = new Uint8Array(opNames.length);
  const isTail = new Uint8Array(opNames.length);
  const isGather = new Uint8Array(opNames.length);
  const named = new Uint8Array(opNames.length);
  opNames.forEach((n, i) => {
    if (n.kind !== OpKind.kernel) return;
    if (GROUPED_GEMM.test(n.long)) isGrouped[i] = 1;
    if (TOPK.test(n.short) || TOPK.test(n.long)) isTopk[i] = 1;
    if (COMBINE.test(n.short)) isCombine[i] = 1;
    if (ROUTING_TAIL.test(n.short)) isTail[i] = 1;
    if (GATHER.test(n.short)) isGather[i] = 1;
    named[i] = namedPart(n.short);
  });
  for (let i = 0; i < ops.n; i++) {
    const nm = ops.name[i]!;
    if (isGrouped[nm]) opClass[i] = MOE;
    if (opClass[i] === MOE) part[i] = named[nm]!;
  }
  // The blocks of PyTorch-native MoE, device by device in start order.
  let blocks = 0;
  for (const seq of seqs) {
    for (let p = 0; p < seq.length; p++) {
      if (!isTopk[ops.name[seq[p]!]!] || part[seq[p]!] !== NO_PART) continue;
      // The block's end: the last combine before the next attention kernel or the next top-k.
      let end = -1;
      let q = p + 1;
      for (; q < seq.length; q++) {
        const o = seq[q]!;
        const c = opClass[o]!;
        if (c === ATTENTION || isTopk[ops.name[o]!]) break;
        if (isCombine[ops.name[o]!]) end = q;
      }
      // No combine kernel (a path that sums the experts' outputs with a plain reduction, such as
      // transformers' batched_mm): the block ends after its last expert GEMM, a GEMM that runs on tokens
      // or weights just gathered (a gather between it and the top-k or the expert before it), and the
      // reductions right after it. The next layer's projections follow no gather and stay outside.
      if (end < 0) {
        let gathered = false;
        let lastExpert = -1;
        for (let r = p + 1; r < q; r++) {
          const o = seq[r]!;
          const c = opClass[o]!;
          if (isGather[ops.name[o]!]) gathered = true;
          else if ((c === GEMM || c === MOE) && gathered) {
            lastExpert = r;
            gathered = false;
          }
        }
        if (lastExpert < 0) continue;
        end = lastExpert;
        for (let r = lastExpert + 1; r < q && r <= lastExpert + 3; r++) {
          const c = opClass[seq[r]!]!;
          if (c !== ELEMENTWISE && c !== OTHER) break;
          end = r;
        }
      }
      // The router GEMM: the last GEMM before the top-k, with no attention kernel between.
      let begin = p;
      for (let r = p - 1; r >= 0 && p - r <= 16; r--) {
        const c = opClass[seq[r]!]!;
        if (c === ATTENTION || c === COMM) break;
        if (c === GEMM) {
          begin = r;
          break;
        }
      }
      blocks++;
      // Routing: the router GEMM to the top-k, then its normalisation (reductions, elementwise) until the
      // first kernel of another kind.
      let k = begin;
      for (; k <= p; k++) mark(seq[k]!, ROUTING);
      while (k <= end && isTail[ops.name[seq[k]!]!] && opClass[seq[k]!] !== GEMM && opClass[seq[k]!] !== MOE) mark(seq[k++]!, ROUTING);
      // Experts: GEMMs, grouped GEMMs and named expert kernels; an activation between two of them is the
      // experts' too. Everything else moves tokens: dispatch/combine.
      const rest = Array.from(seq.subarray(k, end + 1));
      const expertAt = rest.map((o) => opClass[o] === GEMM || (opClass[o] === MOE && (part[o] === EXPERTS || part[o] === NO_PART)));
      let lastExpert = -1;
      for (let x = 0; x < rest.length; x++) {
        const o = rest[x]!;
        if (part[o] !== NO_PART && opClass[o] === MOE && !expertAt[x]) continue; // a named routing/dispatch kernel keeps its part
        if (expertAt[x]) {
          for (let y = lastExpert + 1; lastExpert >= 0 && y < x; y++) {
            const c = nameClass[rest[y]!]!;
            if (c === ELEMENTWISE || c === OTHER) part[rest[y]!] = EXPERTS;
          }
          mark(o, EXPERTS);
          lastExpert = x;
        } else if (part[o] === NO_PART) mark(o, DISPATCH);
      }
      p = end;
    }
  }
  function mark(o: number, p: number) {
    // A collective inside the block (an expert-parallel all-to-all) stays communication: a part is
    // always a part of the moe class's time.
    if (opClass[o] === COMM) return;
    opClass[o] = MOE;
    part[o] = p;
  }
  return { opClass, part, blocks };
}
