/**
 * What a trace rule can need, how the engine checks it, and what a report says when it is missing
 * (Lighthouse's "not applicable"): a rule that needs --model is shown as not run, never silently absent.
 */
import type { Analysis } from '../analyzer/analysis.js';
import { gpuOf } from '../analyzer/hardware/gpuOf.js';

export type Requirement = 'steps' | 'collectives' | 'launches' | 'workload' | 'prompt' | 'gpuSpec';

export const REQUIREMENTS: Record<Requirement, { met: (a: Analysis) => boolean; missing: string }> = {
  steps: { met: (a) => a.steps.steps.length > 0, missing: 'no steps in the trace' },
  collectives: { met: (a) => a.collectives.n > 0, missing: 'no collectives across GPUs: one GPU, or one rank traced' },
  launches: {
    met: (a) => a.model.ops.thread.some((t) => t >= 0),
    missing: 'no CUDA API launches in the export (capture with nsys profile -t cuda)',
  },
  workload: { met: (a) => a.options.workload !== undefined, missing: 'needs --model and --batch' },
  prompt: { met: (a) => !!a.options.workload?.prompt, missing: 'needs --model, --batch and --prompt' },
  gpuSpec: { met: (a) => a.model.devices.some((d) => gpuOf(a, d.index) !== null), missing: 'the trace names no GPU nsys-tp knows (pass --gpu)' },
};

/** Why the rule cannot run on this analysis, or null when it can: the first requirement missing. */
export function missingRequirement(a: Analysis, requires: readonly Requirement[]): string | null {
  for (const r of requires) if (!REQUIREMENTS[r].met(a)) return REQUIREMENTS[r].missing;
  return null;
}
