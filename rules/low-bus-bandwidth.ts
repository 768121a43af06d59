/**
 * low-bus-bandwidth: large collectives move data far slower than the fabric allows (judged on transfer
 * time, so waiting for a late rank never counts against bandwidth).
 */
import type { Analysis } from '../analyzer/analysis.js';
import { fmtBytes, fmtNs } from '../analyzer/report/format.js';
import type { Finding, Rule } from './types.js';

/** NCCL settings that steer traffic off NVLink peer-to-peer (NCCL environment variable docs), with the
 *  values that do so: NCCL_P2P_DISABLE=1, any NCCL_P2P_LEVEL (it caps the peer-to-peer distance),
 *  NCCL_SHM_DISABLE=1 together with P2P off, a forced NCCL_ALGO / NCCL_PROTO. */
const PATH_VARS: Record<string, (v: string) => boolean> = {
  NCCL_P2P_DISABLE: (v) => v !== '0',
  NCCL_P2P_LEVEL: () => true,
  NCCL_SHM_DISABLE: (v) => v !== '0',
  NCCL_ALGO: () => true,
  NCCL_PROTO: () => true,
};

export function ncclEnvironment(a: Analysis, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of a.model.files) for (const n of names) {
    const v = f.meta.environment.get(n);
    if (v !== undefined && !(n in out)) out[n] = v;
  }
  return out;
}

export const rule: Rule = {
  meta: {
    id: 'low-bus-bandwidth',
    severity: 'error',
    title: 'Large collectives far below the fabric\'s bus bandwidth',
    description: 'Collectives of at least minBytes reach less than a fraction of the busBW the GPU\'s NVLink fabric gives (DESIGN 4), measured on transfer time.',
    defaults: { fraction: 0.3, minBytes: 8 * 2 ** 20 },
    requires: ['collectives', 'messageSizes'],
  },
  check(a: Analysis, o) {
    const out: Finding[] = [];
    const s = a.collectiveSummary;
    const env = Object.fromEntries(Object.entries(ncclEnvironment(a, Object.keys(PATH_VARS))).filter(([k, v]) => PATH_VARS[k]!(v)));
    for (const k of s.classes) {
      if (k.bytes === null || k.bytes < (o.minBytes as number) || k.busGBps === null || k.expectedBusGBps === null) continue;
      const ratio = k.busGBps / k.expectedBusGBps;
      if (ratio >= (o.fraction as number)) continue;
      const healthyNs = (k.transferMedianNs * k.busGBps) / k.expectedBusGBps;
      const perCall = k.transferMedianNs - healthyNs;
      const envText = Object.keys(env).length ? ` The recorded environment sets ${Object.entries(env).map(([n, v]) => `${n}=${v}`).join(', ')}.` : '';
      out.push({
        rule: 'low-bus-bandwidth',
        severity: 'error',
        message:
          `${k.count} ${k.phase} ${k.op}s of ${fmtBytes(k.bytes)} take ${fmtNs(k.transferMedianNs)} of transfer each: busBW ${k.busGBps.toFixed(0)} GB/s, ` +
          `${(ratio * 100).toFixed(0)}% of the ${k.expectedBusGBps.toFixed(0)} GB/s ${s.gpu?.name ?? 'GPU'} NVLink gives at this size (${k.ranks} ranks).${envText}`,
        evidence: {
          op: k.op, phase: k.phase, bytes: k.bytes, bytesSource: k.bytesSource, count: k.count, ranks: k.ranks, kernel: k.kernel,
          transferMedianNs: k.transferMedianNs, algGBps: k.algGBps, busGBps: k.busGBps, expectedBusGBps: k.expectedBusGBps, environment: env,
        },
        recommendation:
          'Traffic is not taking the NVLink peer-to-peer path (PCIe or host memory instead). Check the topology (`nvidia-smi topo -m`), that ' +
          'NCCL_P2P_DISABLE / NCCL_P2P_LEVEL / NCCL_SHM_DISABLE are not set, that the container sees all GPUs with IPC allowed ' +
          '(--ipc=host), and re-run nccl-tests all_reduce_perf on the same GPUs to confirm.',
        impactNs: perCall * k.count,
      });
    }
    return out;
  },
};
