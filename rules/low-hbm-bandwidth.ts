/**
 * low-hbm-bandwidth: memory-bound decode streams weights and KV cache far below the GPU's HBM bandwidth
 * in its GEMM and attention kernels (needs the model).
 */
import { median } from '../analyzer/util/stats.js';
import { typicalStepAt } from '../analyzer/timeline/locations.js';
import { TYPICAL_STEP } from './sharedMessages.js';
import { defineTraceRule } from './types.js';

interface Data {
  hbmGBps: number;
  peakHbmGBps: number;
  bytesPerStep: number;
  computeNs: number;
}

export const rule = defineTraceRule({
  meta: {
    id: 'low-hbm-bandwidth',
    severity: 'warning',
    title: 'Decode far below HBM bandwidth',
    description:
      'Weight and KV-cache bytes of a decode step (from --model, --batch, --prompt) divided by the time in GEMM and attention kernels ' +
      'reach less than a fraction of the GPU\'s HBM bandwidth (TARGET_INFO_GPU, else the datasheet table).',
    options: { fraction: { type: 'ratio', default: 0.5, description: 'share of the HBM bandwidth below which decode is flagged' } },
    deps: ['steps', 'workload', 'gpuSpec', 'model', 'achievements'],
    messages: {
      low:
        'Decode GEMM + attention kernels take {computeNs, ns} per step for {bytesPerStep, bytes} of weights and KV cache per GPU: ' +
        '{hbmGBps / 1000, fixed, 2} TB/s, {hbmGBps / peakHbmGBps, pct0} of the {peakHbmGBps / 1000, fixed, 2} TB/s HBM. The kernels take ' +
        '{peakHbmGBps / hbmGBps, fixed, 1}x the time streaming those bytes at full HBM bandwidth takes: slow kernels, or ' +
        'weights read more than once per step (micro-batches each re-read all weights).',
      fix:
        'Decode GEMMs are skinny (batch rows only): run the whole batch through each layer once (micro-batching decode doubles weight ' +
        'traffic), check the GEMM kernels chosen (split-K / GEMV-like kernels; FP8 weights halve the bytes), fuse small kernels, and make ' +
        'sure attention reads the KV cache in large contiguous blocks.',
      ...TYPICAL_STEP,
    },
  },
  check(a, o) {
    const rows = a.achievements.filter((x) => x.phase === 'decode' && x.computeNs > 0);
    if (rows.length === 0) return [];
    const achieved = median(rows.map((x) => x.hbmGBpsOverCompute));
    const peak = rows[0]!.peakHbmGBps;
    if (achieved >= o.fraction * peak) return [];
    const compute = median(rows.map((x) => x.computeNs));
    const bytes = rows[0]!.cost.weightBytes + rows[0]!.cost.kvBytes;
    return [{
      messageId: 'low' as const,
      fixId: 'fix' as const,
      data: { hbmGBps: achieved, peakHbmGBps: peak, bytesPerStep: bytes, computeNs: compute } satisfies Data,
      evidence: { hbmGBps: achieved, peakHbmGBps: peak, bytesPerStep: bytes, computeNs: compute, perDevice: rows.map((x) => ({ deviceId: a.model.devices[x.device]!.deviceId, hbmGBps: x.hbmGBpsOverCompute })) },
      impactNs: compute * (1 - achieved / (o.fraction * peak)),
      locations: typicalStepAt(a, a.steps, 'decode', rows[0]!.device),
    }];
  },
});
