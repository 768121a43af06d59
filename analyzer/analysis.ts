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
import { PHASES, type StepSet } from './steps/types.js';

export interface AnalysisOptions {
  steps?: StepOptions;
  /** Extra kernel class rows, matched before the built-in table. */
  classRows?: ClassRow[];
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
    this.steps = findSteps(model, options.steps);
    this.breakdowns = this.steps.steps.map((s) => breakdownStep(model.ops, this.classes.opClass, s));
    this.phases = [];
    for (const d of model.devices) {
      for (const p of PHASES) {
        const s = summarisePhase(p, d.index, this.steps.steps, this.breakdowns);
        if (s) this.phases.push(s);
      }
    }
  }

  /** A result computed on first use and shared afterwards. */
  memo<T>(key: string, compute: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, compute());
    return this.cache.get(key) as T;
  }

  phase(device: number, phase: string): PhaseSummary | undefined {
    return this.phases.find((p) => p.device === device && p.phase === phase);
  }
}
