/**
 * The kernels behind the class times, like `nsys stats --report cuda_gpu_kern_sum` but over the steady
 * steps only, per phase, and with the copies, fills and graph executions (their time is class time too): per kernel name its launches, summed time and mean, and its share of the
 * phase's kernel time (summed durations, so shares add up to 100% and none exceeds its whole); the top
 * kernels overall, the top of each class, and the kernels of a layer (inside the layer windows, per layer).
 */
import { artifact } from '../artifact.js';
import { KERNEL_CLASSES, type KernelClass, PHASES, type Phase } from '../contract/vocabulary.js';
import { steadyStepsOf } from '../steps/steady.js';

export interface KernelRow {
  name: string;
  class: KernelClass;
  /** Over the steady steps of every GPU. */
  count: number;
  totalNs: number;
  meanNs: number;
  /** Of the whole the table is about: the phase's (or the layers') kernel time. */
  share: number;
}

export interface ClassKernels {
  class: KernelClass;
  totalNs: number;
  share: number;
  top: KernelRow[];
}

export interface PhaseKernels {
  phase: Phase;
  /** Steady steps summed over the GPUs: totals over them divided by this are per step and GPU. */
  steps: number;
  /** GPUs with steady steps in the phase (steps / gpus: steady steps per GPU, when every GPU has as many). */
  gpus: number;
  /** Summed kernel durations over those steps. */
  kernelNs: number;
  kernels: number;
  top: KernelRow[];
  byClass: ClassKernels[];
  /** Kernels inside layer windows; `layers` layer windows were summed (all steps, all GPUs). */
  layer: { layers: number; kernelNs: number; top: KernelRow[] } | null;
}

const TOP = 12;
const TOP_PER_CLASS = 5;

interface Tally {
  count: Map<number, number>;
  ns: Map<number, number>;
}

const tally = (): Tally => ({ count: new Map(), ns: new Map() });

function add(t: Tally, name: number, ns: number): void {
  t.count.set(name, (t.count.get(name) ?? 0) + 1);
  t.ns.set(name, (t.ns.get(name) ?? 0) + ns);
}

export const topKernels = artifact(['model', 'classes', 'stepSet', 'layers'], (a): PhaseKernels[] => {
  const { ops, opNames } = a.model;
  // Kernels are tallied by the short name nsys shows AND their class: template instances of one kernel that
  // the classifier puts in different classes (vectorized_elementwise_kernel as a copy or as arithmetic) are
  // separate rows, so the class totals here are the class times every other view reports.
  const key = new Map<string, number>();
  const keys: string[] = [];
  const classOfKey: KernelClass[] = [];
  const keyOf = new Map<number, number>();
  const opKey = (n: number, cls: number) => {
    const id = n * KERNEL_CLASSES.length + cls;
    let k = keyOf.get(id);
    if (k === undefined) {
      const short = opNames[n]!.short;
      const named = `${short}\u0000${cls}`;
      k = key.get(named);
      if (k === undefined) {
        key.set(named, (k = keys.push(short) - 1));
        classOfKey.push(KERNEL_CLASSES[cls]!);
      }
      keyOf.set(id, k);
    }
    return k;
  };
  const { breakdowns: layerBreakdowns } = a.layers;
  const out: PhaseKernels[] = [];
  for (const phase of PHASES) {
    const steps = a.model.devices.flatMap((d) => steadyStepsOf(a.stepSet, d.index, phase));
    if (steps.length === 0) continue;
    const all = tally();
    const inLayers = tally();
    const classOf = new Map<number, KernelClass>();
    let layers = 0;
    for (const s of steps) {
      const lb = layerBreakdowns[s.index];
      const first = lb?.layers[0]?.attention.startNs ?? Infinity;
      const last = lb?.layers.length ? lb.layers[lb.layers.length - 1]!.mlp.endNs : -Infinity;
      if (lb) layers += lb.layers.length;
      // Copies, fills and graph executions traced at graph level are rows too: they are part of the class times.
      for (const i of s.ops) {
        const n = opKey(ops.name[i]!, a.classes.opClass[i]!);
        const ns = ops.end[i]! - ops.start[i]!;
        if (!classOf.has(n)) classOf.set(n, classOfKey[n]!);
        add(all, n, ns);
        if (ops.start[i]! >= first && ops.start[i]! < last) add(inLayers, n, ns);
      }
    }
    const sum = (t: Tally) => [...t.ns.values()].reduce((x, y) => x + y, 0);
    const kernelNs = sum(all);
    const rows = (t: Tally, whole: number, keep: (n: number) => boolean, k: number): KernelRow[] =>
      [...t.ns].filter(([n]) => keep(n)).sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(0, k).map(([n, ns]) => {
        const count = t.count.get(n)!;
        return { name: keys[n]!, class: classOf.get(n)!, count, totalNs: ns, meanNs: ns / count, share: whole > 0 ? ns / whole : 0 };
      });
    const byClass = KERNEL_CLASSES.flatMap((k) => {
      let total = 0;
      for (const [n, ns] of all.ns) if (classOf.get(n) === k) total += ns;
      return total > 0 ? [{ class: k, totalNs: total, share: total / kernelNs, top: rows(all, kernelNs, (n) => classOf.get(n) === k, TOP_PER_CLASS) }] : [];
    }).sort((x, y) => y.totalNs - x.totalNs);
    const layerNs = sum(inLayers);
    out.push({
      phase, steps: steps.length, gpus: new Set(steps.map((x) => x.device)).size, kernelNs, kernels: all.ns.size, top: rows(all, kernelNs, () => true, TOP), byClass,
      layer: layers > 0 && layerNs > 0 ? { layers, kernelNs: layerNs, top: rows(inLayers, layerNs, () => true, TOP) } : null,
    });
  }
  return out;
});
