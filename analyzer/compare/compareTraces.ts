/**
 * Two traces side by side, for reviewing a change: per phase the step time (steady replica steps, with
 * a noise judgement), time per kernel class, communication split into transfer and waiting, CUDA-graph
 * launches and per-layer deltas; collectives per size class; findings added and resolved; what differs
 * in the setup; and a verdict that says what changed and why.
 */
import type { Analysis } from '../analysis.js';
import { steadyProfile, type TimeClass } from '../breakdown/steadyProfile.js';
import { KERNEL_CLASSES } from '../classify/kernelClasses.js';
import type { DiagnoseResult } from '../report/result.js';
import { phaseStepTimes, replicaSteps } from '../steps/replicaSteps.js';
import { PHASES, type Phase } from '../steps/types.js';
import { compareLayers, type LayerComparison } from './layerDeltas.js';
import { findingsDiff, type FindingsDiff } from './findingsDiff.js';
import { setupDiff, type SetupDiff } from './setupDiff.js';
import { judgeShift, stepSample, type StepSample, type StepShift } from './stepShift.js';
import { verdict, type Verdict } from './verdict.js';

export interface CompareSide {
  analysis: Analysis;
  result: DiagnoseResult;
}

export interface SideInfo {
  paths: string[];
  nsysVersion: string | null;
  stepDetection: string;
  /** How step times were taken: steady replica steps, or per-GPU steps pooled (with why). */
  stepTimes: string;
}

export interface CommSplit {
  /** ns per step per GPU. */
  transferNs: number;
  waitNs: number;
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

export interface CompareResult {
  schemaVersion: 1;
  tool: { name: 'nsys-tp'; version: string };
  base: SideInfo;
  new: SideInfo;
  setup: SetupDiff;
  phases: PhaseComparison[];
  collectives: CollectiveComparison[];
  findings: FindingsDiff;
  verdict: Verdict;
  warnings: string[];
}

const TIME_CLASSES: TimeClass[] = [...KERNEL_CLASSES, 'idle'];

/** Steps found from idle gaps are stretches of work, not named iterations: their times compare only when
 *  they hold about the same number of GPU ops (within this factor). */
const SAME_WORK = 1.5;

function sideInfo(s: CompareSide): SideInfo {
  const r = replicaSteps(s.analysis);
  return {
    paths: s.result.trace.paths,
    nsysVersion: s.result.trace.nsysVersion,
    stepDetection: s.result.stepDetection.description,
    stepTimes: r.lined ? 'steady steps, each from the first GPU to start to the last to finish' : `steady steps of every GPU pooled: ${r.note}`,
  };
}

function commSplit(a: Analysis, phase: Phase, stepsPerGpu: number): CommSplit | null {
  const classes = a.collectiveSummary.classes.filter((k) => k.phase === phase);
  if (classes.length === 0 || stepsPerGpu === 0) return null;
  let transfer = 0;
  let wait = 0;
  for (const k of classes) {
    transfer += k.transferTotalNs;
    wait += k.waitTotalNs / k.ranks;
  }
  return { transferNs: transfer / stepsPerGpu, waitNs: wait / stepsPerGpu };
}

function phaseSide(a: Analysis, phase: Phase): PhaseSide | null {
  const p = steadyProfile(a, phase);
  const times = phaseStepTimes(a, phase);
  if (!p || times.length === 0) return null;
  return {
    steps: stepSample(times), opsPerStep: p.opsPerStep, classNs: p.classNs, commShare: p.commShare, idleShare: p.idleShare, graphShare: p.graphShare,
    comm: commSplit(a, phase, p.stepsPerGpu),
  };
}

function collectiveStats(a: Analysis, phase: Phase): Map<string, { op: string; bytes: number | null; stats: CollectiveStats }> {
  const out = new Map<string, { op: string; bytes: number | null; stats: CollectiveStats }>();
  const steps = steadyProfile(a, phase)?.stepsPerGpu ?? 0;
  for (const k of a.collectiveSummary.classes) {
    if (k.phase !== phase || steps === 0) continue;
    out.set(`${k.op}|${k.bytes ?? '?'}`, {
      op: k.op,
      bytes: k.bytes,
      stats: {
        perStep: k.count / steps, transferMedianNs: k.transferMedianNs, waitShare: k.kernelTotalNs ? k.waitTotalNs / k.kernelTotalNs : 0,
        skewMedianNs: k.skewMedianNs, busGBps: k.busGBps,
      },
    });
  }
  return out;
}

export function compareTraces(base: CompareSide, next: CompareSide, version: string): CompareResult {
  const phases: PhaseComparison[] = [];
  const collectives: CollectiveComparison[] = [];
  for (const phase of PHASES) {
    const b = phaseSide(base.analysis, phase);
    const n = phaseSide(next.analysis, phase);
    if (!b && !n) continue;
    const shift = b && n ? judgeShift(phaseStepTimes(base.analysis, phase), phaseStepTimes(next.analysis, phase)) : null;
    if (shift && b && n && (base.analysis.steps.source === 'gaps' || next.analysis.steps.source === 'gaps')) {
      const ratio = n.opsPerStep / b.opsPerStep;
      if (ratio > SAME_WORK || ratio < 1 / SAME_WORK) {
        shift.verdict = 'incomparable';
        shift.reason = `not the same work: steps found from idle gaps hold ${b.opsPerStep.toFixed(0)} vs ${n.opsPerStep.toFixed(0)} GPU ops per step`;
      }
    }
    phases.push({ phase, base: b, new: n, shift, layers: compareLayers(base.analysis, next.analysis, phase) });
    const cb = collectiveStats(base.analysis, phase);
    const cn = collectiveStats(next.analysis, phase);
    for (const k of new Set([...cb.keys(), ...cn.keys()])) {
      const x = cb.get(k) ?? cn.get(k)!;
      collectives.push({ phase, op: x.op, bytes: x.bytes, base: cb.get(k)?.stats ?? null, new: cn.get(k)?.stats ?? null });
    }
  }
  const setup = setupDiff(base.analysis, next.analysis);
  const findings = findingsDiff(base.result.findings, next.result.findings, {
    base: new Set(phases.filter((p) => p.base).map((p) => p.phase)),
    new: new Set(phases.filter((p) => p.new).map((p) => p.phase)),
  });
  const warnings = [
    ...base.result.warnings.map((w) => `base: ${w}`),
    ...next.result.warnings.map((w) => `new: ${w}`),
  ];
  if (setup.tp.base !== setup.tp.new) {
    warnings.push(`TP differs (${setup.tp.base} → ${setup.tp.new}): per-GPU times compare different shards; nsys-tp scaling weighs TP degrees`);
  }
  return {
    schemaVersion: 1,
    tool: { name: 'nsys-tp', version },
    base: sideInfo(base),
    new: sideInfo(next),
    setup,
    phases,
    collectives,
    findings,
    verdict: verdict(phases, setup, findings),
    warnings,
  };
}

export { TIME_CLASSES };
