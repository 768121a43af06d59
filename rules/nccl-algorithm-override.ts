/**
 * nccl-algorithm-override: the kernels show an algorithm NCCL would not pick on this topology, or the
 * recorded environment forces one.
 */
import type { Analysis } from '../analyzer/analysis.js';
import type { Finding, Rule } from './types.js';
import { ncclEnvironment } from './low-bus-bandwidth.js';

const VARS = ['NCCL_ALGO', 'NCCL_PROTO'];

export const rule: Rule = {
  meta: {
    id: 'nccl-algorithm-override',
    severity: 'warning',
    title: 'NCCL algorithm or protocol forced',
    description:
      'Tree all-reduce kernels on a single NVLink node (NCCL picks ring or NVLS there; a kernel name shows TREE only when tree ran), ' +
      'or NCCL_ALGO / NCCL_PROTO set in the profiled environment.',
    defaults: {},
    requires: ['collectives'],
  },
  check(a: Analysis) {
    const env = ncclEnvironment(a, VARS);
    const treeNames = [...new Set(a.model.opNames.filter((n) => /^nccl\w*Kernel_\w*_TREE(_|$)/.test(n.short)).map((n) => n.short))];
    if (treeNames.length === 0 && Object.keys(env).length === 0) return [];
    const singleNode = new Set(a.model.files.map((f) => f.meta.hostname ?? f.path)).size === 1;
    const envText = Object.entries(env).map(([k, v]) => `${k}=${v}`).join(', ');
    const message = treeNames.length
      ? `Collectives run the Tree algorithm (${treeNames.join(', ')}) on ${singleNode ? 'a single node, where NCCL chooses ring (or NVLS) for all-reduce' : 'this topology'}` +
        (envText ? `; the profiled environment sets ${envText}.` : '; no NCCL_ALGO was recorded: check the NCCL config file (~/.nccl.conf, /etc/nccl.conf) or tuner plugin.')
      : `The profiled environment sets ${envText}: NCCL's own choice of algorithm/protocol is overridden for every collective size.`;
    return [{
      rule: 'nccl-algorithm-override',
      severity: 'warning',
      message,
      evidence: { environment: env, treeKernels: treeNames, singleNode },
      recommendation:
        `Unset ${Object.keys(env).join(' / ') || 'the override'} unless a benchmark on this exact topology showed it faster; let NCCL's tuner pick per size. ` +
        'Confirm with nccl-tests (all_reduce_perf -b 8 -e 256M) with and without it.',
    } satisfies Finding];
  },
};
