/**
 * The shared, computed-once results every rule and report reads (Lighthouse's computed artifacts):
 * classes, steps, per-step breakdowns and per-phase summaries here; later stages define their own with
 * artifact() (analyzer/artifact.ts), so a result two rules need is still computed once.
 */
import { createClassifier } from './classify/classifier.js';
import type { ClassRow } from './classify/kernelClasses.js';
import { classifyOps, type OpClasses } from './classify/opClasses.js';
import { breakdownStep, type StepBreakdown } from './breakdown/stepBreakdown.js';
import { summarisePhase, type PhaseSummary } from './breakdown/phaseSummary.js';
import type { TraceModel } from './model/types.js';
import { findSteps, type StepOptions } from './steps/findSteps.js';
import { PHASES, type Step, type StepSet } from './steps/types.js';
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

export interface AnalysisOptions {
  steps?: StepOptions;
  /** Extra kernel class rows, matched before the built-in table. */
  classRows?: ClassRow[];
  /** Model shape and batch the user gave (--model, --batch, --prompt): message sizes, roofline. */
  workload?: Workload;
  /** The GPU's datasheet when the user overrides what TARGET_INFO_GPU says (--gpu). */
  gpu?: GpuSpec;
}

export class Analysis {
  readonly classes: OpClasses;
  readonly steps: StepSet;
  readonly breakdowns: StepBreakdown[];
  private readonly lazy: {
    opStep?: Int32Array; timeline?: DeviceTimeline; hostCalls?: HostCallIndex; collectives?: Collectives;
    messageSizes?: MessageSizes; collectiveSummary?: CollectiveSummary; phases?: PhaseSummary[]; between?: BetweenSteps[]; regimes?: Regime[];
  } = {};

  constructor(readonly model: TraceModel, readonly options: AnalysisOptions = {}) {
    this.classes = classifyOps(model, createClassifier(options.classRows));
    this.steps = findSteps(model, options.steps, this.classes.opClass, this.classes.moePart);
    this.breakdowns = this.steps.steps.map((s) => breakdownStep(model.ops, this.classes.opClass, s, this.classes.moePart, { gemm: this.classes.fp8Gemm, quant: this.classes.fp8Quant }));
  }

  /** Per device (index) and phase, over the steady steps; absent phases are not listed. */
  get phases(): PhaseSummary[] {
    if (!this.lazy.phases) {
      const transfer = transferPerStep(this);
      this.lazy.phases = this.model.devices.flatMap((d) =>
        PHASES.flatMap((p) => summarisePhase(p, d.index, this.steps, this.breakdowns, transfer) ?? []));
    }
    return this.lazy.phases;
  }

  /** 1 for the steps the numbers describe (the measured pass, outliers out): StepSet.steady. */
  get steady(): Uint8Array {
    return this.steps.steady;
  }

  /** The steady steps of a device and phase: what findings judge. */
  steadyStepsOf(device: number, phase: string): Step[] {
    return this.steps.byDevice[device]!.filter((s) => s.phase === phase && this.steady[s.index] === 1);
  }

  /** Step index of each op (-1 outside steps). */
  get opStep(): Int32Array {
    return (this.lazy.opStep ??= opStepIndex(this.model.ops.n, this.steps));
  }

  get timeline(): DeviceTimeline {
    return (this.lazy.timeline ??= deviceTimeline(this.model));
  }

  get hostCalls(): HostCallIndex {
    return (this.lazy.hostCalls ??= hostCallIndex(this.model));
  }

  get collectives(): Collectives {
    return (this.lazy.collectives ??= matchCollectives(this.model, this.classes));
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
    return (this.lazy.messageSizes ??= messageSizes(this.model, this.collectives, (i) => {
      const p = this.collectivePhase(i);
      return p === 'outside' ? null : p;
    }, this.options.workload));
  }

  get collectiveSummary(): CollectiveSummary {
    return (this.lazy.collectiveSummary ??=
      summariseCollectives(this.model, this.collectives, this.messageSizes, (i) => this.collectivePhase(i), this.options.gpu));
  }

  /** Per device and phase: the GPU between consecutive steady steps (period, gap, idle, host calls). */
  get between(): BetweenSteps[] {
    return (this.lazy.between ??= betweenSteps(this.model, this.steps, this.timeline.ops, this.hostCalls));
  }

  /** Runs of consecutive steps at another speed (steps/regimes.ts), each described on its own. */
  get regimes(): Regime[] {
    return (this.lazy.regimes ??= findRegimes(this));
  }

  betweenOf(device: number, phase: string): BetweenSteps | undefined {
    return this.between.find((b) => b.device === device && b.phase === phase);
  }

  phase(device: number, phase: string): PhaseSummary | undefined {
    return this.phases.find((p) => p.device === device && p.phase === phase);
  }
}
