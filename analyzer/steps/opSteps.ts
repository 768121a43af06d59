/** Which step each op belongs to (-1: none), for analyses that start from an op (a collective kernel). */
import type { StepSet } from './types.js';

export function opStepIndex(nOps: number, steps: StepSet): Int32Array {
  const out = new Int32Array(nOps).fill(-1);
  for (const s of steps.steps) for (const i of s.ops) out[i] = s.index;
  return out;
}
