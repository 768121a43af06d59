/**
 * What a trace rule may read, by name (the Chrome DevTools trace engine's handlers and their `deps()`): a
 * rule declares the data it reads (`deps: ['steps', 'collectives'] as const`) and its check receives
 * `RequiredData<typeof deps>`, those and nothing else, typed. Some data can be missing from a trace (no
 * steps, one GPU, no --model): those are the rule's requirements, and a rule that declares one the
 * analysis lacks is not run and says why (Lighthouse's "not applicable"), never silently absent.
 */
import type { Analysis } from '../analyzer/analysis.js';
import { gpuOf } from '../analyzer/hardware/gpuOf.js';
import type { Workload } from '../analyzer/collectives/messageSize.js';
import { runtimeOf } from '../analyzer/runtime/detectRuntime.js';
import { tpDegree } from '../analyzer/collectives/tpDegree.js';
import { achievements } from '../analyzer/roofline/achievement.js';
import { transferPerStep } from '../analyzer/collectives/stepTransfer.js';
import { fabricHealth, fabricSlowIn, fabricSuspectIn } from '../analyzer/collectives/fabricHealth.js';
import type { CollectivePhase } from '../analyzer/collectives/summary.js';
import { ALGORITHM_SETTINGS, offNvlinkSettings, settingsOf } from '../analyzer/runtime/environment.js';
import { phaseCollectives } from '../analyzer/collectives/phaseStats.js';
import { phaseLateRank } from '../analyzer/collectives/lateRank.js';
import type { Phase } from '../analyzer/contract/vocabulary.js';

/** Data a trace may lack: what it is when present, and what a report says when it is not. */
interface Requirement_<T> {
  of: (a: Analysis) => T | null;
  missing: string;
}

const need = <T>(of: (a: Analysis) => T | null, missing: string): Requirement_<T> => ({ of, missing });

/** The data a trace can lack, in the words a report uses when it does. */
export const REQUIREMENTS = {
  steps: need((a) => (a.steps.steps.length > 0 ? a.steps : null), 'no steps in the trace'),
  collectives: need((a) => (a.collectives.n > 0 ? a.collectives : null), 'no collectives across GPUs: one GPU, or one rank traced'),
  launches: need((a) => (a.model.ops.thread.some((t) => t >= 0) ? true : null), 'no CUDA API launches in the export (capture with nsys profile -t cuda)'),
  workload: need((a): Workload | null => a.options.workload ?? null, 'needs --model and --batch'),
  prompt: need((a) => a.options.workload?.prompt || null, 'needs --model, --batch and --prompt'),
  gpuSpec: need((a) => (a.model.devices.some((d) => gpuOf(a, d.index) !== null) ? true : null), 'the trace names no GPU nsys-tp knows (pass --gpu)'),
} as const;

export type Requirement = keyof typeof REQUIREMENTS;

/** Data every trace has: the analysis' own parts and its computed artifacts. */
const ALWAYS = {
  model: (a: Analysis) => a.model,
  /** The steps found, none perhaps (`steps`, the requirement, has at least one). */
  stepSet: (a: Analysis) => a.steps,
  options: (a: Analysis) => a.options,
  classes: (a: Analysis) => a.classes,
  breakdowns: (a: Analysis) => a.breakdowns,
  /** 1 for the steps the numbers describe (StepSet.steady). */
  steady: (a: Analysis) => a.steady,
  opStep: (a: Analysis) => a.opStep,
  timeline: (a: Analysis) => a.timeline,
  hostCalls: (a: Analysis) => a.hostCalls,
  phases: (a: Analysis) => a.phases,
  between: (a: Analysis) => a.between,
  regimes: (a: Analysis) => a.regimes,
  collectiveSummary: (a: Analysis) => a.collectiveSummary,
  /** The serving runtime the trace shows (vLLM, SGLang, …): whose settings advice names. */
  runtime: (a: Analysis) => runtimeOf(a),
  /** The TP degree: ranks per collective. */
  tp: (a: Analysis) => tpDegree(a),
  /** Achieved FLOP/s and HBM bandwidth per device and phase (needs the workload to be meaningful). */
  achievements: (a: Analysis) => achievements(a),
  /** Collective transfer (ns) per step. */
  transferPerStep: (a: Analysis) => transferPerStep(a),
  /** The fabric's judgement (analyzer/collectives/fabricHealth.ts): measured slow, or suspect from the recorded settings, per phase. */
  fabric: (a: Analysis) => ({
    health: fabricHealth(a),
    slowIn: (phase: CollectivePhase) => fabricSlowIn(a, phase),
    suspectIn: (phase: CollectivePhase) => fabricSuspectIn(a, phase),
  }),
  /** Recorded settings that keep NCCL off NVLink peer-to-peer. */
  offNvlinkSettings: (a: Analysis) => offNvlinkSettings(a),
  /** Recorded settings that force NCCL's algorithm or protocol. */
  algorithmSettings: (a: Analysis) => settingsOf(a, ALGORITHM_SETTINGS),
  /** Collective statistics of a phase's steady steps (analyzer/collectives/phaseStats.ts). */
  phaseCollectives: (a: Analysis) => (phase: Phase) => phaseCollectives(a, phase),
  /** A phase's late rank, from its work or its arrivals (analyzer/collectives/lateRank.ts). */
  phaseLateRank: (a: Analysis) => (phase: Phase) => phaseLateRank(a, phase),
} as const;

export type DataName = Requirement | keyof typeof ALWAYS;

type DataOf<K extends DataName> = K extends Requirement
  ? NonNullable<ReturnType<(typeof REQUIREMENTS)[K]['of']>>
  : K extends keyof typeof ALWAYS ? ReturnType<(typeof ALWAYS)[K]> : never;

/** What a check that declared `deps` receives: those data, present, and nothing else. */
export type RequiredData<D extends readonly DataName[]> = { readonly [K in D[number]]: DataOf<K> };

export function isRequirement(name: DataName): name is Requirement {
  return Object.prototype.hasOwnProperty.call(REQUIREMENTS, name);
}

/** The requirements among a rule's deps, in the order it declared them (the first missing one is the reason it gives). */
export function requirementsOf(deps: readonly DataName[]): Requirement[] {
  return deps.filter(isRequirement);
}

/** Why the rule cannot run on this analysis, or null when it can: the first requirement missing. */
export function missingRequirement(a: Analysis, requires: readonly Requirement[]): string | null {
  for (const r of requires) if (REQUIREMENTS[r].of(a) === null) return REQUIREMENTS[r].missing;
  return null;
}

/**
 * The data a rule declared, read from the analysis when the check first reads each one (so a check that
 * returns early computes no more than it reads, as before): the engine has checked the requirements.
 */
export function requiredData<D extends readonly DataName[]>(a: Analysis, deps: D): RequiredData<D> {
  const out = {} as Record<string, unknown>;
  for (const name of deps) {
    const read = isRequirement(name) ? () => REQUIREMENTS[name].of(a) : () => ALWAYS[name as keyof typeof ALWAYS](a);
    Object.defineProperty(out, name, { enumerable: true, get: read });
  }
  return out as RequiredData<D>;
}
