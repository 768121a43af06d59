/**
 * low-hbm-bandwidth: memory-bound decode streams weights and KV cache far below the GPU's HBM bandwidth
 * in its GEMM and attention kernels (needs the model).
 */
import type { Analysis } from '../analyzer/analysis.js';
import { fmtBytes, fmtNs, fmtPct } from '../analyzer/report/format.js';
import { achievements } from '../analyzer/roofline/achievement.js';
import { median } from '../analyzer/util/stats.js';
import type { Finding, Rule } from './types.js';

export const rule: Rule = {
  meta: {
    id: 'low-hbm-bandwidth',
    severity: 'warning',
    title: 'Decode far below HBM bandwidth',
    description:
      'Weight and KV-cache bytes of a decode step (from --model, --batch, --prompt) divided by the time in GEMM and attention kernels ' +
      'reach less than a fraction of the GPU\'s HBM bandwidth (TARGET_INFO_GPU, else DESIGN 4).',
    defaults: { fraction: 0.5 },
    requires: ['workload', 'steps', 'layers'],
  },
  check(a: Analysis, o) {
    const rows = achievements(a).filter((x) => x.phase === 'decode' && x.computeNs > 0);
    if (rows.length === 0) return [];
    const achieved = median(rows.map((x) => x.hbmGBpsOverCompute));
    const peak = rows[0]!.peakHbmGBps;
    if (achieved >= (o.fraction as number) * peak) return [];
    const compute = median(rows.map((x) => x.computeNs));
    const bytes = rows[0]!.cost.weightBytes + rows[0]!.cost.kvBytes;
    return [{
      rule: 'low-hbm-bandwidth',
      severity: 'warning',
      message:
        `Decode GEMM + attention kernels take ${fmtNs(compute)} per step for ${fmtBytes(bytes)} of weights and KV cache per GPU: ` +
        `${(achieved / 1000).toFixed(2)} TB/s, ${fmtPct(achieved / peak, 0)} of the ${(peak / 1000).toFixed(2)} TB/s HBM. The kernels take ` +
        `${(peak / achieved).toFixed(1)}x the time streaming those bytes at full HBM bandwidth takes: slow kernels, or ` +
        `weights read more than once per step (micro-batches each re-read all weights).`,
      evidence: { hbmGBps: achieved, peakHbmGBps: peak, bytesPerStep: bytes, computeNs: compute, perDevice: rows.map((x) => ({ deviceId: a.model.devices[x.device]!.deviceId, hbmGBps: x.hbmGBpsOverCompute })) },
      recommendation:
        'Decode GEMMs are skinny (batch rows only): run the whole batch through each layer once (micro-batching decode doubles weight ' +
        'traffic), check the GEMM kernels chosen (split-K / GEMV-like kernels; FP8 weights halve the bytes), fuse small kernels, and make ' +
        'sure attention reads the KV cache in large contiguous blocks.',
      impactNs: compute * (1 - achieved / ((o.fraction as number) * peak)),
    }];
  },
};
