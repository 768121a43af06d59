/**
 * Collective instances (docs/architecture.md §3): the k-th collective of one kind (op + stream order) on each rank,
 * matched by order, never by time. Per instance: transfer = the shortest rank's kernel (the last arriver
 * barely waits), wait per rank = its kernel time minus transfer, arrival skew = latest start − earliest
 * start, last arriver = the rank that started last.
 */
import type { CommOp } from '../classify/kernelClasses.js';
import { COMM, type OpClasses } from '../classify/opClasses.js';
import type { TraceModel } from '../model/types.js';
import { median } from '../util/stats.js';

export interface CollectiveKind {
  /** `all-reduce#0`: op and the stream's order among the device's communication streams. */
  key: string;
  op: CommOp;
  /** Kernel short name of the first instance (`ncclDevKernel_AllReduce_Sum_bf16_RING_LL`). */
  kernel: string;
  /** Devices taking part, by index. */
  devices: number[];
  /** Per participating device, how many of its collectives of this kind were dropped to align ranks. */
  unmatched: number;
}

/** Columnar: instance i's op on device d is ops[i * nDevices + d] (-1 when the device has none). */
export interface Collectives {
  n: number;
  nDevices: number;
  kinds: CollectiveKind[];
  kind: Int32Array;
  ordinal: Int32Array;
  ops: Int32Array;
  transferNs: Float64Array;
  skewNs: Float64Array;
  /** Device index of the rank that started last. */
  lastArriver: Int32Array;
  /** Earliest start among the ranks. */
  start: Float64Array;
  warnings: string[];
}

/** How far (in instances) the ranks' sequences may be shifted to line up when their counts differ. */
const MAX_SHIFT = 3;

function streamOrdinals(model: TraceModel, commOps: number[]): Map<number, number> {
  const order = new Map<number, number>();
  for (const i of commOps) {
    const s = model.ops.stream[i]!;
    if (!order.has(s)) order.set(s, order.size);
  }
  return order;
}

/**
 * When ranks recorded different numbers of a kind (a capture that started or stopped mid-collective),
 * the shift of each rank's sequence against the reference whose collectives end together: ranks leave a
 * collective within microseconds of each other, whatever time they entered it.
 */
function alignShift(model: TraceModel, ref: number[], seq: number[]): number {
  let best = 0;
  let bestCost = Infinity;
  for (let shift = -MAX_SHIFT; shift <= MAX_SHIFT; shift++) {
    const diffs: number[] = [];
    for (let k = 0; k < ref.length; k++) {
      const j = k + shift;
      if (j < 0 || j >= seq.length) continue;
      diffs.push(Math.abs(model.ops.end[ref[k]!]! - model.ops.end[seq[j]!]!));
    }
    if (diffs.length < Math.min(ref.length, seq.length) / 2) continue;
    const cost = median(diffs);
    if (cost < bestCost) {
      bestCost = cost;
      best = shift;
    }
  }
  return best;
}

export function matchCollectives(model: TraceModel, classes: OpClasses): Collectives {
  const nDev = model.devices.length;
  const { ops } = model;
  const perDevice: number[][] = model.devices.map(() => []);
  for (let i = 0; i < ops.n; i++) if (classes.opClass[i] === COMM) perDevice[ops.device[i]!]!.push(i);

  // Sequences per kind key and device.
  const seqs = new Map<string, { op: CommOp; kernel: string; byDevice: Map<number, number[]> }>();
  perDevice.forEach((list, d) => {
    const streams = streamOrdinals(model, list);
    for (const i of list) {
      const c = classes.byName[ops.name[i]!]!;
      const op = c.op ?? 'unknown';
      const key = `${op}#${streams.get(ops.stream[i]!)}`;
      let s = seqs.get(key);
      if (!s) seqs.set(key, (s = { op, kernel: model.opNames[ops.name[i]!]!.short, byDevice: new Map() }));
      let l = s.byDevice.get(d);
      if (!l) s.byDevice.set(d, (l = []));
      l.push(i);
    }
  });

  const kinds: CollectiveKind[] = [];
  const kindCol: number[] = [];
  const ordinalCol: number[] = [];
  const opsCol: number[] = [];
  const warnings: string[] = [];
  for (const [key, s] of seqs) {
    const devices = [...s.byDevice.keys()].sort((a, b) => a - b);
    if (devices.length < 2) continue;
    const lengths = devices.map((d) => s.byDevice.get(d)!.length);
    const refDev = devices[lengths.indexOf(Math.max(...lengths))]!;
    const ref = s.byDevice.get(refDev)!;
    const shifts = new Map<number, number>();
    let unmatched = 0;
    for (const d of devices) {
      const seq = s.byDevice.get(d)!;
      const shift = seq.length === ref.length ? 0 : alignShift(model, ref, seq);
      shifts.set(d, shift);
      unmatched += Math.abs(seq.length - ref.length);
    }
    if (unmatched) {
      warnings.push(`${key}: ranks recorded ${lengths.join('/')} collectives; matched by order after aligning the sequences (${unmatched} left unmatched)`);
    }
    const k = kinds.length;
    kinds.push({ key, op: s.op, kernel: s.kernel, devices, unmatched });
    for (let j = 0; j < ref.length; j++) {
      const row = new Array<number>(nDev).fill(-1);
      let present = 0;
      for (const d of devices) {
        const seq = s.byDevice.get(d)!;
        const at = j + shifts.get(d)!;
        if (at >= 0 && at < seq.length) {
          row[d] = seq[at]!;
          present++;
        }
      }
      if (present < 2) continue;
      kindCol.push(k);
      ordinalCol.push(j);
      opsCol.push(...row);
    }
  }

  const n = kindCol.length;
  const out: Collectives = {
    n, nDevices: nDev, kinds, kind: Int32Array.from(kindCol), ordinal: Int32Array.from(ordinalCol), ops: Int32Array.from(opsCol),
    transferNs: new Float64Array(n), skewNs: new Float64Array(n), lastArriver: new Int32Array(n), start: new Float64Array(n), warnings,
  };
  for (let i = 0; i < n; i++) {
    let minDur = Infinity;
    let first = Infinity;
    let last = -Infinity;
    let lastDev = -1;
    for (let d = 0; d < nDev; d++) {
      const o = out.ops[i * nDev + d]!;
      if (o < 0) continue;
      const s = ops.start[o]!;
      minDur = Math.min(minDur, ops.end[o]! - s);
      if (s < first) first = s;
      if (s > last) {
        last = s;
        lastDev = d;
      }
    }
    out.transferNs[i] = minDur;
    out.skewNs[i] = last - first;
    out.lastArriver[i] = lastDev;
    out.start[i] = first;
  }
  return out;
}

/** Kernel time of device d in instance i (0 when absent). */
export function kernelNs(model: TraceModel, c: Collectives, i: number, d: number): number {
  const o = c.ops[i * c.nDevices + d]!;
  return o < 0 ? 0 : model.ops.end[o]! - model.ops.start[o]!;
}
