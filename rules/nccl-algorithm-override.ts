/**
 * nccl-algorithm-override: the kernels show an algorithm NCCL would not pick on this topology, or the
 * recorded environment forces one.
 */
import type { Reads } from '../analyzer/data.js';
import { text } from './messageFormat.js';
import { typicalCollectiveAt } from '../analyzer/timeline/locations.js';

/** A typical collective that ran a Tree kernel, to look at in the timeline. */
function treeCollective(a: Reads<'model' | 'collectives' | 'collectiveSummary'>, kernels: string[]) {
  const k = a.collectiveSummary.classes.find((x) => kernels.includes(x.kernel) && x.phase !== 'outside');
  return k ? typicalCollectiveAt(a, k.instances, text('typical', { phase: k.phase, op: k.op, kernel: k.kernel })) : [];
}
import { defineTraceRule } from './types.js';

interface Data {
  treeKernels: string[];
  singleNode: boolean;
  settings: Record<string, string>;
}

export const rule = defineTraceRule({
  meta: {
    id: 'nccl-algorithm-override',
    severity: 'warning',
    title: 'NCCL algorithm or protocol forced',
    description:
      'Tree all-reduce kernels on a single NVLink node (NCCL picks ring or NVLS there; a kernel name shows TREE only when tree ran), ' +
      'or NCCL_ALGO / NCCL_PROTO set in the profiled environment.',
    options: {},
    deps: ['collectives', 'model', 'collectiveSummary', 'algorithmSettings'],
    messages: {
      tree:
        'Collectives run the Tree algorithm ({treeKernels, comma}) on {singleNode, select, true {a single node, where NCCL chooses ring (or NVLS) for all-reduce} other {this topology}}' +
        '{settings, select, none {; no NCCL_ALGO was recorded: check the NCCL config file (~/.nccl.conf, /etc/nccl.conf) or tuner plugin.} ' +
        'other {; the profiled environment sets {settings, settings}.}}',
      forced:
        'The profiled environment sets {settings, settings}: NCCL\'s own choice of algorithm/protocol is overridden for every collective size.',
      fix:
        'Unset {settings, select, none {the override} other {{settings, settingKeys}}} unless a benchmark on this exact topology showed it faster; let NCCL\'s tuner pick per size. ' +
        'Confirm with nccl-tests (all_reduce_perf -b 8 -e 256M) with and without it.',
      typical: 'a typical {phase} {op} on {kernel}',
    },
  },
  check(a) {
    const env = a.algorithmSettings;
    const treeKernels = [...new Set(a.model.opNames.filter((n) => /^nccl\w*Kernel_\w*_TREE(_|$)/.test(n.short)).map((n) => n.short))];
    if (treeKernels.length === 0 && Object.keys(env).length === 0) return [];
    const singleNode = new Set(a.model.files.map((f) => f.meta.hostname ?? f.path)).size === 1;
    return [{
      messageId: treeKernels.length ? ('tree' as const) : ('forced' as const),
      fixId: 'fix' as const,
      data: { treeKernels, singleNode, settings: env } satisfies Data,
      evidence: { environment: env, treeKernels, singleNode },
      locations: treeCollective(a, treeKernels),
    }];
  },
});
