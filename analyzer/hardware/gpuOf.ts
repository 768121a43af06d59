/** The datasheet a device is judged against: the user's --gpu, else the GPU the trace names, else none. */
import type { Analysis } from '../analysis.js';
import { gpuSpecFor, type GpuSpec } from './gpuSpecs.js';

export function gpuOf(a: Analysis, device: number): GpuSpec | null {
  return a.options.gpu ?? gpuSpecFor(a.model.devices[device]?.gpu?.name);
}
