/**
 * sequence-parallel (info): reduce-scatter + all-gather pairs replace the all-reduces.
 */
import type { Analysis } from '../analyzer/analysis.js';
import { fmtNs } from '../analyzer/report/format.js';
import type { Finding, Rule } from './types.js';

export const rule: Rule = {
  meta: {
    id: 'sequence-parallel',
    severity: 'info',
    title: 'Sequence parallelism: reduce-scatter + all-gather instead of all-reduce',
    description: 'Inside steps, reduce-scatters and all-gathers come in equal numbers and outnumber all-reduces.',
    defaults: { pairTolerance: 0.1 },
    requires: ['collectives', 'steps'],
  },
  check(a: Analysis, o) {
    const s = a.collectiveSummary;
    const inSteps = s.classes.filter((k) => k.phase !== 'none');
    const count = (op: string) => inSteps.filter((k) => k.op === op).reduce((x, k) => x + k.count, 0);
    const rs = count('reduce-scatter');
    const ag = count('all-gather');
    const ar = count('all-reduce');
    if (rs === 0 || ag === 0 || Math.abs(rs - ag) > (o.pairTolerance as number) * Math.max(rs, ag) || ar >= rs) return [];
    const perPhase = (['prefill', 'mixed', 'decode', 'step'] as const).flatMap((phase) => {
      const med = (op: string) => inSteps.find((k) => k.op === op && k.phase === phase)?.transferMedianNs;
      const r = med('reduce-scatter');
      const g = med('all-gather');
      return r !== undefined && g !== undefined ? [{ phase, reduceScatterNs: r, allGatherNs: g }] : [];
    });
    return [{
      rule: 'sequence-parallel',
      severity: 'info',
      message:
        `Steps use sequence parallelism: ${rs} reduce-scatters and ${ag} all-gathers replace the all-reduces (${ar} left): twice the ` +
        `collectives, each moving half of an all-reduce's traffic. Median transfer per pair: ` +
        perPhase.map((p) => `${p.phase} ${fmtNs(p.reduceScatterNs)} + ${fmtNs(p.allGatherNs)}`).join(', ') + '.',
      evidence: { reduceScatters: rs, allGathers: ag, allReduces: ar, medianTransferPerPhase: perPhase },
      recommendation:
        'Expected with sequence parallelism. It pays off when the norm/dropout work between the pair shrinks by 1/TP; for small decode ' +
        'batches twice the number of latency-bound collectives usually costs more than it saves.',
    } satisfies Finding];
  },
};
