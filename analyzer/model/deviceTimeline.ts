/** Each device's ops in start order, and each op's position there: "what ran before this kernel". */
import type { TraceModel } from './types.js';

export interface DeviceTimeline {
  /** Op indices per device index, sorted by start. */
  ops: Uint32Array[];
  /** Position of each op in its device's list. */
  position: Int32Array;
}

export function deviceTimeline(model: TraceModel): DeviceTimeline {
  const { ops } = model;
  const counts = new Int32Array(model.devices.length);
  for (let i = 0; i < ops.n; i++) counts[ops.device[i]!]!++;
  const lists = Array.from(counts, (c) => new Uint32Array(c));
  const fill = new Int32Array(model.devices.length);
  const position = new Int32Array(ops.n);
  for (let i = 0; i < ops.n; i++) {
    const d = ops.device[i]!;
    position[i] = fill[d]!;
    lists[d]![fill[d]!++] = i;
  }
  return { ops: lists, position };
}
