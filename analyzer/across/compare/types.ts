/** What a comparison of two traces holds (compareTraces.ts builds it; every format renders it). */
import type { TimeClass } from '../../breakdown/steadyProfile.js';
import type { CommSplit } from '../../summary/traceSummary.js';
import type { Phase } from '../../contract/vocabulary.js';
import type { FindingsDiff } from './findingsDiff.js';
import type { LayerComparison } from './layerDeltas.js';
import type { SetupDiff } from './setupDiff.js';
import type { StepSample, StepShift } from './stepShift.js';
import type { Verdict } from './verdict.js';

export interface SideInfo {
  paths: string[];
  nsysVersion: string | null;
  stepDetection: string;
  /** How step times were taken: steady replica steps, or per-GPU steps pooled (with why). */
  stepTimes: string;
}

export interface PhaseSide {
  steps: StepSample;
  /** GPU ops per step per GPU (mean). */
  opsPerStep: number;
  /** ns per step per GPU, steady steps. */
  classNs: Record<TimeClass, number>;
  commShare: number;
  idleShare: number;
  graphShare: number;
  comm: CommSplit | null;
}

export interface PhaseComparison {
  phase: Phase;
  base: PhaseSide | null;
  new: PhaseSide | null;
  shift: StepShift | null;
  layers: LayerComparison | null;
}

export interface CollectiveStats {
  perStep: number;
  transferMedianNs: number;
  waitShare: number;
  skewMedianNs: number;
  busGBps: number | null;
}

export interface CollectiveComparison {
  phase: Phase;
  op: string;
  bytes: number | null;
  base: CollectiveStats | null;
  new: CollectiveStats | null;
}

export interface Comparison {
  base: SideInfo;
  new: SideInfo;
  setup: SetupDiff;
  phases: PhaseComparison[];
  collectives: CollectiveComparison[];
  findings: FindingsDiff;
  verdict: Verdict;
  warnings: string[];
}
