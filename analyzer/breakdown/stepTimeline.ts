/**
 * One step on every GPU, op by op, for the timeline chart: the median decode step of the first GPU (else
 * prefill, else any step) and the same step (by ordinal) on the others, on one clock so arrival skew shows.
 */
import { KERNEL_CLASSES, type KernelClass } from '../classify/kernelClasses.js';
import type { Reads } from '../data.js';
import type { Phase } from '../steps/types.js';

export interface TimelineLane {
  deviceId: number;
  label: string;
  /** The step's span on this GPU, relative to the timeline's origin. */
  startNs: number;
  endNs: number;
  /** Start of each layer window on this GPU, relative to the origin. */
  layerStartsNs: number[];
}

/** The step's ops as columns (the k-th op is lane[k], startNs[k], ...): thousands of ops stay compact. */
export interface TimelineOps {
  lane: number[];
  startNs: number[];
  endNs: number[];
  class: KernelClass[];
}

export interface StepTimeline {
  phase: Phase;
  name: string;
  /** Session time of the origin: the earliest start of the step on any GPU. */
  originNs: number;
  lanes: TimelineLane[];
  ops: TimelineOps;
}

export function stepTimeline(a: Reads<'stepSet' | 'model' | 'classes' | 'layers'>): StepTimeline | null {
  const { stepSet: steps, model, classes } = a;
  const phase = (['decode', 'prefill', 'mixed', 'step'] as const).find((p) => steps.steps.some((s) => s.phase === p));
  if (!phase) return null;
  const first = steps.byDevice.find((list) => list.some((s) => s.phase === phase))!;
  const candidates = first.filter((s) => s.phase === phase).sort((a, b) => a.end - a.start - (b.end - b.start));
  const chosen = candidates[(candidates.length - 1) >> 1]!;
  const same = steps.byDevice.map((list) => list.find((s) => s.ordinal === chosen.ordinal && s.phase === phase)).filter((s) => s !== undefined);
  const originNs = Math.min(...same.map((s) => s.start));
  const { breakdowns } = a.layers;
  const ops: TimelineOps = { lane: [], startNs: [], endNs: [], class: [] };
  const lanes = same.map((s, lane) => {
    for (const i of s.ops) {
      ops.lane.push(lane);
      ops.startNs.push(model.ops.start[i]! - originNs);
      ops.endNs.push(model.ops.end[i]! - originNs);
      ops.class.push(KERNEL_CLASSES[classes.opClass[i]!]!);
    }
    const d = model.devices[s.device]!;
    return {
      deviceId: d.deviceId, label: d.label, startNs: s.start - originNs, endNs: s.end - originNs,
      layerStartsNs: breakdowns[s.index]?.layers.map((l) => l.attention.startNs - originNs) ?? [],
    };
  });
  return { phase, name: chosen.name, originNs, lanes, ops };
}
