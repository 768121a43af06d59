/**
 * Achieved FLOP/s and HBM bandwidth per GPU and phase against the GPU's peak (docs/architecture.md §3 roofline).
 * Two denominators: the time the GPU spent in GEMM and attention kernels (kernel quality, the rules
 * judge this one) and the whole step span (what the deployment gets, idle and comm included).
 * Prefill is judged on compute, decode on bandwidth.
 */
import { artifact } from '../artifact.js';
import { phaseOf } from '../breakdown/phaseSummary.js';
import { gpuOf } from '../hardware/gpuOf.js';
import { stepCost, type StepCost } from '../llm/stepCost.js';
import type { Phase } from '../contract/vocabulary.js';

export interface PhaseAchievement {
  device: number;
  phase: 'prefill' | 'decode';
  tp: number;
  layers: number;
  /** trace: the layers the steps show; model: none found, so the model's depth is assumed. */
  layersFrom: 'trace' | 'model';
  cost: StepCost;
  /** Mean per steady step: GEMM + attention kernel time, and the span. */
  computeNs: number;
  spanNs: number;
  tflopsOverCompute: number;
  tflopsOverSpan: number;
  hbmGBpsOverCompute: number;
  hbmGBpsOverSpan: number;
  peakTflops: number;
  peakHbmGBps: number;
  gpu: string;
  /** Which bound judges the phase. */
  bound: 'compute' | 'memory';
}

export const achievements = artifact(['options', 'model', 'tp', 'layerCount', 'phases'], (a): PhaseAchievement[] => {
  const w = a.options.workload;
  if (!w) return [];
  const tp = a.tp;
  const layersOf = a.layerCount;
  const out: PhaseAchievement[] = [];
  for (const d of a.model.devices) {
    const gpu = gpuOf(a, d.index);
    if (!gpu) continue;
    const hbm = d.gpu?.memoryBandwidthBytesPerS ? d.gpu.memoryBandwidthBytesPerS / 1e9 : gpu.hbmTBps * 1000;
    const peak = w.model.dtypeBytes === 1 && gpu.fp8Tflops ? gpu.fp8Tflops : gpu.bf16Tflops;
    for (const phase of ['prefill', 'decode'] as const) {
      const sum = phaseOf(a.phases, d.index, phase);
      if (!sum || sum.steadyCount === 0) continue;
      if (phase === 'prefill' && !w.prompt) continue;
      const seen = layersOf(d.index, phase as Phase);
      const layers = seen ?? w.model.layers;
      const prompt = w.prompt ?? 0;
      const cost = stepCost(w.model, tp, phase, w.batch, prompt, prompt, layers);
      // Means per steady step, as the class tables show them: the roofline is those numbers' consequence.
      const compute = (sum.timeNs.gemm + sum.timeNs.attention) / sum.steadyCount;
      const span = sum.totalSpanNs / sum.steadyCount;
      const bytes = cost.weightBytes + cost.kvBytes;
      out.push({
        device: d.index, phase, tp, layers, layersFrom: seen === null ? 'model' : 'trace', cost, computeNs: compute, spanNs: span,
        tflopsOverCompute: cost.flops / compute / 1e3, tflopsOverSpan: cost.flops / span / 1e3,
        hbmGBpsOverCompute: bytes / compute, hbmGBpsOverSpan: bytes / span,
        peakTflops: peak, peakHbmGBps: hbm, gpu: gpu.name, bound: phase === 'prefill' ? 'compute' : 'memory',
      });
    }
  }
  return out;
});

/** Rows that claim more than the GPU can do: the workload given (model, batch, prompt) is not this trace's. */
export function beyondPeak(x: PhaseAchievement): boolean {
  return x.tflopsOverCompute > x.peakTflops * 1.02 || x.hbmGBpsOverCompute > x.peakHbmGBps * 1.02;
}
