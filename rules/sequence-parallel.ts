/**
 * sequence-parallel (info): reduce-scatter + all-gather pairs replace the all-reduces.
 */
import { typicalCollectiveAt } from '../analyzer/timeline/locations.js';
import { PHASES } from '../analyzer/contract/vocabulary.js';
import { text } from './messageFormat.js';
import { defineTraceRule } from './types.js';

interface Data {
  reduceScatters: number;
  allGathers: number;
  allReduces: number;
  medianTransferPerPhase: { phase: string; reduceScatterNs: number; allGatherNs: number }[];
}

export const rule = defineTraceRule({
  meta: {
    id: 'sequence-parallel',
    severity: 'info',
    title: 'Sequence parallelism: reduce-scatter + all-gather instead of all-reduce',
    description: 'Inside steps, reduce-scatters and all-gathers come in equal numbers and outnumber all-reduces.',
    options: { pairTolerance: { type: 'ratio', default: 0.1, description: 'how far the reduce-scatter and all-gather counts may differ and still pair up' } },
    deps: ['steps', 'collectives', 'collectiveSummary', 'model'],
    messages: {
      pairs:
        'Steps use sequence parallelism: {reduceScatters} reduce-scatters and {allGathers} all-gathers replace the all-reduces ({allReduces} left): twice the ' +
        'collectives, each moving half of an all-reduce\'s traffic. Median transfer per pair: ' +
        '{medianTransferPerPhase, comma, {phase} {reduceScatterNs, ns} + {allGatherNs, ns}}.',
      fix:
        'Expected with sequence parallelism. It pays off when the norm/dropout work between the pair shrinks by 1/TP; for small decode ' +
        'batches twice the number of latency-bound collectives usually costs more than it saves.',
      typical: 'a typical {phase} reduce-scatter',
    },
  },
  check(a, o) {
    const s = a.collectiveSummary;
    const inSteps = s.classes.filter((k) => k.phase !== 'outside');
    const count = (op: string) => inSteps.filter((k) => k.op === op).reduce((x, k) => x + k.count, 0);
    const rs = count('reduce-scatter');
    const ag = count('all-gather');
    const ar = count('all-reduce');
    if (rs === 0 || ag === 0 || Math.abs(rs - ag) > o.pairTolerance * Math.max(rs, ag) || ar >= rs) return [];
    const perPhase = PHASES.flatMap((phase) => {
      const med = (op: string) => inSteps.find((k) => k.op === op && k.phase === phase)?.transferMedianNs;
      const r = med('reduce-scatter');
      const g = med('all-gather');
      return r !== undefined && g !== undefined ? [{ phase, reduceScatterNs: r, allGatherNs: g }] : [];
    });
    const data = { reduceScatters: rs, allGathers: ag, allReduces: ar, medianTransferPerPhase: perPhase } satisfies Data;
    const rsClass = inSteps.find((k) => k.op === 'reduce-scatter');
    const locations = rsClass ? typicalCollectiveAt(a, rsClass.instances, text('typical', { phase: rsClass.phase })) : [];
    return [{ messageId: 'pairs' as const, fixId: 'fix' as const, data, evidence: data, locations }];
  },
});
