/**
 * A replica's step: one step (the k-th, Step.ordinal) on every GPU of the job, from the earliest GPU's
 * first op to the latest GPU's last op. The replica hands out the step's tokens only when its last rank
 * is done, so this is the step time that throughput and latency follow, and the sample `compare` and
 * `scaling` judge. A replica step is steady when it is steady on every GPU (steps/steady.ts).
 */
import { artifact } from '../artifact.js';
import type { Reads } from '../data.js';
import { steadyStepsOf } from './steady.js';
import type { Step } from './types.js';
import type { Phase } from '../contract/vocabulary.js';

export interface ReplicaStep {
  ordinal: number;
  name: string;
  phase: Phase;
  start: number;
  end: number;
  /** The step on each GPU that has steps, by device index order. */
  steps: Step[];
}

export interface ReplicaSteps {
  /** False when the GPUs' steps do not pair up (different counts, phases, or no common time). */
  lined: boolean;
  /** Steady replica steps, in time order; empty when not lined up. */
  steady: ReplicaStep[];
  /** Why the steps do not pair up, for the report. */
  note: string | null;
}

function lineUp(a: Reads<'stepSet' | 'steady'>): ReplicaSteps {
  const lists = a.stepSet.byDevice.filter((l) => l.length > 0);
  if (lists.length === 0) return { lined: true, steady: [], note: null };
  const counts = lists.map((l) => l.length);
  if (new Set(counts).size > 1) {
    return { lined: false, steady: [], note: `the GPUs have different step counts (${counts.join('/')}), so steps cannot be paired across GPUs` };
  }
  const out: ReplicaStep[] = [];
  for (let k = 0; k < counts[0]!; k++) {
    const steps = lists.map((l) => l[k]!);
    const first = steps[0]!;
    const start = Math.min(...steps.map((s) => s.start));
    const end = Math.max(...steps.map((s) => s.end));
    const common = Math.min(...steps.map((s) => s.end)) > Math.max(...steps.map((s) => s.start));
    if (steps.some((s) => s.phase !== first.phase) || !common) {
      return { lined: false, steady: [], note: `step ${k + 1} differs across GPUs (phase or time), so steps cannot be paired across GPUs` };
    }
    if (steps.every((s) => a.steady[s.index] === 1)) out.push({ ordinal: k, name: first.name, phase: first.phase, start, end, steps });
  }
  return { lined: true, steady: out, note: null };
}

export const replicaSteps = artifact(['stepSet', 'steady'], lineUp);

/**
 * The step times of a phase: the steady replica steps' spans; when the GPUs' steps do not pair up, every
 * GPU's steady steps pooled (each GPU's span is then a sample of the same step time).
 */
export function phaseStepTimes(a: Reads<'replicaSteps' | 'model' | 'stepSet'>, phase: Phase): number[] {
  const r = a.replicaSteps;
  if (r.lined) return r.steady.filter((s) => s.phase === phase).map((s) => s.end - s.start);
  return a.model.devices.flatMap((d) => steadyStepsOf(a.stepSet, d.index, phase).map((s) => s.end - s.start));
}
