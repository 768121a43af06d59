/**
 * The top kernels (analyzer/breakdown/topKernels.ts) as plain data: what diagnose's result carries, and
 * the result of `kernels`: per phase the top kernels overall, per class and inside the layers, with
 * per-step means so every format reads the same numbers.
 */
import type { KernelRowResult, PhaseKernelsResult } from '../contract/views.js';
import type { KernelRow } from '../breakdown/topKernels.js';
import type { Reads } from '../data.js';
import type { KernelClass, Phase } from '../contract/vocabulary.js';
import type { DiagnoseResult, KernelsResult } from '../contract/results.js';

export function buildKernelTables(a: Reads<'topKernels'>): PhaseKernelsResult[] {
  return a.topKernels.map((p) => {
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
