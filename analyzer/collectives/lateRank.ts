/**
 * Which rank is late in a phase: one judgement, made here, that every place naming a late rank reads
 * (straggler-rank, collective-wait, the collectives table, the steps' "last in" column). Two kinds of
 * evidence: arrival counts (who is last at the collectives) and the work itself (a rank whose compute per
 * step is several times the others' is the cause an engineer looks for first, even when jitter spreads the
 * last arrivals over the ranks). Ties in arrival counts are kept, never settled by device order.
 */
import { artifact, perKey } from '../artifact.js';
import { phaseOf, type PhaseSummary } from '../breakdown/phaseSummary.js';
import { KERNEL_CLASSES, type Phase } from '../contract/vocabulary.js';
import { median } from '../util/stats.js';
import { tiedTop } from '../util/tiedTop.js';

export { tiedTop };

/** A rank's compute per step at least this many times the other ranks' median is heavy. */
export const HEAVY_WORK_FACTOR = 2;
/** ... and the extra compute at least this share of the step (a few µs of extra work delay nobody). */
export const HEAVY_MIN_SHARE_OF_STEP = 0.05;

export interface RankWork {
  device: number;
  /** Non-communication kernel time per steady step (ns): the work the rank does between collectives. */
  computeNs: number;
}

export interface PhaseLateRank {
  phase: Phase;
  instances: number;
  /** Ranks tied at the most last arrivals, with that count. */
  mostOftenLast: { devices: number[]; count: number } | null;
  work: RankWork[];
  /** A rank whose compute per step is several times the others' (median), by a material part of the step. */
  heavy: { device: number; computeNs: number; othersNs: number } | null;
  /**
   * The late rank the report names: the heavy rank when it is also last more often than its fair share,
   * else the one rank most often last; null when that is a tie (then `mostOftenLast` says who tied).
   */
  named: number | null;
}

function workOf(phases: readonly PhaseSummary[], phase: Phase, devices: number[]): RankWork[] {
  return devices.flatMap((d) => {
    const p = phaseOf(phases, d, phase);
    if (!p || p.steadyCount === 0) return [];
    let compute = 0;
    for (const k of KERNEL_CLASSES) if (k !== 'communication') compute += p.timeNs[k] ?? 0;
    return [{ device: d, computeNs: compute / p.steadyCount }];
  });
}

/** The late-rank judgement of a phase; null without collectives on two ranks or more. */
export const phaseLateRank = artifact(['phaseCollectives', 'phases'], (a) => perKey((phase: Phase): PhaseLateRank | null => {
  const pc = a.phaseCollectives(phase);
  if (!pc || pc.ranks < 2) return null;
  const top = tiedTop(pc.devices.map((d) => [d.device, d.lastArrivals] as const));
  const work = workOf(a.phases, phase, pc.devices.map((d) => d.device));
  let heavy: PhaseLateRank['heavy'] = null;
  for (const w of work) {
    const others = median(work.filter((x) => x.device !== w.device).map((x) => x.computeNs));
    if (w.computeNs >= HEAVY_WORK_FACTOR * others && w.computeNs - others >= HEAVY_MIN_SHARE_OF_STEP * pc.stepSpanNs) {
      if (!heavy || w.computeNs > heavy.computeNs) heavy = { device: w.device, computeNs: w.computeNs, othersNs: others };
    }
  }
  // The heavy rank is the late one only where it is in fact late more often than its fair share.
  const fair = pc.instances.length / pc.ranks;
  const heavyLate = heavy !== null && (pc.devices.find((d) => d.device === heavy!.device)?.lastArrivals ?? 0) > fair;
  const named = heavyLate ? heavy!.device : top && top.keys.length === 1 ? top.keys[0]! : null;
  return { phase, instances: pc.instances.length, mostOftenLast: top && { devices: top.keys, count: top.count }, work, heavy: heavyLate ? heavy : null, named };
}));
