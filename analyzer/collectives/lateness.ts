/**
 * Why a rank is late to a collective: in the stretch since its previous collective, did it have more GPU
 * work than the other ranks, or did its GPU sit idle (and what was its host doing then)?
 */
import { COMM, type OpClasses } from '../classify/opClasses.js';
import type { DeviceTimeline } from '../model/deviceTimeline.js';
import type { TraceModel } from '../model/types.js';
import { hostActivity, hostCallsDuring, type HostActivity, type HostCallIndex } from '../host/hostActivity.js';
import { UnionMeter } from '../util/intervals.js';
import { median } from '../util/stats.js';
import type { Collectives } from './instances.js';

export interface Segment {
  device: number;
  /** From the end of the device's previous collective to the start of this one. */
  start: number;
  end: number;
  busyNs: number;
  idleNs: number;
  /** Largest idle gap and the op after it. */
  gapStart: number;
  gapEnd: number;
  opAfterGap: number;
  /** Kernel launches per name in the stretch: what one rank runs that the others do not. */
  names: Map<number, number>;
  /** Summed kernel time per name in the stretch. */
  nameNs: Map<number, number>;
}

/** The stretch before op `o` on its device, back to the previous communication op. */
export function segmentBefore(model: TraceModel, classes: OpClasses, tl: DeviceTimeline, o: number): Segment {
  const d = model.ops.device[o]!;
  const list = tl.ops[d]!;
  const at = tl.positionOf(o);
  let k = at - 1;
  while (k >= 0 && classes.opClass[list[k]!] !== COMM) k--;
  const start = k >= 0 ? model.ops.end[list[k]!]! : model.ops.start[list[0]!]!;
  const end = model.ops.start[o]!;
  const meter = new UnionMeter();
  let gapStart = start;
  let gapEnd = start;
  let opAfterGap = o;
  let busyEnd = start;
  const names = new Map<number, number>();
  const nameNs = new Map<number, number>();
  for (let j = k + 1; j <= at; j++) {
    const i = list[j]!;
    if (j < at) {
      const n = model.ops.name[i]!;
      names.set(n, (names.get(n) ?? 0) + 1);
      nameNs.set(n, (nameNs.get(n) ?? 0) + model.ops.end[i]! - model.ops.start[i]!);
    }
    const s = Math.max(model.ops.start[i]!, start);
    if (s - busyEnd > gapEnd - gapStart) {
      gapStart = busyEnd;
      gapEnd = s;
      opAfterGap = i;
    }
    if (j < at) {
      meter.add(s, Math.min(model.ops.end[i]!, end));
      busyEnd = Math.max(busyEnd, model.ops.end[i]!);
    }
  }
  const busyNs = meter.finish();
  return { device: d, start, end, busyNs, idleNs: Math.max(0, end - start - busyNs), gapStart, gapEnd, opAfterGap, names, nameNs };
}

export interface LateArrival {
  instance: number;
  device: number;
  skewNs: number;
  /** Idle time beyond the other ranks' median in the same stretch. */
  extraIdleNs: number;
  /** GPU work beyond the other ranks' median in the same stretch. */
  extraBusyNs: number;
  gapNs: number;
  gapStart: number;
  /** Launch of the op after the gap relative to the gap's start (> 0: the host launched it late). */
  launchDelayNs: number;
  /** What the host did during the gap. */
  host: HostActivity;
  hostCalls: string[];
  /** Kernels the late rank ran more often than the other ranks in the stretch, with their time. */
  extraKernels: { name: string; count: number; ns: number }[];
}

export function explainLateArrival(
  model: TraceModel, classes: OpClasses, tl: DeviceTimeline, hosts: HostCallIndex, c: Collectives, i: number,
): LateArrival {
  const last = c.lastArriver[i]!;
  const segs: Segment[] = [];
  for (let d = 0; d < c.nDevices; d++) {
    const o = c.ops[i * c.nDevices + d]!;
    if (o >= 0) segs.push(segmentBefore(model, classes, tl, o));
  }
  const mine = segs.find((s) => s.device === last)!;
  const others = segs.filter((s) => s.device !== last);
  const gapNs = mine.gapEnd - mine.gapStart;
  const after = mine.opAfterGap;
  const thread = model.ops.thread[after]!;
  const calls = thread >= 0 ? hostCallsDuring(model, hosts, thread, mine.gapStart, mine.gapEnd) : [];
  const launch = model.ops.launchStart[after]!;
  return {
    instance: i, device: last, skewNs: c.skewNs[i]!,
    extraIdleNs: mine.idleNs - median(others.map((s) => s.idleNs)),
    extraBusyNs: mine.busyNs - median(others.map((s) => s.busyNs)),
    gapNs, gapStart: mine.gapStart,
    launchDelayNs: Number.isNaN(launch) ? NaN : launch - mine.gapStart,
    host: hostActivity(calls, gapNs),
    hostCalls: calls.slice(0, 5).map((x) => x.name),
    extraKernels: [...mine.names]
      .map(([n, count]) => ({ n, extra: count - median(others.map((s) => s.names.get(n) ?? 0)), count }))
      .filter((x) => x.extra > 0)
      .map((x) => ({ name: model.opNames[x.n]!.short, count: x.extra, ns: ((mine.nameNs.get(x.n) ?? 0) * x.extra) / x.count }))
      .sort((a, b) => b.ns - a.ns)
      .slice(0, 3),
  };
}
