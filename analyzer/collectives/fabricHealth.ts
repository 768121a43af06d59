/**
 * Is the fabric doing its job? One judgement, made here once, that every rule reads. A size class of
 * collectives is slow when its bus bandwidth (on transfer time, so waiting never counts) is below a
 * fraction of what the GPU's NVLink gives at that size. Without message sizes nothing can be measured, but
 * settings recorded in the trace can still say the fabric is misused (NCCL_P2P_DISABLE=1 keeps NCCL off
 * NVLink peer-to-peer): bandwidth-scale collectives of unknown size are then suspect, with the size they
 * would have to move at NVLink speed to take that long. Slow or suspect collectives are a fabric problem
 * (low-bus-bandwidth's), not an overlap or a TP-degree problem: where the fabric is measured slow, the
 * findings of comm-serialized and comm-dominant-step are superseded by low-bus-bandwidth's (kept, not shown),
 * so the three never disagree. A suspicion is only a guess (info): it supersedes nothing, and the other
 * rules cite it.
 */
import { artifact } from '../artifact.js';
import { busFactor, expectedBusGBps } from './busBandwidth.js';
import type { CollectivePhase, CollectiveSummary, SizeClass } from './summary.js';

/** Below this share of the expected busBW a size class is slow: far outside run-to-run noise (docs/architecture.md §4). */
export const SLOW_BUS_FRACTION = 0.3;
/** Smaller collectives are judged by latency, not bandwidth, even above the 1 MiB latency-bound line. */
export const MIN_JUDGED_BYTES = 8 * 2 ** 20;
/** A collective of unknown size whose transfer takes this long moves megabytes at NVLink speed: bandwidth-scale. */
export const BANDWIDTH_SCALE_NS = 100_000;

export interface SuspectClass {
  sizeClass: SizeClass;
  /** Message size (bytes) that would take the measured transfer at the busBW NVLink gives at that size. */
  impliedBytes: number;
  /** That busBW (GB/s). */
  nvlinkBusGBps: number;
}

export interface FabricHealth {
  /** Size classes of at least MIN_JUDGED_BYTES far below the expected busBW, in summary order. */
  slow: SizeClass[];
  /** Size classes of unknown size, bandwidth-scale, in a trace whose settings keep NCCL off NVLink. */
  suspect: SuspectClass[];
  /** Those settings (empty when none are recorded). */
  settings: Record<string, string>;
}

/** The size a transfer implies at NVLink speed: a fixed point, since the expected busBW depends on the size. */
function impliedSize(k: SizeClass, gbpsAt: (bytes: number) => number): { bytes: number; gbps: number } {
  let bytes = MIN_JUDGED_BYTES;
  let gbps = gbpsAt(bytes);
  for (let i = 0; i < 8; i++) {
    bytes = (gbps / busFactor(k.op, k.ranks)) * k.transferMedianNs;
    gbps = gbpsAt(bytes);
  }
  return { bytes, gbps };
}

/** The judgement, and what it says of a phase. */
export interface Fabric {
  health: FabricHealth;
  /**
   * Whether a phase's collectives are measured slow by the fabric (bus bandwidth on known message sizes).
   * Only a measurement supersedes what the other rules measure: a suspicion from the settings alone does not.
   */
  slowIn(phase: CollectivePhase): boolean;
  /** Whether the recorded settings make a phase's collectives of unknown size suspect of a misused fabric. */
  suspectIn(phase: CollectivePhase): boolean;
}

function fabricHealth(s: CollectiveSummary, settings: Record<string, string>): FabricHealth {
  const slow = s.classes.filter(
    (k) => k.bytes !== null && k.bytes >= MIN_JUDGED_BYTES && k.busGBps !== null && k.expectedBusGBps !== null && k.busGBps < SLOW_BUS_FRACTION * k.expectedBusGBps,
  );
  const gpu = s.gpu;
  const suspect = !gpu || Object.keys(settings).length === 0 ? [] : s.classes
    .filter((k) => k.bytes === null && k.phase !== 'outside' && k.transferMedianNs >= BANDWIDTH_SCALE_NS)
    .map((k) => {
      const { bytes, gbps } = impliedSize(k, (b) => expectedBusGBps(gpu, b));
      return { sizeClass: k, impliedBytes: bytes, nvlinkBusGBps: gbps };
    });
  return { slow, suspect, settings };
}

export const fabric = artifact(['collectiveSummary', 'offNvlinkSettings'], (a): Fabric => {
  const health = fabricHealth(a.collectiveSummary, a.offNvlinkSettings);
  return {
    health,
    slowIn: (phase) => health.slow.some((k) => k.phase === phase),
    suspectIn: (phase) => health.suspect.some((x) => x.sizeClass.phase === phase),
  };
});
