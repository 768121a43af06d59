/**
 * Collectives aggregated per op, phase and message size (the size class): transfer vs waiting, skew, last
 * arrivers, and bandwidth judged on transfer time only, against what the fabric should give.
 */
import type { CommOp } from '../classify/kernelClasses.js';
import { gpuSpecFor, type GpuSpec } from '../hardware/gpuSpecs.js';
import type { TraceModel } from '../model/types.js';
import type { Phase } from '../contract/vocabulary.js';
import { median, percentile } from '../util/stats.js';
import { busFactor, expectedBusGBps, gbps, LATENCY_BOUND_BYTES } from './busBandwidth.js';
import { kernelNs, type Collectives } from './instances.js';
import { SIZE_MODEL, SIZE_PAYLOAD, type MessageSizes } from './messageSize.js';

export type CollectivePhase = Phase | 'outside';

export interface SizeClass {
  op: CommOp;
  phase: CollectivePhase;
  /** Message size S (bytes, nccl-tests convention); null when unknown. */
  bytes: number | null;
  bytesSource: 'payload' | 'model' | null;
  kernel: string;
  ranks: number;
  count: number;
  /** Instance indices of the class. */
  instances: number[];
  transferMedianNs: number;
  transferP10Ns: number;
  transferP90Ns: number;
  transferTotalNs: number;
  kernelTotalNs: number;
  waitTotalNs: number;
  skewMedianNs: number;
  skewP90Ns: number;
  /** Device index → instances where it arrived last. */
  lastArriver: Map<number, number>;
  algGBps: number | null;
  busGBps: number | null;
  expectedBusGBps: number | null;
  /** Small enough that time per collective, not bandwidth, is the measure. */
  latencyBound: boolean;
}

export interface DeviceCollectiveStats {
  device: number;
  kernelNs: number;
  waitNs: number;
  lastArrivals: number;
  instances: number;
}

export interface CollectiveSummary {
  count: number;
  transferNs: number;
  waitNs: number;
  kernelNs: number;
  lastArriver: Map<number, number>;
  devices: DeviceCollectiveStats[];
  classes: SizeClass[];
  gpu: GpuSpec | null;
}

export function summariseCollectives(
  model: TraceModel, c: Collectives, sizes: MessageSizes, phaseOf: (i: number) => CollectivePhase, gpuOverride?: GpuSpec | null,
): CollectiveSummary {
  const gpu = gpuOverride ?? gpuSpecFor(model.devices[0]?.gpu?.name) ?? null;
  const groups = new Map<string, number[]>();
  for (let i = 0; i < c.n; i++) {
    const b = sizes.bytes[i]!;
    const key = `${c.kinds[c.kind[i]!]!.op}|${phaseOf(i)}|${Number.isNaN(b) ? '?' : b}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(i);
  }
  const devices: DeviceCollectiveStats[] = model.devices.map((d) => ({ device: d.index, kernelNs: 0, waitNs: 0, lastArrivals: 0, instances: 0 }));
  const classes: SizeClass[] = [];
  let transferNs = 0;
  let waitNs = 0;
  let kernelTotal = 0;
  const lastArriver = new Map<number, number>();
  for (const list of groups.values()) {
    const i0 = list[0]!;
    const kind = c.kinds[c.kind[i0]!]!;
    const b = sizes.bytes[i0]!;
    const transfers = list.map((i) => c.transferNs[i]!);
    const skews = list.map((i) => c.skewNs[i]!);
    const la = new Map<number, number>();
    let kTotal = 0;
    let wTotal = 0;
    for (const i of list) {
      for (const d of kind.devices) {
        const k = kernelNs(model, c, i, d);
        if (c.ops[i * c.nDevices + d]! < 0) continue;
        kTotal += k;
        wTotal += k - c.transferNs[i]!;
        devices[d]!.kernelNs += k;
        devices[d]!.waitNs += k - c.transferNs[i]!;
        devices[d]!.instances++;
      }
      const last = c.lastArriver[i]!;
      la.set(last, (la.get(last) ?? 0) + 1);
      lastArriver.set(last, (lastArriver.get(last) ?? 0) + 1);
      devices[last]!.lastArrivals++;
    }
    const tMed = median(transfers);
    const bytes = Number.isNaN(b) ? null : b;
    const alg = bytes === null ? null : gbps(bytes, tMed);
    const src = sizes.source[i0]!;
    classes.push({
      op: kind.op, phase: phaseOf(i0), bytes, bytesSource: src === SIZE_PAYLOAD ? 'payload' : src === SIZE_MODEL ? 'model' : null,
      kernel: kind.kernel, ranks: kind.devices.length, count: list.length, instances: list,
      transferMedianNs: tMed, transferP10Ns: percentile(transfers, 0.1), transferP90Ns: percentile(transfers, 0.9),
      transferTotalNs: transfers.reduce((a, x) => a + x, 0), kernelTotalNs: kTotal, waitTotalNs: wTotal,
      skewMedianNs: median(skews), skewP90Ns: percentile(skews, 0.9), lastArriver: la,
      algGBps: alg, busGBps: alg === null ? null : alg * busFactor(kind.op, kind.devices.length),
      expectedBusGBps: bytes !== null && gpu && bytes >= LATENCY_BOUND_BYTES ? expectedBusGBps(gpu, bytes) : null,
      latencyBound: bytes !== null && bytes < LATENCY_BOUND_BYTES,
    });
    transferNs += transfers.reduce((a, x) => a + x, 0);
    waitNs += wTotal;
    kernelTotal += kTotal;
  }
  const phaseOrder: Record<string, number> = { prefill: 0, decode: 1, step: 2, outside: 3 };
  classes.sort((a, b) => phaseOrder[a.phase]! - phaseOrder[b.phase]! || b.transferTotalNs - a.transferTotalNs);
  return { count: c.n, transferNs, waitNs, kernelNs: kernelTotal, lastArriver, devices, classes, gpu };
}
