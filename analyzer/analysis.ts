/**
 * The shared, computed-once results every rule and report reads (Lighthouse's computed artifacts):
 * classes, steps and per-step breakdowns are computed with the analysis; everything else is an artifact
 * (analyzer/artifact.ts), computed on first use and cached by the analysis object, the one caching
 * mechanism there is. The getters below name the artifacts every stage reads; later stages define their
 * own the same way, so a result two rules need is still computed once.
 */
import { createClassifier } from './classify/classifier.js';
import type { ClassRow } from './classify/kernelClasses.js';
import { classifyOps, type OpClasses } from './classify/opClasses.js';
import { breakdownStep, type StepBreakdown } from './breakdown/stepBreakdown.js';
import { summarisePhase, type PhaseSummary } from './breakdown/phaseSummary.js';
import type { TraceModel } from './model/types.js';
import { findSteps, type StepOptions } from './steps/findSteps.js';
import type { Step, StepSet } from './steps/types.js';
import { PHASES } from './contract/vocabulary.js';
import { opStepIndex } from './steps/opSteps.js';
import { deviceTimeline, type DeviceTimeline } from './model/deviceTimeline.js';
import { hostCallIndex, type HostCallIndex } from './host/hostActivity.js';
import { matchCollectives, type Collectives } from './collectives/instances.js';
import { messageSizes, type MessageSizes, type Workload } from './collectives/messageSize.js';
import { summariseCollectives, type CollectivePhase, type CollectiveSummary } from './collectives/summary.js';
import type { GpuSpec } from './hardware/gpuSpecs.js';
import { transferPerStep } from './collectives/stepTransfer.js';
import { betweenSteps, type BetweenSteps } from './breakdown/betweenSteps.js';
import { findRegimes, type Regime } from './steps/regimes.js';
import { artifact } from './artifact.js';

export interface AnalysisOptions {
  steps?: StepOptions;
  /** Extra kernel class rows, matched before the built-in table. */
  classRows?: ClassRow[];
  /** Model shape and batch the user gave (--model, --batch, --prompt): message sizes, roofline. */
  workload?: Workload;
  /** The GPU's datasheet when the user overrides what TARGET_INFO_GPU says (--gpu). */
  gpu?: GpuSpec;
}

/** The steady steps of a device and phase: what findings judge. */
export function steadyStepsOf(steps: StepSet, device: number, phase: string): Step[] {
  return steps.byDevice[device]!.filter((s) => s.phase === phase && steps.steady[s.index] === 1);
}

/** A device's summary of a phase, if it has steady steps in it. */
export function phaseOf(phases: readonly PhaseSummary[], device: number, phase: string): PhaseSummary | undefined {
  return phases.find((p) => p.device === device && p.phase === phase);
}

/** A device's gaps between steady steps of a phase. */
export function betweenOfPhase(between: readonly BetweenSteps[], device: number, phase: string): BetweenSteps | undefined {
  return between.find((b) => b.device === device && b.phase === phase);
}

const phasesOf = artifact((a: Analysis): PhaseSummary[] => {
  const transfer = transferPerStep(a);
  return a.model.devices.flatMap((d) => PHASES.flatMap((p) => summarisePhase(p, d.index, a.steps, a.breakdowns, transfer) ?? []));
});
const opStepOf = artifact((a: Analysis): Int32Array => opStepIndex(a.model.ops.n, a.steps));
const timelineOf = artifact((a: Analysis): DeviceTimeline => deviceTimeline(a.model));
const hostCallsOf = artifact((a: Analysis): HostCallIndex => hostCallIndex(a.model));
const collectivesOf = artifact((a: Analysis): Collectives => matchCollectives(a.model, a.classes));
const messageSizesOf = artifact((a: Analysis): MessageSizes => messageSizes(a.model, a.collectives, (i) => {
  const p = a.collectivePhase(i);
  return p === 'outside' ? null : p;
}, a.options.workload));
const collectiveSummaryOf = artifact((a: Analysis): CollectiveSummary =>
  summariseCollectives(a.model, a.collectives, a.messageSizes, (i) => a.collectivePhase(i), a.options.gpu));
const betweenOf = artifact((a: Analysis): BetweenSteps[] => betweenSteps(a.model, a.steps, a.timeline.ops, a.hostCalls));
const regimesOf = artifact(findRegimes);

export class Analysis {
  readonly classes: OpClasses;
  readonly steps: StepSet;
  readonly breakdowns: StepBreakdown[];

  constructor(readonly model: TraceModel, readonly options: AnalysisOptions = {}) {
    this.classes = classifyOps(model, createClassifier(options.classRows));
    this.steps = findSteps(model, options.steps, this.classes.opClass, this.classes.moePart);
    this.breakdowns = this.steps.steps.map((s) => breakdownStep(model.ops, this.classes.opClass, s, this.classes.moePart, { gemm: this.classes.fp8Gemm, quant: this.classes.fp8Quant }));
  }

  /** Per device (index) and phase, over the steady steps; absent phases are not listed. */
  get phases(): PhaseSummary[] {
    return phasesOf(this);
  }

  /** 1 for the steps the numbers describe (the measured pass, outliers out): StepSet.steady. */
  get steady(): Uint8Array {
    return this.steps.steady;
  }

  /** The steady steps of a device and phase: what findings judge. */
  steadyStepsOf(device: number, phase: string): Step[] {
    return steadyStepsOf(this.steps, device, phase);
  }

  /** Step index of each op (-1 outside steps). */
  get opStep(): Int32Array {
    return opStepOf(this);
  }

  get timeline(): DeviceTimeline {
    return timelineOf(this);
  }

  get hostCalls(): HostCallIndex {
    return hostCallsOf(this);
  }

  get collectives(): Collectives {
    return collectivesOf(this);
  }

  /** Phase of a collective instance: the phase of the steady step its kernels belong to ('outside': outside
   *  steady steps: warm-up collectives, with communicator setup, are not judged with the others). */
  collectivePhase(i: number): CollectivePhase {
    const c = this.collectives;
    for (let d = 0; d < c.nDevices; d++) {
      const o = c.ops[i * c.nDevices + d]!;
      if (o < 0) continue;
      const s = this.opStep[o]!;
      if (s >= 0) return this.steady[s] ? this.steps.steps[s]!.phase : 'outside';
    }
    return 'outside';
  }

  get messageSizes(): MessageSizes {
    return messageSizesOf(this);
  }

  get collectiveSummary(): CollectiveSummary {
    return collectiveSummaryOf(this);
  }

  /** Per device and phase: the GPU between consecutive steady steps (period, gap, idle, host calls). */
  get between(): BetweenSteps[] {
    return betweenOf(this);
  }

  /** Runs of consecutive steps at another speed (steps/regimes.ts), each described on its own. */
  get regimes(): Regime[] {
    return regimesOf(this);
  }

  betweenOf(device: number, phase: string): BetweenSteps | undefined {
    return betweenOfPhase(this.between, device, phase);
  }

  phase(device: number, phase: string): PhaseSummary | undefined {
    return phaseOf(this.phases, device, phase);
  }
}
