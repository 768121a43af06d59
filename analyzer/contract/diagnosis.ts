/**
 * The parts of a diagnosis (analyzer/results/diagnose.ts builds them): per device and phase, the
 * collectives, the roofline, the regimes, how steps were found, and the traces read. Their types are
 * inferred from these schemas; reading a saved result checks every field of them.
 */
import { z } from 'zod';
import { CONFIDENCES, EXCLUSIONS, PHASES, STEP_SOURCES, TIME_CLASSES } from './vocabulary.js';
import { arr, bool, num, obj, oneOf, record, str } from './checks.js';

const timeNs = z.record(z.enum(TIME_CLASSES), num);
const hostSource = oneOf(['cuda', 'os']);

export const betweenResultSchema = obj({
  pairs: num,
  periodNs: num,
  spanNs: num,
  gapNs: num,
  totalNs: num,
  idleNs: num,
  idleShare: num,
  hostCalls: arr(obj({ name: str, source: hostSource, ns: num, gaps: num })),
  uncoveredNs: num,
  longest: obj({ startNs: num, endNs: num }).nullable(),
});
export type BetweenResult = z.infer<typeof betweenResultSchema>;

const PER_STEP = [...TIME_CLASSES, 'span', 'commTransfer', 'commWait', 'exposedComm'] as const;
/** One object, not an intersection of two records: as JSON Schema (the MCP tools' output) no object could match both. */
const perStepNs = obj({
  ...(Object.fromEntries(PER_STEP.map((k) => [k, num])) as Record<(typeof PER_STEP)[number], typeof num>),
  /** The moe class in parts, when the phase runs MoE. */
  moeExperts: num.optional(),
  moeRouting: num.optional(),
  moeDispatch: num.optional(),
});

/** A device's phase over its steady steps (analyzer/breakdown/phaseSummary.ts): sums, shares of the summed spans, means. */
export const phaseResultSchema = obj({
  /** Sums over the steady steps. */
  timeNs,
  spanNs: num,
  busyNs: num,
  commNs: num,
  /** Communication split: data moving (each collective's transfer) and waiting for other ranks. */
  commTransferNs: num,
  commWaitNs: num,
  exposedCommNs: num,
  overlapNs: num,
  /** Parts of the summed spans (overlap: of the summed communication). */
  commShare: num,
  overlap: num,
  exposedCommShare: num,
  idleShare: num,
  /** Means per steady step (the sums over the steady step count), the numbers every table shows. */
  perStepNs: perStepNs,
  /** The moe class in parts, sums over the steady steps (analyzer/classify/moeParts.ts); absent when the phase runs no MoE. */
  moeNs: obj({ experts: num, routing: num, dispatch: num }).optional(),
  /** FP8 GEMMs and the quantisation of their inputs, sums over the steady steps (analyzer/classify/quantParts.ts); absent without FP8 GEMMs. */
  fp8: obj({ gemmNs: num, quantNs: num }).optional(),
  /** Layers per step (median), when layers were found. */
  layers: num.nullable(),
  /** Steps left out of the numbers: `outlier` (too slow) or `earlier-pass` (a warm-up pass; StepSet.passes), with where they ran (session clock, ns). */
  outliers: arr(obj({ name: str, spanNs: num, ratio: num, reason: oneOf(EXCLUSIONS), startNs: num })),
  /** The GPU between consecutive steady steps (analyzer/breakdown/betweenSteps.ts): null with fewer than two in a row; absent in results saved before it was kept. */
  between: betweenResultSchema.nullable().optional(),
});
export type PhaseResult = z.infer<typeof phaseResultSchema>;

export const stepStatsSchema = obj({
  /** Every step of the phase, outliers included. */
  count: num,
  /** The steps the phase's times and shares describe (the rest are outliers). */
  steadyCount: num,
  medianNs: num.nullable(),
  p10Ns: num.nullable(),
  p90Ns: num.nullable(),
  minNs: num.nullable(),
  maxNs: num.nullable(),
});
export type StepStats = z.infer<typeof stepStatsSchema>;

export const deviceResultSchema = obj({
  deviceId: num,
  label: str,
  name: str.nullable(),
  file: str,
  steps: obj({ decode: stepStatsSchema, prefill: stepStatsSchema, step: stepStatsSchema.optional(), mixed: stepStatsSchema.optional() }),
  decode: phaseResultSchema.nullable(),
  prefill: phaseResultSchema.nullable(),
  step: phaseResultSchema.nullable().optional(),
  /** Steps running prompt and decode tokens together (continuous batching); present when the trace has some. */
  mixed: phaseResultSchema.nullable().optional(),
});
export type DeviceResult = z.infer<typeof deviceResultSchema>;

export const sizeClassResultSchema = obj({
  op: str,
  phase: str,
  bytes: num.nullable(),
  bytesSource: oneOf(['payload', 'model']).nullable(),
  kernel: str,
  ranks: num,
  count: num,
  transferMedianNs: num,
  transferP10Ns: num,
  transferP90Ns: num,
  transferNs: num,
  kernelNs: num,
  waitNs: num,
  skewMedianNs: num,
  skewP90Ns: num,
  lastArriver: record(num),
  algGBps: num.nullable(),
  busGBps: num.nullable(),
  expectedBusGBps: num.nullable(),
  latencyBound: bool,
});
export type SizeClassResult = z.infer<typeof sizeClassResultSchema>;

export const collectivesResultSchema = obj({
  count: num,
  /** Sum over instances of the transfer time (the shortest rank's kernel). */
  transferNs: num.nullable(),
  /** Sum over instances and ranks of kernel time beyond the transfer. */
  waitNs: num.nullable(),
  kernelNs: num.nullable(),
  /** deviceId → instances it arrived last to. */
  lastArriver: record(num),
  devices: arr(obj({ deviceId: num, kernelNs: num, waitNs: num, lastArrivals: num, instances: num })),
  sizeClasses: arr(sizeClassResultSchema),
  gpu: str.nullable(),
});
export type CollectivesResult = z.infer<typeof collectivesResultSchema>;

export const regimeResultSchema = obj({
  deviceId: num,
  label: str,
  phase: str,
  count: num,
  firstStep: str,
  lastStep: str,
  startNs: num,
  endNs: num,
  medianNs: num,
  meanNs: num,
  typicalNs: num,
  perStepNs: timeNs,
  steadyPerStepNs: timeNs,
  hostCalls: arr(obj({ name: str, source: hostSource, ns: num })),
  uncoveredNs: num,
});
export type RegimeResult = z.infer<typeof regimeResultSchema>;

/** How steps were found, how sure that is, and which of them the numbers describe (analyzer/steps/types.ts). */
export const stepDetectionSchema = obj({
  source: oneOf(STEP_SOURCES),
  /** True when the user chose the source or the ranges (--step-source, --steps). */
  forced: bool,
  description: str,
  confidence: oneOf(CONFIDENCES),
  confidenceNote: str,
  /** Where the phases come from: the range names, or the kernels. */
  phaseSource: oneOf(['names', 'kernels', 'none']),
  /** The repeating kernel sequence the steps were cut from (source `rhythm`). */
  rhythm: obj({ sitesPerStep: num, regularity: num, periodNs: num, periodSpread: num, gapNs: num }).nullable(),
  /** Runs of steps the workload repeats (a warm-up pass, then the measured one); session clock, ns. */
  passes: arr(obj({ index: num, startNs: num, endNs: num, counts: z.partialRecord(z.enum(PHASES), num), reason: str.nullable() })),
  /** The pass the numbers describe, or null when they describe every pass. */
  measuredPass: num.nullable(),
  /** First to last step the numbers describe, all devices (session clock, ns). */
  window: obj({ startNs: num, endNs: num }).nullable(),
});
export type StepDetection = z.infer<typeof stepDetectionSchema>;

export const rooflineRowSchema = obj({
  deviceId: num,
  phase: oneOf(['prefill', 'decode']),
  tp: num,
  layers: num,
  /** trace: the layers the steps show; model: none found, the model's depth assumed. */
  layersFrom: oneOf(['trace', 'model']),
  flopsPerStep: num,
  bytesPerStep: num,
  /** Mean per steady step: GEMM + attention kernel time, and the step span. */
  computeNs: num,
  spanNs: num,
  tflopsOverCompute: num,
  tflopsOverSpan: num,
  hbmGBpsOverCompute: num,
  hbmGBpsOverSpan: num,
  peakTflops: num,
  peakHbmGBps: num,
  bound: oneOf(['compute', 'memory']),
});
export type RooflineRow = z.infer<typeof rooflineRowSchema>;

/** The traces a diagnosis is of. */
export const traceInfoSchema = obj({
  path: str,
  paths: arr(str),
  nsysVersion: str.nullable(),
  exportSchema: str.nullable(),
  gpus: arr(obj({ deviceId: num, name: str, smCount: num.nullable(), memoryBandwidthGBps: num.nullable() })),
  cudaGraphTraceMode: str.nullable(),
  runtime: obj({ id: str, name: str, evidence: str.nullable() }),
});
export type TraceInfo = z.infer<typeof traceInfoSchema>;
