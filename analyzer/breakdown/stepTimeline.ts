/**
 * One step on every GPU, op by op, for the timeline chart: the median decode step of the first GPU (else
 * prefill, else any step) and the same step (by ordinal) on the others, on one clock so arrival skew shows.
 */
import { KERNEL_CLASSES, type KernelClass, type Phase } from '../contract/vocabulary.js';
import type { Reads } from '../data.js';
import type { StepTimeline, TimelineOps } from '../contract/timeline.js';

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
