/**
 * Collectives of one phase (prefill / decode) as the rules read them: how much of the ranks' kernel time
 * is waiting, who arrives last and by how much, all per step so they compare with the step span.
 */
import { artifact, perKey } from '../artifact.js';
import { phaseOf } from '../breakdown/phaseSummary.js';
import type { Reads } from '../data.js';
import type { Phase } from '../contract/vocabulary.js';
import { median } from '../util/stats.js';
import { kernelNs } from './instances.js';

export interface DeviceLateness {
  device: number;
  lastArrivals: number;
  /** Sum of the arrival skew of the instances this device arrived last to. */
  skewWhenLastNs: number;
  kernelNs: number;
  waitNs: number;
}

export interface PhaseCollectives {
  phase: Phase;
  instances: number[];
  ranks: number;
  /** Steady steps of the phase per rank (mean over ranks). */
  steps: number;
  /** The phase's mean steady step span, averaged over ranks: "the step" per-step numbers compare with. */
  stepSpanNs: number;
  kernelNs: number;
  waitNs: number;
  transferNs: number;
  devices: DeviceLateness[];
  medianSkewNs: number;
}

/** Per phase, computed once; null when no collective instance belongs to the phase's steady steps. */
export const phaseCollectives = artifact(['collectives', 'collectivePhase', 'model', 'phases'], (a) => perKey((phase: Phase) => ofPhase(a, phase)));

function ofPhase(a: Reads<'collectives' | 'collectivePhase' | 'model' | 'phases'>, phase: Phase): PhaseCollectives | null {
  const c = a.collectives;
  const instances: number[] = [];
  for (let i = 0; i < c.n; i++) if (a.collectivePhase(i) === phase) instances.push(i);
  if (instances.length === 0) return null;
  const devices: DeviceLateness[] = a.model.devices.map((d) => ({ device: d.index, lastArrivals: 0, skewWhenLastNs: 0, kernelNs: 0, waitNs: 0 }));
  let kernel = 0;
  let wait = 0;
  let transfer = 0;
  const ranks = new Set<number>();
  for (const i of instances) {
    transfer += c.transferNs[i]!;
    for (let d = 0; d < c.nDevices; d++) {
      if (c.ops[i * c.nDevices + d]! < 0) continue;
      ranks.add(d);
      const k = kernelNs(a.model, c, i, d);
      devices[d]!.kernelNs += k;
      devices[d]!.waitNs += k - c.transferNs[i]!;
      kernel += k;
      wait += k - c.transferNs[i]!;
    }
    const last = devices[c.lastArriver[i]!]!;
    last.lastArrivals++;
    last.skewWhenLastNs += c.skewNs[i]!;
  }
  const sums = [...ranks].map((d) => phaseOf(a.phases, d, phase)).filter((p) => p !== undefined && p.steadyCount > 0);
  const mean = (f: (p: (typeof sums)[number]) => number) => (sums.length ? sums.reduce((x, p) => x + f(p), 0) / sums.length : 0);
  return {
    phase, instances, ranks: ranks.size,
    steps: mean((p) => p!.steadyCount),
    stepSpanNs: mean((p) => p!.totalSpanNs / p!.steadyCount),
    kernelNs: kernel, waitNs: wait, transferNs: transfer,
    devices: devices.filter((d) => ranks.has(d.device)),
    medianSkewNs: median(instances.map((i) => c.skewNs[i]!)),
  };
}
