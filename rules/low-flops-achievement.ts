/**
 * low-flops-achievement: compute-bound prefill reaches a small fraction of the GPU's peak FLOP/s in its
 * GEMM and attention kernels (needs the model).
 */
import { median } from '../analyzer/util/stats.js';
import { adviceMessages, runtimeAdvice } from './advice.js';
import { TYPICAL_STEP } from './sharedMessages.js';
import { typicalStepAt } from '../analyzer/timeline/locations.js';
import { defineTraceRule } from './types.js';

interface Data {
  tflops: number;
  peakTflops: number;
  gpu: string;
  flopsPerStep: number;
  computeNs: number;
  tp: number;
  advice: ReturnType<typeof runtimeAdvice>;
}

export const rule = defineTraceRule({
  meta: {
    id: 'low-flops-achievement',
    severity: 'warning',
    title: 'Prefill far below peak FLOP/s',
    description:
      'Model FLOPs of a prefill step (from --model, --batch, --prompt) divided by the time in GEMM and attention kernels reach less ' +
      'than a fraction of the GPU\'s dense peak (the datasheet table in analyzer/hardware/gpuSpecs.ts).',
    options: { fraction: { type: 'ratio', default: 0.4, description: 'share of the dense peak below which prefill is flagged' } },
    deps: ['steps', 'prompt', 'gpuSpec', 'model', 'runtime', 'achievements'],
    messages: {
      low:
        'Prefill GEMM + attention kernels reach {tflops, fixed, 0} TFLOP/s per GPU, {tflops / peakTflops, pct0} of the {peakTflops} TFLOP/s ' +
        '{gpu} peak ({flopsPerStep / 1e12, fixed, 1} TFLOP per step per GPU in {computeNs, ns}, TP={tp}).',
      fix:
        'Small GEMMs run far from peak: batch more prompt tokens per step (chunked prefill with a larger chunk), use a lower TP so each rank\'s GEMMs are larger, check the GEMM kernels picked (cuBLAS heuristics, FP8). {advice}',
      ...adviceMessages('batch'),
      ...TYPICAL_STEP,
    },
  },
  check(a, o) {
    const rows = a.achievements.filter((x) => x.phase === 'prefill' && x.computeNs > 0);
    if (rows.length === 0) return [];
    const achieved = median(rows.map((x) => x.tflopsOverCompute));
    const peak = rows[0]!.peakTflops;
    if (achieved >= o.fraction * peak) return [];
    const compute = median(rows.map((x) => x.computeNs));
    return [{
      messageId: 'low' as const,
      fixId: 'fix' as const,
      data: { tflops: achieved, peakTflops: peak, gpu: rows[0]!.gpu, flopsPerStep: rows[0]!.cost.flops, computeNs: compute, tp: rows[0]!.tp, advice: runtimeAdvice(a.runtime) } satisfies Data,
      evidence: { tflops: achieved, peakTflops: peak, flopsPerStep: rows[0]!.cost.flops, computeNs: compute, tp: rows[0]!.tp, layers: rows[0]!.layers, perDevice: rows.map((x) => ({ deviceId: a.model.devices[x.device]!.deviceId, tflops: x.tflopsOverCompute })) },
      impactNs: compute * (1 - achieved / (o.fraction * peak)),
      locations: typicalStepAt(a, a.steps, 'prefill', rows[0]!.device),
    }];
  },
});
