/**
 * The per-layer part of a report (analyzer/results/layers.ts builds it from analyzer/layers/layerSummary.ts):
 * per device and phase, each layer averaged over the steps, with the spread of its span and the layers
 * that stand out; plain data for the `layers` table, its JSON and the per-layer charts.
 */
import type { z } from 'zod';
import { arr, num, obj, oneOf, partialKeyed, record, str } from './checks.js';
import { LAYER_SOURCES, PHASES } from './vocabulary.js';

export const spreadSchema = obj({ mean: num, median: num, p10: num, p90: num, min: num, max: num });
export type Spread = z.infer<typeof spreadSchema>;

/** Means over steps (ns), except `spanNs`, which has its spread. */
export const layerRowSchema = obj({
  index: num,
  name: str,
  spanNs: spreadSchema,
  attentionComputeNs: num,
  attentionCommNs: num,
  attentionExposedCommNs: num,
  mlpComputeNs: num,
  mlpCommNs: num,
  mlpExposedCommNs: num,
  /** Exposed comm of the whole layer: |comm − compute|. */
  exposedCommNs: num,
  /** Busy with copies alone (neither compute nor comm). */
  copyNs: num,
  idleNs: num,
});
export type LayerRow = z.infer<typeof layerRowSchema>;

/** A layer is an outlier when its median span is more than 1.5x the median layer's or under half of it. */
export const outlierLayerSchema = obj({
  index: num,
  name: str,
  /** Median span over the steps, and its ratio to the median layer's. */
  spanNs: num,
  ratio: num,
  /** The part that differs most from the median layer, e.g. `idle +73.1 ms`. */
  cause: str,
  causeNs: num,
});
export type OutlierLayer = z.infer<typeof outlierLayerSchema>;

/** A device's phase, its layers averaged over the steps (the summary's fields, the device by its id and label). */
const layerPhaseShape = {
  phase: oneOf(PHASES),
  /** How the layers were found, with the number of steps each way. */
  sources: partialKeyed(LAYER_SOURCES, num),
  /** Layers found in each step of the phase (0 where none were found), in step order. */
  counts: arr(num),
  /** The layer count of most steps: the rows average the steps that have it. */
  layers: num,
  /** Steps averaged. */
  steps: num,
  /** Why layers were not found in some steps (reason → step count). */
  missing: record(num),
  rows: arr(layerRowSchema),
  /** Means over the averaged steps: prologue + Σ layer spans + epilogue = step span. */
  prologueNs: num,
  epilogueNs: num,
  stepSpanNs: num,
  outliers: arr(outlierLayerSchema),
};
export const layerPhaseResultSchema = obj({ deviceId: num, label: str, ...layerPhaseShape });
export type LayerPhaseResult = z.infer<typeof layerPhaseResultSchema>;
/** The same, as the analysis holds it: the device by its index. */
export type LayerPhaseSummary = Omit<LayerPhaseResult, 'deviceId' | 'label'> & { device: number };

export const layerResultSchema = obj({
  /** How layers were found, for each way used. */
  methods: partialKeyed(LAYER_SOURCES, str),
  /** The phases each way found layers in, in phase order (absent in results saved before it was kept). */
  methodPhases: partialKeyed(LAYER_SOURCES, arr(str)).optional(),
  /** One per device and phase, devices in order. */
  phases: arr(layerPhaseResultSchema),
});
export type LayerResult = z.infer<typeof layerResultSchema>;
