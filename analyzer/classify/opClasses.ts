/**
 * Classes of every GPU op of a model, computed once per distinct name.
 */
import { OpKind, type TraceModel } from '../model/types.js';
import type { Classification, Classifier } from './classifier.js';
import { COMPUTE_CLASSES, KERNEL_CLASSES, type KernelClass } from './kernelClasses.js';

export const CLASS_INDEX: Record<KernelClass, number> = Object.fromEntries(KERNEL_CLASSES.map((c, i) => [c, i])) as Record<KernelClass, number>;
export const COMM = CLASS_INDEX.communication;
export const MEMORY = CLASS_INDEX.memory;
/** isCompute[classIndex]: the classes that count as compute for overlap (docs/architecture.md §3: not memory, not comm). */
export const IS_COMPUTE = Uint8Array.from(KERNEL_CLASSES, (c) => (COMPUTE_CLASSES.includes(c) ? 1 : 0));

export interface OpClasses {
  /** Classification of each entry of model.opNames. */
  byName: Classification[];
  /** Class index (into KERNEL_CLASSES) of each op. */
  opClass: Uint8Array;
}

const MEMORY_OP: Classification = { class: 'memory', op: null, nccl: null, row: 'CUDA memcpy / memset activity' };
const GRAPH_OP: Classification = { class: 'other', op: null, nccl: null, row: 'CUDA graph traced at graph level: its kernels are unknown' };

export function classifyOps(model: TraceModel, classifier: Classifier): OpClasses {
  const byName = model.opNames.map((n) =>
    n.kind === OpKind.kernel ? classifier.classify(n.short, n.long) : n.kind === OpKind.graph ? GRAPH_OP : MEMORY_OP,
  );
  const nameClass = Uint8Array.from(byName, (c) => CLASS_INDEX[c.class]);
  const opClass = new Uint8Array(model.ops.n);
  for (let i = 0; i < model.ops.n; i++) opClass[i] = nameClass[model.ops.name[i]!]!;
  return { byName, opClass };
}
