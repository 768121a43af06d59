/**
 * The per-layer part of a report: plain data for the `layers` table, its JSON and the per-layer charts.
 */
import type { Reads } from '../data.js';
import { LAYER_METHODS } from '../layers/types.js';
import type { LayerSource } from '../contract/vocabulary.js';
import type { LayerPhaseSummary, LayerResult } from '../contract/layers.js';

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
