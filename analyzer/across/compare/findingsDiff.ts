/**
 * Findings added and resolved between two traces. A finding is the same one in both when its rule, its
 * phase and (for findings about one GPU, such as straggler-rank) its GPU are: a straggler that moved from
 * GPU 0 to GPU 2 is one resolved and one added. A finding that is gone from one trace's findings because
 * another finding there explains it better (a measured slow fabric supersedes serialized communication) is
 * not resolved: it is listed as superseded, with the rule that superseded it.
 */
import type { Severity } from '../../severity.js';
import type { FindingRef as SummaryFinding } from '../../contract/summary.js';
import type { ComparedFinding as FindingRef, FindingsDiff } from '../../contract/comparison.js';

type Superseded = SummaryFinding & { supersededBy: string };

const ref = ({ rule, severity, phase, deviceId, message }: SummaryFinding): FindingRef => ({ rule, severity, phase, deviceId, message });

const key = (r: FindingRef) => `${r.rule}|${r.phase ?? ''}|${r.deviceId ?? ''}`;

/** `phases`: the phases with steps in each trace. */
export function findingsDiff(
  base: readonly SummaryFinding[], next: readonly SummaryFinding[], phases: { base: Set<string>; new: Set<string> },
  superseded: { base: readonly Superseded[]; new: readonly Superseded[] } = { base: [], new: [] },
): FindingsDiff {
  const inBoth = (r: FindingRef) => r.phase === null || (phases.base.has(r.phase) && phases.new.has(r.phase));
  const b = base.map(ref);
  const n = next.map(ref);
  const bk = new Set(b.map(key));
  const nk = new Set(n.map(key));
  const by = (xs: readonly Superseded[]) => new Map(xs.map((x) => [key(ref(x)), x.supersededBy]));
  const sb = by(superseded.base);
  const sn = by(superseded.new);
  return {
    added: n.filter((r) => inBoth(r) && !bk.has(key(r)) && !sb.has(key(r))),
    resolved: b.filter((r) => inBoth(r) && !nk.has(key(r)) && !sn.has(key(r))),
    persisting: n.filter((r) => bk.has(key(r))),
    unpaired: [...b, ...n].filter((r) => !inBoth(r)),
    superseded: [
      ...b.filter((r) => inBoth(r) && !nk.has(key(r)) && sn.has(key(r))).map((r) => ({ ...r, by: sn.get(key(r))!, in: 'new' as const })),
      ...n.filter((r) => inBoth(r) && !bk.has(key(r)) && sb.has(key(r))).map((r) => ({ ...r, by: sb.get(key(r))!, in: 'base' as const })),
    ],
  };
}
