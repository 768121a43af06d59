/**
 * Classes of every GPU op of a model, computed once per distinct name.
 */
import { OpKind, type TraceModel } from '../model/types.js';
import type { Classification, Classifier } from './classifier.js';
import { COMPUTE_CLASSES } from './kernelClasses.js';
import { KERNEL_CLASSES, type KernelClass } from '../contract/vocabulary.js';
import { moeParts } from './moeParts.js';
import { quantParts } from './quantParts.js';
import { deviceTimeline } from '../model/deviceTimeline.js';

export const CLASS_INDEX: Record<KernelClass, number> = Object.fromEntries(KERNEL_CLASSES.map((c, i) => [c, i])) as Record<KernelClass, number>;
export const COMM = CLASS_INDEX.communication;
export const MEMORY = CLASS_INDEX.memory;
/** isCompute[classIndex]: the classes that count as compute for overlap (docs/architecture.md §3: not memory, not comm). */
export const IS_COMPUTE = Uint8Array.from(KERNEL_CLASSES, (c) => (COMPUTE_CLASSES.includes(c) ? 1 : 0));

export interface OpClasses {
  /** Classification of each entry of model.opNames. */
  byName: Classification[];
  /** Class index (into KERNEL_CLASSES) of each op: its name's class, or moe where the op runs inside a MoE block (moeParts.ts). */
  opClass: Uint8Array;
  /** MoE part of each op (moeParts.ts: 0 none, 1 experts, 2 routing, 3 dispatch/combine). */
  moePart: Uint8Array;
  /** MoE blocks found from the kernel sequence (PyTorch-native MoE), not from names. */
  moeBlocks: number;
  /** 1 for a kernel quantising an FP8 GEMM's input, and for an FP8 GEMM (quantParts.ts). */
  fp8Quant: Uint8Array;
  fp8Gemm: Uint8Array;
}

const MEMORY_OP: Classification = { class: 'memory', op: null, nccl: null, row: 'CUDA memcpy / memset activity' };
const GRAPH_OP: Classification = { class: 'other', op: null, nccl: null, row: 'CUDA graph traced at graph level: its kernels are unknown' };

export function classifyOps(model: TraceModel, classifier: Classifier): OpClasses {
  const byName = model.opNames.map((n) =>
    n.kind === OpKind.kernel ? classifier.classify(n.short, n.long) : n.kind === OpKind.graph ? GRAPH_OP : MEMORY_OP,
  );
  const nameClass = Uint8Array.from(byName, (c) => CLASS_INDEX[c.class]);
  const named = new Uint8Array(model.ops.n);
  for (let i = 0; i < model.ops.n; i++) named[i] = nameClass[model.ops.name[i]!]!;
  // Both passes walk each GPU's kernel sequence: built once.
  const seqs = deviceTimeline(model).ops;
  const moe = moeParts(model, named, seqs);
  const quant = quantParts(model, moe.opClass, seqs);
  return { byName, opClass: moe.opClass, moePart: moe.part, moeBlocks: moe.blocks, fp8Quant: quant.quant, fp8Gemm: quant.fp8Gemm };
}
