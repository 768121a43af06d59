/**
 * One analysed trace: the data of analyzer/data.ts, by name. Classes, steps and per-step breakdowns are
 * computed with the analysis; every other datum is an artifact (analyzer/artifact.ts) that declares what it
 * reads, computed on first read and cached by the analysis object, the one caching mechanism there is.
 * This file binds each name to its artifact (the compiler checks the class against AnalysisData). Only the
 * code that hands all of it on takes an Analysis (the public API, the rule engine and contract, diagnose's
 * result builder: docs/architecture.md §2); everything else declares the data it reads.
 */
import { createClassifier } from './classify/classifier.js';
import { classifyOps, type OpClasses } from './classify/opClasses.js';
import { breakdownStep, type StepBreakdown } from './breakdown/stepBreakdown.js';
import { summarisePhase, phaseOf, type PhaseSummary } from './breakdown/phaseSummary.js';
import type { TraceModel } from './model/types.js';
import { findSteps } from './steps/findSteps.js';
import type { Step, StepSet } from './steps/types.js';
import { PHASES, type Phase } from './contract/vocabulary.js';
import { opStepIndex } from './steps/opSteps.js';
import { steadyStepsOf } from './steps/steady.js';
import { deviceTimeline, type DeviceTimeline } from './model/deviceTimeline.js';
import { hostCallIndex, type HostCallIndex } from './host/hostActivity.js';
import { matchCollectives, type Collectives } from './collectives/instances.js';
import { messageSizes, type MessageSizes } from './collectives/messageSize.js';
import { summariseCollectives, type CollectivePhase, type CollectiveSummary } from './collectives/summary.js';
import { transferPerStep } from './collectives/stepTransfer.js';
import { tpDegree } from './collectives/tpDegree.js';
import { fabric } from './collectives/fabricHealth.js';
import { phaseCollectives } from './collectives/phaseStats.js';
import { phaseLateRank } from './collectives/lateRank.js';
import { betweenSteps, betweenOfPhase, type BetweenSteps } from './breakdown/betweenSteps.js';
import { steadyProfile } from './breakdown/steadyProfile.js';
import { stepRows } from './breakdown/stepRows.js';
import { topKernels } from './breakdown/topKernels.js';
import { regimes } from './steps/regimes.js';
import { replicaSteps } from './steps/replicaSteps.js';
import { fastSteps } from './steps/fastSteps.js';
import { launchIndex, stepLayers } from './layers/findLayers.js';
import { layerAnalysis, layerCount } from './layers/layerSummary.js';
import { layerProfile } from './layers/layerProfile.js';
import { runtimeOf } from './runtime/detectRuntime.js';
import { algorithmSettings, offNvlinkSettings, recordedSettings } from './runtime/environment.js';
import { runsFp8 } from './runtime/fp8Kernels.js';
import { achievements } from './roofline/achievement.js';
import { captureCheck, ncclRanges } from './capture/captureCheck.js';
import { artifact } from './artifact.js';
import type { AnalysisData, AnalysisOptions } from './data.js';

export type { AnalysisData, AnalysisOptions };

const phasesOf = artifact(['model', 'stepSet', 'breakdowns', 'transferPerStep'], (a): PhaseSummary[] =>
  a.model.devices.flatMap((d) => PHASES.flatMap((p) => summarisePhase(p, d.index, a.stepSet, a.breakdowns, a.transferPerStep) ?? [])));
const opStepOf = artifact(['model', 'stepSet'], (a): Int32Array => opStepIndex(a.model.ops.n, a.stepSet));
const timelineOf = artifact(['model'], (a): DeviceTimeline => deviceTimeline(a.model));
const hostCallsOf = artifact(['model'], (a): HostCallIndex => hostCallIndex(a.model));
const collectivesOf = artifact(['model', 'classes'], (a): Collectives => matchCollectives(a.model, a.classes));
const collectivePhaseOf = artifact(['collectives', 'opStep', 'steady', 'stepSet'], (a) => (i: number): CollectivePhase => {
  const c = a.collectives;
  for (let d = 0; d < c.nDevices; d++) {
    const o = c.ops[i * c.nDevices + d]!;
    if (o < 0) continue;
    const s = a.opStep[o]!;
    if (s >= 0) return a.steady[s] ? a.stepSet.steps[s]!.phase : 'outside';
  }
  return 'outside';
});
const messageSizesOf = artifact(['model', 'collectives', 'collectivePhase', 'options'], (a): MessageSizes => messageSizes(a.model, a.collectives, (i) => {
  const p = a.collectivePhase(i);
  return p === 'outside' ? null : p;
}, a.options.workload));
const collectiveSummaryOf = artifact(['model', 'collectives', 'messageSizes', 'collectivePhase', 'options'], (a): CollectiveSummary =>
  summariseCollectives(a.model, a.collectives, a.messageSizes, (i) => a.collectivePhase(i), a.options.gpu));
const betweenOf = artifact(['model', 'stepSet', 'timeline', 'hostCalls'], (a): BetweenSteps[] => betweenSteps(a.model, a.stepSet, a.timeline.ops, a.hostCalls));

export class Analysis implements AnalysisData {
  readonly classes: OpClasses;
  readonly steps: StepSet;
  readonly breakdowns: StepBreakdown[];

  constructor(readonly model: TraceModel, readonly options: AnalysisOptions = {}) {
    this.classes = classifyOps(model, createClassifier(options.classRows));
    this.steps = findSteps(model, options.steps, this.classes.opClass, this.classes.moePart);
    this.breakdowns = this.steps.steps.map((s) => breakdownStep(model.ops, this.classes.opClass, s, this.classes.moePart, { gemm: this.classes.fp8Gemm, quant: this.classes.fp8Quant }));
  }

  // The data (analyzer/data.ts), each its artifact's value for this analysis.
  get stepSet(): AnalysisData['stepSet'] { return this.steps; }
  get steady(): AnalysisData['steady'] { return this.steps.steady; }
  get opStep(): AnalysisData['opStep'] { return opStepOf(this); }
  get regimes(): AnalysisData['regimes'] { return regimes(this); }
  get replicaSteps(): AnalysisData['replicaSteps'] { return replicaSteps(this); }
  get fastSteps(): AnalysisData['fastSteps'] { return fastSteps(this); }
  get launchIndex(): AnalysisData['launchIndex'] { return launchIndex(this); }
  get phases(): AnalysisData['phases'] { return phasesOf(this); }
  get between(): AnalysisData['between'] { return betweenOf(this); }
  get steadyProfile(): AnalysisData['steadyProfile'] { return steadyProfile(this); }
  get stepRows(): AnalysisData['stepRows'] { return stepRows(this); }
  get topKernels(): AnalysisData['topKernels'] { return topKernels(this); }
  get timeline(): AnalysisData['timeline'] { return timelineOf(this); }
  get hostCalls(): AnalysisData['hostCalls'] { return hostCallsOf(this); }
  get collectives(): AnalysisData['collectives'] { return collectivesOf(this); }
  get collectivePhase(): AnalysisData['collectivePhase'] { return collectivePhaseOf(this); }
  get messageSizes(): AnalysisData['messageSizes'] { return messageSizesOf(this); }
  get collectiveSummary(): AnalysisData['collectiveSummary'] { return collectiveSummaryOf(this); }
  get transferPerStep(): AnalysisData['transferPerStep'] { return transferPerStep(this); }
  get tp(): AnalysisData['tp'] { return tpDegree(this); }
  get fabric(): AnalysisData['fabric'] { return fabric(this); }
  get phaseCollectives(): AnalysisData['phaseCollectives'] { return phaseCollectives(this); }
  get phaseLateRank(): AnalysisData['phaseLateRank'] { return phaseLateRank(this); }
  get stepLayers(): AnalysisData['stepLayers'] { return stepLayers(this); }
  get layers(): AnalysisData['layers'] { return layerAnalysis(this); }
  get layerCount(): AnalysisData['layerCount'] { return layerCount(this); }
  get layerProfile(): AnalysisData['layerProfile'] { return layerProfile(this); }
  get runtime(): AnalysisData['runtime'] { return runtimeOf(this); }
  get settings(): AnalysisData['settings'] { return recordedSettings(this); }
  get offNvlinkSettings(): AnalysisData['offNvlinkSettings'] { return offNvlinkSettings(this); }
  get algorithmSettings(): AnalysisData['algorithmSettings'] { return algorithmSettings(this); }
  get runsFp8(): AnalysisData['runsFp8'] { return runsFp8(this); }
  get achievements(): AnalysisData['achievements'] { return achievements(this); }
  get ncclRanges(): AnalysisData['ncclRanges'] { return ncclRanges(this); }
  get captureCheck(): AnalysisData['captureCheck'] { return captureCheck(this); }

  /** The steady steps of a device and phase: what findings judge. */
  steadyStepsOf(device: number, phase: string): Step[] {
    return steadyStepsOf(this.steps, device, phase);
  }

  betweenOf(device: number, phase: string): BetweenSteps | undefined {
    return betweenOfPhase(this.between, device, phase);
  }

  phase(device: number, phase: Phase | string): PhaseSummary | undefined {
    return phaseOf(this.phases, device, phase);
  }
}
