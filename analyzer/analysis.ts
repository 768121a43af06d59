/**
 * The shared, computed-once results every rule and report reads (Lighthouse's computed artifacts):
 * classes, steps, per-step breakdowns and per-phase summaries. Later stages add their own artifacts with
 * `memo`, so a result two rules need is still computed once.
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
  /** Per device (index) and phase; absent phases are not listed. */
  readonly phases: PhaseSummary[];
  private readonly cache = new Map<string, unknown>();

  constructor(readonly model: TraceModel, readonly options: AnalysisOptions = {}) {
    this.classes = classifyOps(model, createClassifier(options.classRows));
    this.steps = findSteps(model, options.steps, this.classes.opClass);
    this.breakdowns = this.steps.steps.map((s) => breakdownStep(model.ops, this.classes.opClass, s));
    this.phases = [];
    for (const d of model.devices) {
      for (const p of PHASES) {
        const s = summarisePhase(p, d.index, this.steps, this.breakdowns);
        if (s) this.phases.push(s);
      }
    }
  }

  /** A result computed on first use and shared afterwards. */
  memo<T>(key: string, compute: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, compute());
    return this.cache.get(key) as T;
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
    return this.memo('opStep', () => opStepIndex(this.model.ops.n, this.steps));
  }

  get timeline(): DeviceTimeline {
    return this.memo('timeline', () => deviceTimeline(this.model));
  }

  get hostCalls(): HostCallIndex {
    return this.memo('hostCalls', () => hostCallIndex(this.model));
  }

  get collectives(): Collectives {
    return this.memo('collectives', () => matchCollectives(this.model, this.classes));
  }

  /** Phase of a collective instance: the phase of the steady step its kernels belong to ('none' outside
   *  steady steps: warm-up collectives, with communicator setup, are not judged with the others). */
  collectivePhase(i: number): CollectivePhase {
    const c = this.collectives;
    for (let d = 0; d < c.nDevices; d++) {
      const o = c.ops[i * c.nDevices + d]!;
      if (o < 0) continue;
      const s = this.opStep[o]!;
      if (s >= 0) return this.steady[s] ? this.steps.steps[s]!.phase : 'none';
    }
    return 'none';
  }

  get messageSizes(): MessageSizes {
    return this.memo('messageSizes', () => messageSizes(this.model, this.collectives, (i) => {
      const p = this.collectivePhase(i);
      return p === 'none' ? null : p;
    }, this.options.workload));
  }

  get collectiveSummary(): CollectiveSummary {
    return this.memo('collectiveSummary', () =>
      summariseCollectives(this.model, this.collectives, this.messageSizes, (i) => this.collectivePhase(i), this.options.gpu));
  }

  phase(device: number, phase: string): PhaseSummary | undefined {
    return this.phases.find((p) => p.device === device && p.phase === phase);
  }
}
