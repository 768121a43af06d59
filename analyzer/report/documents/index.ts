/** The document of each kind of result. */
import type { Result } from '../registry.js';
import type { Doc } from '../document.js';
import { attachDoc } from './attach.js';
import { compareDoc } from './compare.js';
import { diagnoseDoc } from './diagnose.js';
import { layersDoc } from './layers.js';
import { planDoc } from './plan.js';
import { scalingDoc } from './scaling.js';
import { stepsDoc } from './steps.js';
import { kernelsDoc } from './kernels.js';
import { doctorDoc } from './doctor.js';

export function docOf(r: Result): Doc {
  switch (r.kind) {
    case 'diagnose':
      return diagnoseDoc(r);
    case 'layers':
      return layersDoc(r);
    case 'compare':
      return compareDoc(r);
    case 'scaling':
      return scalingDoc(r);
    case 'plan':
      return planDoc(r);
    case 'attach':
      return attachDoc(r);
    case 'steps':
      return stepsDoc(r);
    case 'kernels':
      return kernelsDoc(r);
    case 'doctor':
      return doctorDoc(r);
  }
}
