/**
 * Bandwidth with nccl-tests conventions (docs/architecture.md §3; GB = 1e9 bytes): algBW = S / transfer;
 * busBW = algBW × 2(n−1)/n for all-reduce, × (n−1)/n for reduce-scatter / all-gather / all-to-all,
 * × 1 for broadcast, reduce and send/recv. S is the message size: the all-reduce buffer, the all-gather's
 * gathered output, the reduce-scatter's input.
 */
import type { CommOp } from '../classify/kernelClasses.js';
import type { GpuSpec } from '../hardware/gpuSpecs.js';

export function busFactor(op: CommOp, n: number): number {
  if (n < 2) return 1;
  switch (op) {
    case 'all-reduce':
      return (2 * (n - 1)) / n;
    case 'reduce-scatter':
    case 'all-gather':
    case 'all-to-all':
      return (n - 1) / n;
    default:
      return 1;
  }
}

/** GB/s from bytes and ns. */
export function gbps(bytes: number, ns: number): number {
  return ns > 0 ? bytes / ns : NaN;
}

/** Below this a collective is latency-bound on NVLink: judge it by time per collective, not bandwidth. */
export const LATENCY_BOUND_BYTES = 1 << 20;

/**
 * The busBW a healthy NVLink fabric gives a large collective of `bytes` on this GPU: the all-reduce busBW
 * measured on that GPU where docs/architecture.md §4 has it (interpolated in log size, flat outside the measured range),
 * else 70% of one direction of NVLink (nccl-tests on NVSwitch systems reach 70-80% of it).
 */
export function expectedBusGBps(spec: GpuSpec, bytes: number): number {
  const m = spec.measuredAllReduceBusGBps;
  if (m && m.length) {
    const pts = [...m].sort((a, b) => a.bytes - b.bytes);
    if (bytes <= pts[0]!.bytes) return pts[0]!.gbps;
    for (let i = 1; i < pts.length; i++) {
      const a = pts[i - 1]!;
      const b = pts[i]!;
      if (bytes <= b.bytes) {
        const t = (Math.log(bytes) - Math.log(a.bytes)) / (Math.log(b.bytes) - Math.log(a.bytes));
        return a.gbps + t * (b.gbps - a.gbps);
      }
    }
    return pts[pts.length - 1]!.gbps;
  }
  return (spec.nvlinkGBps / 2) * 0.7;
}
