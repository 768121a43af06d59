/**
 * What a comparison of two traces holds (analyzer/across/compare/compareTraces.ts builds it; every format
 * renders it): each side, what differs in the setup, per phase the step shift and the layers, per size
 * class the collectives, the findings added and resolved, and the verdict.
 */
import type { z } from 'zod';
import { SHIFT_VERDICTS } from '../text/change.js';
import { arr, bool, keyed, num, obj, oneOf, str } from './checks.js';
import { commSplitSchema, findingRefSchema, stepSampleSchema } from './summary.js';
import { PHASES, TIME_CLASSES } from './vocabulary.js';

const phase = oneOf(PHASES);

export const sideInfoSchema = obj({
  paths: arr(str),
  nsysVersion: str.nullable(),
  stepDetection: str,
  /** How step times were taken: steady replica steps, or per-GPU steps pooled (with why). */
  stepTimes: str,
});
export type SideInfo = z.infer<typeof sideInfoSchema>;

export const phaseSideSchema = obj({
  steps: stepSampleSchema,
  /** GPU ops per step per GPU (mean). */
  opsPerStep: num,
  /** ns per step per GPU, steady steps. */
  classNs: keyed(TIME_CLASSES, num),
  commShare: num,
  idleShare: num,
  graphShare: num,
  comm: commSplitSchema.nullable(),
});
export type PhaseSide = z.infer<typeof phaseSideSchema>;

/** Did a phase's step time change between two traces, beyond noise (analyzer/across/compare/stepShift.ts)? */
export const stepShiftSchema = obj({
  base: stepSampleSchema,
  new: stepSampleSchema,
  /** new median / base median − 1. */
  change: num,
  /** Rank test p-value; null when the samples are too small for it to reach ALPHA. */
  p: num.nullable(),
  /** Each median outside the other's p10–p90. */
  separated: bool,
  verdict: oneOf(SHIFT_VERDICTS),
  /** One clause: why the verdict, for the report. */
  reason: str,
});
export type StepShift = z.infer<typeof stepShiftSchema>;

export const layerDeltaSchema = obj({
  index: num,
  name: str,
  baseNs: num,
  newNs: num,
  /** The part whose time changed most, and by how much (ns, new − base). */
  part: str,
  partDeltaNs: num,
});
export type LayerDelta = z.infer<typeof layerDeltaSchema>;

export const layerComparisonSchema = obj({
  baseLayers: num,
  newLayers: num,
  /** Empty when the layer counts differ (nothing to pair) or no layers were found. */
  rows: arr(layerDeltaSchema),
  note: str.nullable(),
});
export type LayerComparison = z.infer<typeof layerComparisonSchema>;

export const phaseComparisonSchema = obj({
  phase,
  base: phaseSideSchema.nullable(),
  new: phaseSideSchema.nullable(),
  shift: stepShiftSchema.nullable(),
  layers: layerComparisonSchema.nullable(),
});
export type PhaseComparison = z.infer<typeof phaseComparisonSchema>;

export const collectiveStatsSchema = obj({
  perStep: num,
  transferMedianNs: num,
  waitShare: num,
  skewMedianNs: num,
  busGBps: num.nullable(),
});
export type CollectiveStats = z.infer<typeof collectiveStatsSchema>;

export const collectiveComparisonSchema = obj({
  phase,
  op: str,
  bytes: num.nullable(),
  base: collectiveStatsSchema.nullable(),
  new: collectiveStatsSchema.nullable(),
});
export type CollectiveComparison = z.infer<typeof collectiveComparisonSchema>;

export const valueChangeSchema = obj({ name: str, base: str.nullable(), new: str.nullable() });
export type ValueChange = z.infer<typeof valueChangeSchema>;

/** What differs in how the two traces were made (analyzer/across/compare/setupDiff.ts). */
export const setupDiffSchema = obj({
  tp: obj({ base: num, new: num }),
  gpus: obj({ base: str, new: str }),
  runtime: obj({ base: str, new: str }),
  /** Command-line options (an option with its value is one item) only in one of the two. */
  commandLine: obj({ removed: arr(str), added: arr(str) }).nullable(),
  environment: arr(valueChangeSchema),
});
export type SetupDiff = z.infer<typeof setupDiffSchema>;

const { recommendation: _advice, ...comparedFinding } = findingRefSchema.shape;
/** A finding as a comparison pairs it (analyzer/across/compare/findingsDiff.ts): a summary's finding without its advice. */
export const comparedFindingSchema = obj(comparedFinding);
export type ComparedFinding = z.infer<typeof comparedFindingSchema>;

export const findingsDiffSchema = obj({
  added: arr(comparedFindingSchema),
  resolved: arr(comparedFindingSchema),
  /** In both; the new trace's finding. */
  persisting: arr(comparedFindingSchema),
  /** About a phase only one of the traces has: neither added nor resolved. */
  unpaired: arr(comparedFindingSchema),
  /** In one trace's findings and, in the other, superseded by `by` (`in`: the trace where it was superseded). */
  superseded: arr(obj({ ...comparedFindingSchema.shape, by: str, in: oneOf(['base', 'new']) })),
});
export type FindingsDiff = z.infer<typeof findingsDiffSchema>;

/** The verdict of a comparison (analyzer/across/compare/verdict.ts). */
export const verdictSchema = obj({
  line: str,
  why: arr(str),
  changes: arr(obj({ phase, verdict: oneOf(SHIFT_VERDICTS), change: num })),
});
export type Verdict = z.infer<typeof verdictSchema>;

export const comparisonShape = {
  base: sideInfoSchema,
  new: sideInfoSchema,
  setup: setupDiffSchema,
  phases: arr(phaseComparisonSchema),
  collectives: arr(collectiveComparisonSchema),
  findings: findingsDiffSchema,
  verdict: verdictSchema,
  warnings: arr(str),
};
export const comparisonSchema = obj(comparisonShape);
export type Comparison = z.infer<typeof comparisonSchema>;
