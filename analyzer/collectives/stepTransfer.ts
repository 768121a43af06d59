/**
 * Communication time per step counted as transfer (the instance's shortest kernel), not kernel time:
 * what communication costs once waiting for late ranks is taken out.
 */
import { artifact } from '../artifact.js';

/** Transfer ns per step index (each step is on one device; each instance counted once per device). */
export const transferPerStep = artifact(['stepSet', 'collectives', 'opStep'], (a): Float64Array => {
  const out = new Float64Array(a.stepSet.steps.length);
  const c = a.collectives;
  const opStep = a.opStep;
  for (let i = 0; i < c.n; i++) {
    for (let d = 0; d < c.nDevices; d++) {
      const o = c.ops[i * c.nDevices + d]!;
      if (o < 0) continue;
      const s = opStep[o]!;
      if (s >= 0) out[s] = out[s]! + c.transferNs[i]!;
    }
  }
  return out;
});
