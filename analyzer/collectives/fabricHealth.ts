/**
 * Is the fabric doing its job? One judgement, made here once, that every rule reads: a size class of
 * collectives is slow when its bus bandwidth (on transfer time, so waiting never counts) is below a
 * fraction of what the GPU's NVLink gives at that size. Slow collectives are a fabric problem
 * (low-bus-bandwidth's), not an overlap or a TP-degree problem, so comm-serialized and comm-dominant-step
 * stay silent where this says slow: the three can never disagree.
 */
import type { Analysis } from '../analysis.js';
import { artifact } from '../artifact.js';
import type { CollectivePhase, SizeClass } from './summary.js';

/** Below this share of the expected busBW a size class is slow: far outside run-to-run noise (DESIGN 4). */
export const SLOW_BUS_FRACTION = 0.3;
/** Smaller collectives are judged by latency, not bandwidth, even above the 1 MiB latency-bound line. */
export const MIN_JUDGED_BYTES = 8 * 2 ** 20;

export interface FabricHealth {
  /** Size classes of at least MIN_JUDGED_BYTES far below the expected busBW, in summary order. */
  slow: SizeClass[];
}

export const fabricHealth = artifact((a: Analysis): FabricHealth => ({
  slow: a.collectiveSummary.classes.filter(
    (k) => k.bytes !== null && k.bytes >= MIN_JUDGED_BYTES && k.busGBps !== null && k.expectedBusGBps !== null && k.busGBps < SLOW_BUS_FRACTION * k.expectedBusGBps,
  ),
}));

/** Whether a phase's collectives are slowed by the fabric. */
export function fabricSlowIn(a: Analysis, phase: CollectivePhase): boolean {
  return fabricHealth(a).slow.some((k) => k.phase === phase);
}
