/**
 * The tables of a diagnosis that its views show (analyzer/results/steps.ts, kernels.ts, layersResult.ts
 * build them): every step as a row, the top kernels per phase, the layers summarised across the ranks.
 */
import { z } from 'zod';
import { EXCLUSIONS, KERNEL_CLASSES, PHASES } from './vocabulary.js';
import { arr, bool, keyed, num, obj, oneOf, str } from './checks.js';

const phase = oneOf(PHASES);
const gpuRef = obj({ deviceId: num, label: str });
/** Where a step's time goes on one GPU (or the mean over them): per class, idle, communication's transfer and waiting, the span (ns). */
export const stepTimesSchema = keyed([...KERNEL_CLASSES, 'idle', 'commTransfer', 'commWait', 'span'], num);
export type StepTimes = z.infer<typeof stepTimesSchema>;
const stepTimes = stepTimesSchema;

export const stepRowResultSchema = obj({
  ordinal: num,
  name: str,
  phase,
  steady: bool,
  /** Why a step is not in the numbers: an outlier, or a step of an earlier pass (a warm-up run). */
  excluded: oneOf(EXCLUSIONS).nullable(),
  pass: num,
  /** Earliest GPU start and latest GPU end, session clock (ns): the replica's step. */
  startNs: num,
  spanNs: num,
  /** Mean over the GPUs that ran the step; or, in a one-GPU view, that GPU's times. */
  times: stepTimes,
  gpus: arr(obj({ deviceId: num, times: stepTimes })),
  /** The rank last at most of the step's collectives; `tiedWith`: the ranks last at as many (a tie, not settled by device order; absent in results saved before it was kept). */
  lateRank: obj({ deviceId: num, label: str, count: num, of: num, tiedWith: arr(gpuRef).optional() }).nullable(),
});
export type StepRowResult = z.infer<typeof stepRowResultSchema>;

const kernelRow = {
  name: str,
  class: oneOf(KERNEL_CLASSES),
  /** Over the steady steps of every GPU. */
  count: num,
  totalNs: num,
  meanNs: num,
  /** Of the whole the table is about: the phase's (or the layers') kernel time. */
  share: num,
};
export const kernelRowResultSchema = obj({
  ...kernelRow,
  /** Launches and time per step and GPU (the totals over the steady steps of every GPU, divided by their number). */
  countPerStep: num,
  nsPerStep: num,
});
export type KernelRowResult = z.infer<typeof kernelRowResultSchema>;

export const phaseKernelsResultSchema = obj({
  phase,
  /** Steady steps summed over the GPUs, and the GPUs they are on (absent in results saved before it was kept: read as 1). */
  steps: num,
  gpus: num.optional(),
  kernelNs: num,
  kernelNsPerStep: num,
  kernels: num,
  top: arr(kernelRowResultSchema),
  byClass: arr(obj({ class: oneOf(KERNEL_CLASSES), totalNs: num, nsPerStep: num, share: num, top: arr(kernelRowResultSchema) })),
  /** Per layer: the totals over the layer windows divided by their number. */
  layer: obj({ layers: num, kernelNs: num, nsPerLayer: num, top: arr(obj({ ...kernelRow, countPerLayer: num, nsPerLayer: num })) }).nullable(),
});
export type PhaseKernelsResult = z.infer<typeof phaseKernelsResultSchema>;

export const rangeSchema = obj({ min: num, median: num, max: num });
export type Range = z.infer<typeof rangeSchema>;

/** One row of the summary: a layer, or a band of consecutive layers when there are many. */
export const layerAcrossRowSchema = obj({
  name: str,
  /** Layer indices the row covers (first = last for one layer). */
  first: num,
  last: num,
  /** Over the GPUs of each GPU's mean span of the row's layers (per layer). */
  spanNs: rangeSchema,
  /**
   * The GPU the others wait for: the most time outside communication (span − exposed comm: compute,
   * copies, idle), per layer, and the median of that over the GPUs. Spans end at the same collective on
   * every rank, so they hardly differ; this does.
   */
  slowest: obj({ deviceId: num, label: str, ownNs: num, medianOwnNs: num }),
  /** Medians over the GPUs, per layer. */
  attentionComputeNs: num,
  mlpComputeNs: num,
  exposedCommNs: num,
  idleNs: num,
});
export type LayerAcrossRow = z.infer<typeof layerAcrossRowSchema>;

export const layerAcrossSchema = obj({
  phase,
  /** GPUs summarised: those with the phase's most common layer count. */
  gpus: arr(str),
  layers: num,
  /** Layers per row (1 unless the phase has more than BAND_FROM layers). */
  band: num,
  rows: arr(layerAcrossRowSchema),
  prologueNs: rangeSchema,
  epilogueNs: rangeSchema,
  stepSpanNs: rangeSchema,
  /** GPUs with layers left out of the summary, and why (another layer count); GPUs without layers say why in `layers`. */
  left: arr(obj({ label: str, why: str })),
});
export type LayerAcross = z.infer<typeof layerAcrossSchema>;
