/**
 * The top kernels (analyzer/breakdown/topKernels.ts) as plain data: what diagnose's result carries, and
 * the result of `kernels`: per phase the top kernels overall, per class and inside the layers, with
 * per-step means so every format reads the same numbers.
 */
import type { Analysis } from '../analysis.js';
import { topKernels, type KernelRow } from '../breakdown/topKernels.js';
import type { KernelClass } from '../classify/kernelClasses.js';
import type { Phase } from '../steps/types.js';
import type { DiagnoseResult, KernelsResult } from '../contract/results.js';

export interface KernelRowResult extends KernelRow {
  /** Launches and time per step and GPU (the totals over the steady steps of every GPU, divided by their number). */
  countPerStep: number;
  nsPerStep: number;
}

export interface PhaseKernelsResult {
  phase: Phase;
  /** Steady steps summed over the GPUs, and the GPUs they are on. */
  steps: number;
  gpus: number;
  kernelNs: number;
  kernelNsPerStep: number;
  kernels: number;
  top: KernelRowResult[];
  byClass: { class: KernelClass; totalNs: number; nsPerStep: number; share: number; top: KernelRowResult[] }[];
  /** Per layer: the totals over the layer windows divided by their number. */
  layer: { layers: number; kernelNs: number; nsPerLayer: number; top: (KernelRow & { countPerLayer: number; nsPerLayer: number })[] } | null;
}

export function buildKernelTables(a: Analysis): PhaseKernelsResult[] {
  return topKernels(a).map((p) => {
    const per = (r: KernelRow): KernelRowResult => ({ ...r, countPerStep: r.count / p.steps, nsPerStep: r.totalNs / p.steps });
    return {
      phase: p.phase, steps: p.steps, gpus: p.gpus, kernelNs: p.kernelNs, kernelNsPerStep: p.kernelNs / p.steps, kernels: p.kernels, top: p.top.map(per),
      byClass: p.byClass.map((c) => ({ class: c.class, totalNs: c.totalNs, nsPerStep: c.totalNs / p.steps, share: c.share, top: c.top.map(per) })),
      layer: p.layer && {
        layers: p.layer.layers, kernelNs: p.layer.kernelNs, nsPerLayer: p.layer.kernelNs / p.layer.layers,
        top: p.layer.top.map((r) => ({ ...r, countPerLayer: r.count / p.layer!.layers, nsPerLayer: r.totalNs / p.layer!.layers })),
      },
    };
  });
}


export function kernelsResultOf(d: DiagnoseResult): KernelsResult {
  const { schemaVersion, tool, trace, stepDetection, warnings } = d;
  return { schemaVersion, kind: 'kernels', tool, trace, stepDetection, phases: d.kernels, warnings };
}
