/**
 * low-flops-achievement: compute-bound prefill reaches a small fraction of the GPU's peak FLOP/s in its
 * GEMM and attention kernels (needs the model).
 */
import type { Analysis } from '../analyzer/analysis.js';
import { fmtNs, fmtPct } from '../analyzer/report/format.js';
import { achievements } from '../analyzer/roofline/achievement.js';
import { median } from '../analyzer/util/stats.js';
import { runtimeAdvice } from './advice.js';
import type { Finding, Rule } from './types.js';

export const rule: Rule = {
  meta: {
    id: 'low-flops-achievement',
    severity: 'warning',
    title: 'Prefill far below peak FLOP/s',
    description:
      'Model FLOPs of a prefill step (from --model, --batch, --prompt) divided by the time in GEMM and attention kernels reach less ' +
      'than a fraction of the GPU\'s dense peak (DESIGN 4).',
    defaults: { fraction: 0.4 },
    requires: ['workload', 'steps', 'layers'],
  },
  check(a: Analysis, o) {
    const rows = achievements(a).filter((x) => x.phase === 'prefill' && x.computeNs > 0);
    if (rows.length === 0) return [];
    const achieved = median(rows.map((x) => x.tflopsOverCompute));
    const peak = rows[0]!.peakTflops;
    if (achieved >= (o.fraction as number) * peak) return [];
    const compute = median(rows.map((x) => x.computeNs));
    return [{
      rule: 'low-flops-achievement',
      severity: 'warning',
      message:
        `Prefill GEMM + attention kernels reach ${achieved.toFixed(0)} TFLOP/s per GPU, ${fmtPct(achieved / peak, 0)} of the ${peak} TFLOP/s ` +
        `${rows[0]!.gpu} peak (${(rows[0]!.cost.flops / 1e12).toFixed(1)} TFLOP per step per GPU in ${fmtNs(compute)}, TP=${rows[0]!.tp}).`,
      evidence: { tflops: achieved, peakTflops: peak, flopsPerStep: rows[0]!.cost.flops, computeNs: compute, tp: rows[0]!.tp, layers: rows[0]!.layers, perDevice: rows.map((x) => ({ deviceId: a.model.devices[x.device]!.deviceId, tflops: x.tflopsOverCompute })) },
      recommendation: `Small GEMMs run far from peak: batch more prompt tokens per step (chunked prefill with a larger chunk), use a lower TP so each rank's GEMMs are larger, check the GEMM kernels picked (cuBLAS heuristics, FP8). ${runtimeAdvice(a, 'batch')}`,
      impactNs: compute * (1 - achieved / ((o.fraction as number) * peak)),
    }];
  },
};
