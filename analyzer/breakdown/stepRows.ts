/**
 * Every step, one row per step across the GPUs (the k-th step of each GPU, Step.ordinal): its start on
 * the capture's clock, the replica's span (earliest GPU start to latest GPU end), per GPU the step's own
 * span and where its time goes (as stepBreakdown.ts measures it, communication split into transfer and
 * waiting as phaseSummary.ts splits it), the mean over the GPUs, and the rank that arrived last at most of
 * the step's collectives. Outliers are rows too, marked: drift and alternating stragglers show step by step.
 */
import { artifact } from '../artifact.js';
import { type Exclusion, KERNEL_CLASSES, type KernelClass, type Phase } from '../contract/vocabulary.js';
import { tiedTop } from '../util/tiedTop.js';
import type { StepTimes } from '../contract/views.js';

export interface StepRowGpu {
  device: number;
  times: StepTimes;
}

export interface StepRow {
  ordinal: number;
  name: string;
  phase: Phase;
  /** In the numbers on every GPU that has the step; the others are listed, never in the phase's numbers. */
  steady: boolean;
  /** Why not, when not: an outlier on some GPU, else a step of an earlier pass (a warm-up run). */
  excluded: Exclusion | null;
  /** Index into StepSet.passes (the run of steps the workload repeats). */
  pass: number;
  /** Earliest start and latest end over the GPUs (session clock, ns). */
  startNs: number;
  endNs: number;
  gpus: StepRowGpu[];
  /** Means over the GPUs that have the step. */
  mean: StepTimes;
  /** The rank that arrived last at most of the step's collectives, of how many; null without collectives. */
  lateRank: { device: number; count: number; of: number; tiedWith: number[] } | null;
}

const KEYS = [...KERNEL_CLASSES, 'idle', 'commTransfer', 'commWait', 'span'] as const;

export const stepRows = artifact(['stepSet', 'breakdowns', 'steady', 'opStep', 'collectives', 'transferPerStep'], (a): StepRow[] => {
  const transfer = a.transferPerStep;
  const byOrdinal = new Map<number, number[]>();
  for (const s of a.stepSet.steps) byOrdinal.set(s.ordinal, [...(byOrdinal.get(s.ordinal) ?? []), s.index]);
  // Last arrivals per step ordinal and device.
  const c = a.collectives;
  const late = new Map<number, Map<number, number>>();
  for (let i = 0; i < c.n; i++) {
    let ordinal = -1;
    for (let d = 0; d < c.nDevices && ordinal < 0; d++) {
      const o = c.ops[i * c.nDevices + d]!;
      const s = o >= 0 ? a.opStep[o]! : -1;
      if (s >= 0) ordinal = a.stepSet.steps[s]!.ordinal;
    }
    if (ordinal < 0) continue;
    let m = late.get(ordinal);
    if (!m) late.set(ordinal, (m = new Map()));
    m.set(c.lastArriver[i]!, (m.get(c.lastArriver[i]!) ?? 0) + 1);
  }
  const rows: StepRow[] = [];
  for (const [ordinal, idx] of [...byOrdinal].sort((x, y) => x[0] - y[0])) {
    const steps = idx.map((i) => a.stepSet.steps[i]!).sort((x, y) => x.device - y.device);
    const gpus = steps.map((s) => {
      const b = a.breakdowns[s.index]!;
      const t = Math.min(b.commNs, transfer[s.index]!);
      const times = Object.fromEntries(KERNEL_CLASSES.map((k, j) => [k, b.classNs[j]!])) as StepTimes;
      times.idle = b.idleNs;
      times.commTransfer = t;
      times.commWait = b.commNs - t;
      times.span = b.spanNs;
      return { device: s.device, times };
    });
    const mean = Object.fromEntries(KEYS.map((k) => [k, gpus.reduce((x, g) => x + g.times[k], 0) / gpus.length])) as StepTimes;
    const m = late.get(ordinal);
    const top = m ? tiedTop(m) : null;
    rows.push({
      ordinal, name: steps[0]!.name, phase: steps[0]!.phase, steady: steps.every((s) => a.steady[s.index] === 1),
      excluded: steps.some((s) => a.stepSet.exclusion[s.index] === 'outlier') ? 'outlier' : steps.some((s) => a.stepSet.exclusion[s.index] === 'regime') ? 'regime' : steps.some((s) => a.stepSet.exclusion[s.index] === 'earlier-pass') ? 'earlier-pass' : null,
      pass: steps[0]!.pass,
      startNs: Math.min(...steps.map((s) => s.start)), endNs: Math.max(...steps.map((s) => s.end)), gpus, mean,
      lateRank: top && m ? { device: top.keys[0]!, count: top.count, of: [...m.values()].reduce((x, y) => x + y, 0), tiedWith: top.keys.slice(1) } : null,
    });
  }
  return rows;
});
