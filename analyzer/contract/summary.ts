/**
 * A trace summed up for the analyses that work across traces (compare, scaling, attach; built by
 * analyzer/summary/traceSummary.ts): per phase the steady step times, time per class, communication split
 * into transfer and waiting, layers and collectives; how the run was set up; what the rules found. Plain
 * data, carried in diagnose's result: a saved result stands in for its trace, and the cross-trace
 * analyses read nothing else, so reading one back checks it in full, ranges included.
 */
import { z } from 'zod';
import { SEVERITIES } from '../severity.js';
import { arr, count, keyed, measurePos, nonNeg, num, obj, oneOf, pos, record, share, str, tpDegree } from './checks.js';
import { PHASES, STEP_SOURCES, TIME_CLASSES } from './vocabulary.js';

/** A sample of step times summed up: count, median, p10, p90 (ns; NaN, written null, for no steps). */
export const stepSampleSchema = obj({ count, medianNs: measurePos, p10Ns: measurePos, p90Ns: measurePos });
export type StepSample = z.infer<typeof stepSampleSchema>;

/** A phase's communication per step per GPU (ns): the data moving (each collective's transfer) and waiting for other ranks. */
export const commSplitSchema = obj({ transferNs: nonNeg, waitNs: nonNeg });
export type CommSplit = z.infer<typeof commSplitSchema>;

/** A phase's layers on a typical GPU (analyzer/layers/layerProfile.ts): each layer's window and the parts that tile it. */
export const layerProfileSchema = obj({ name: str, spanNs: num, parts: record(num) });
export type LayerProfile = z.infer<typeof layerProfileSchema>;

export const collectiveProfileSchema = obj({
  op: str,
  bytes: num.nullable(),
  /** Collectives of this size class per step per GPU. */
  perStep: num,
  transferMedianNs: num,
  /** Share of the class's kernel time spent waiting for other ranks. */
  waitShare: num,
  skewMedianNs: num,
  busGBps: num.nullable(),
});
export type CollectiveProfile = z.infer<typeof collectiveProfileSchema>;

export const phaseProfileSchema = obj({
  phase: oneOf(PHASES),
  /** Steady step times (ns): replica steps (first GPU start to last GPU end), or every GPU's steps pooled. */
  stepTimesNs: arr(pos),
  /** Their count, median, p10 and p90: "the step time" of the phase wherever a report names one. */
  stepTime: stepSampleSchema,
  /** GPUs with steady steps in the phase, and their steady steps per GPU (mean). */
  gpus: count,
  stepsPerGpu: nonNeg,
  /** GPU ops per step per GPU (mean). */
  opsPerStep: nonNeg,
  /** ns per step per GPU (mean over steady steps, then over GPUs). */
  classNs: keyed(TIME_CLASSES, nonNeg),
  spanNs: nonNeg,
  /** Parts of the mean span. */
  commShare: share,
  exposedCommShare: share,
  idleShare: share,
  /** Share of the steady steps' GPU ops launched from CUDA graphs. */
  graphShare: share,
  comm: commSplitSchema.nullable(),
  layers: arr(layerProfileSchema),
  collectives: arr(collectiveProfileSchema),
});
export type PhaseProfile = z.infer<typeof phaseProfileSchema>;

export const findingRefSchema = obj({
  rule: str,
  severity: oneOf(SEVERITIES),
  phase: str.nullable(),
  deviceId: num.nullable(),
  message: str,
  recommendation: str,
});
export type FindingRef = z.infer<typeof findingRefSchema>;

/** What compare, scaling and attach read of a diagnosis, checked in full. */
export const traceSummarySchema = obj({
  paths: arr(str),
  nsysVersion: str.nullable(),
  stepSource: oneOf(STEP_SOURCES),
  stepDetection: str,
  /** How step times were taken: steady replica steps, or per-GPU steps pooled (with why). */
  stepTimes: str,
  tp: tpDegree,
  /** GPU names with their counts, in device order of first appearance. */
  gpus: arr(obj({ name: str, count })),
  runtime: str,
  commandLine: str.nullable(),
  /** Recorded NCCL / CUDA / runtime settings (analyzer/runtime/environment.ts). */
  settings: record(str),
  /** Layers per step on the first GPU: decode's, else prefill's; null when none were found. */
  layers: num.nullable(),
  phases: arr(phaseProfileSchema),
  findings: arr(findingRefSchema),
  /** Findings another finding explains better, with the rule that does (absent in results saved before they were kept). */
  superseded: arr(obj({ ...findingRefSchema.shape, supersededBy: str })).optional(),
  /** What the trace's reading and analysis warned about. */
  warnings: arr(str),
});
export type TraceSummary = z.infer<typeof traceSummarySchema>;
