/**
 * One step on every GPU, op by op, for the timeline chart (analyzer/breakdown/stepTimeline.ts builds it):
 * the same step (by ordinal) on every GPU, on one clock so arrival skew shows.
 */
import type { z } from 'zod';
import { arr, num, obj, oneOf, str } from './checks.js';
import { KERNEL_CLASSES, PHASES } from './vocabulary.js';

export const timelineLaneSchema = obj({
  deviceId: num,
  label: str,
  /** The step's span on this GPU, relative to the timeline's origin. */
  startNs: num,
  endNs: num,
  /** Start of each layer window on this GPU, relative to the origin. */
  layerStartsNs: arr(num),
});
export type TimelineLane = z.infer<typeof timelineLaneSchema>;

/** The step's ops as columns (the k-th op is lane[k], startNs[k], ...): thousands of ops stay compact. */
export const timelineOpsSchema = obj({
  lane: arr(num),
  startNs: arr(num),
  endNs: arr(num),
  class: arr(oneOf(KERNEL_CLASSES)),
});
export type TimelineOps = z.infer<typeof timelineOpsSchema>;

export const stepTimelineSchema = obj({
  phase: oneOf(PHASES),
  name: str,
  /** Session time of the origin: the earliest start of the step on any GPU. */
  originNs: num,
  lanes: arr(timelineLaneSchema),
  ops: timelineOpsSchema,
});
export type StepTimeline = z.infer<typeof stepTimelineSchema>;
