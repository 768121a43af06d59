/** Each device's ops in start order, and each op's position there: "what ran before this kernel". */
import type { TraceModel } from './types.js';

export interface DeviceTimeline {
  /** Op indices per device index, sorted by start (and by index: ops are in start order). */
  ops: Uint32Array[];
  /** Position of op `o` in its device's list. */
  positionOf(o: number): number;
}

export function deviceTimeline(model: TraceModel): DeviceTimeline {
  const { ops } = model;
  const counts = new Int32Array(model.devices.length);
  for (let i = 0; i < ops.n; i++) counts[ops.device[i]!]!++;
  const lists = Array.from(counts, (c) => new Uint32Array(c));
  const fill = new Int32Array(model.devices.length);
  for (let i = 0; i < ops.n; i++) {
    const d = ops.device[i]!;
    lists[d]![fill[d]!++] = i;
  }
  // A list holds its device's op indices in increasing order, so a position is a binary search: no
  // array of a position per op (4 bytes an op of a production trace) for the few ops asked about.
  const positionOf = (o: number): number => {
    const list = lists[ops.device[o]!]!;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]! < o) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return { ops: lists, positionOf };
}
