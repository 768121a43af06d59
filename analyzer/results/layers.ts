/**
 * The per-layer part of a report: plain data for the `layers` table, its JSON and the per-layer charts.
 */
import type { Reads } from '../data.js';
import type { LayerPhaseSummary } from '../layers/layerSummary.js';
import { LAYER_METHODS, type LayerSource } from '../layers/types.js';

export interface LayerPhaseResult extends Omit<LayerPhaseSummary, 'device'> {
  deviceId: number;
  label: string;
}

export interface LayerResult {
  /** How layers were found, for each way used. */
  methods: Partial<Record<LayerSource, string>>;
  /** The phases each way found layers in, in phase order (absent in results saved before it was kept). */
  methodPhases?: Partial<Record<LayerSource, string[]>>;
  /** One per device and phase, devices in order. */
  phases: LayerPhaseResult[];
}

export function buildLayerResult(analysis: Reads<'layers' | 'model'>): LayerResult {
  const { summaries } = analysis.layers;
  const methods: Partial<Record<LayerSource, string>> = {};
  const methodPhases: Partial<Record<LayerSource, string[]>> = {};
  for (const s of summaries) {
    for (const k of Object.keys(s.sources) as LayerSource[]) {
      methods[k] = LAYER_METHODS[k];
      const ps = (methodPhases[k] ??= []);
      if (!ps.includes(s.phase)) ps.push(s.phase);
    }
  }
  return {
    methods,
    methodPhases,
    phases: summaries.map(({ device, ...rest }) => {
      const d = analysis.model.devices[device]!;
      return { deviceId: d.deviceId, label: d.label, ...rest };
    }),
  };
}
