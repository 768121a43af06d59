/**
 * What a trace rule may read, by name (the Chrome DevTools trace engine's handlers and their `deps()`): a
 * rule declares the data it reads (`deps: ['steps', 'collectives'] as const`) and its check receives
 * `RequiredData<typeof deps>`, those and nothing else, typed. The names are the analysis' data
 * (analyzer/data.ts, which the analyzer's own artifacts read the same way) and the requirements below.
 * Some data can be missing from a trace (no steps, one GPU, no --model): those are the rule's requirements,
 * and a rule that declares one the analysis lacks is not run and says why (Lighthouse's "not applicable"),
 * never silently absent. Which data a rule cannot do without, and the words it gives when it cannot run,
 * are the rules' policy, so they are written here and not among the analyses.
 */
import { reads } from '../analyzer/artifact.js';
import type { AnalysisData, DataName as AnalysisDataName, Reads } from '../analyzer/data.js';
import { gpuOf } from '../analyzer/hardware/gpuOf.js';
import type { Workload } from '../analyzer/collectives/messageSize.js';

/** Data a trace may lack: the data it is judged on, what it is when present, and what a report says when it is not. */
interface Requirement_<D extends readonly AnalysisDataName[], T> {
  deps: D;
  of: (data: Reads<D[number]>) => T | null;
  missing: string;
}

const need = <const D extends readonly AnalysisDataName[], T>(deps: D, of: (data: Reads<D[number]>) => T | null, missing: string): Requirement_<D, T> => ({ deps, of, missing });

/** The data a trace can lack, in the words a report uses when it does. */
export const REQUIREMENTS = {
  steps: need(['stepSet'], (a) => (a.stepSet.steps.length > 0 ? a.stepSet : null), 'no steps in the trace'),
  collectives: need(['collectives'], (a) => (a.collectives.n > 0 ? a.collectives : null), 'no collectives across GPUs: one GPU, or one rank traced'),
  launches: need(['model'], (a) => (a.model.ops.thread.some((t) => t >= 0) ? true : null), 'no CUDA API launches in the export (capture with nsys profile -t cuda)'),
  workload: need(['options'], (a): Workload | null => a.options.workload ?? null, 'needs --model and --batch'),
  prompt: need(['options'], (a) => a.options.workload?.prompt || null, 'needs --model, --batch and --prompt'),
  gpuSpec: need(['model', 'options'], (a) => (a.model.devices.some((d) => gpuOf(a, d.index) !== null) ? true : null), 'the trace names no GPU nsys-tp knows (pass --gpu)'),
} as const;

export type Requirement = keyof typeof REQUIREMENTS;

/** What a rule may declare: a datum of the analysis, or a requirement (a datum, present). */
export type DataName = Requirement | AnalysisDataName;

type DataOf<K extends DataName> = K extends Requirement
  ? NonNullable<ReturnType<(typeof REQUIREMENTS)[K]['of']>>
  : K extends AnalysisDataName ? AnalysisData[K] : never;

/** What a check that declared `deps` receives: those data, present, and nothing else. */
export type RequiredData<D extends readonly DataName[]> = { readonly [K in D[number]]: DataOf<K> };

export function isRequirement(name: DataName): name is Requirement {
  return Object.prototype.hasOwnProperty.call(REQUIREMENTS, name);
}

/** The requirements among a rule's deps, in the order it declared them (the first missing one is the reason it gives). */
export function requirementsOf(deps: readonly DataName[]): Requirement[] {
  return deps.filter(isRequirement);
}

/** A requirement's value on this analysis: null when the trace lacks it. */
function requirementOf(a: AnalysisData, r: Requirement): unknown {
  const q: Requirement_<readonly AnalysisDataName[], unknown> = REQUIREMENTS[r];
  return q.of(reads(a, q.deps));
}

/** Why the rule cannot run on this analysis, or null when it can: the first requirement missing. */
export function missingRequirement(a: AnalysisData, requires: readonly Requirement[]): string | null {
  for (const r of requires) if (requirementOf(a, r) === null) return REQUIREMENTS[r].missing;
  return null;
}

/**
 * The data a rule declared, read from the analysis when the check first reads each one (so a check that
 * returns early computes no more than it reads, as before): the engine has checked the requirements.
 */
export function requiredData<D extends readonly DataName[]>(a: AnalysisData, deps: D): RequiredData<D> {
  const out = {} as Record<string, unknown>;
  for (const name of deps) {
    const read = isRequirement(name) ? () => requirementOf(a, name) : () => a[name as AnalysisDataName];
    Object.defineProperty(out, name, {
      enumerable: true,
      configurable: true,
      get() {
        const value = read();
        Object.defineProperty(out, name, { enumerable: true, value });
        return value;
      },
    });
  }
  return out as RequiredData<D>;
}
