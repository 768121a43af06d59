/** The datasheet a device is judged against: the user's --gpu, else the GPU the trace names, else none. */
import type { Reads } from '../data.js';
import { gpuSpecFor, type GpuSpec } from './gpuSpecs.js';

export function gpuOf(a: Reads<'options' | 'model'>, device: number): GpuSpec | null {
  return a.options.gpu ?? gpuSpecFor(a.model.devices[device]?.gpu?.name);
}
