/**
 * A phase's layers on a typical GPU: each layer's window over the steady steps, averaged over steps and
 * then over GPUs, split into the parts that tile it (layerBreakdown.ts): attention compute, MLP compute,
 * exposed comm, copies, idle. What compare puts side by side.
 */
import { artifact, perKey } from '../artifact.js';
import { steadyStepsOf } from '../steps/steady.js';
import type { Phase } from '../contract/vocabulary.js';
import { summariseLayers } from './layerSummary.js';
import type { LayerRow } from '../contract/layers.js';
import type { LayerProfile } from '../contract/summary.js';

export const LAYER_PARTS: [string, (r: LayerRow) => number][] = [
  ['attention compute', (r) => r.attentionComputeNs],
  ['MLP compute', (r) => r.mlpComputeNs],
  ['exposed comm', (r) => r.exposedCommNs],
  ['copies', (r) => r.copyNs],
  ['idle', (r) => r.idleNs],
];

/** Empty when no layers were found, or when the GPUs' layer counts differ. */
export const layerProfile = artifact(['layers', 'model', 'stepSet'], (a) => perKey((phase: Phase): LayerProfile[] => {
  const { layers, breakdowns } = a.layers;
  const perGpu = a.model.devices
    .map((d) => summariseLayers(d.index, phase, steadyStepsOf(a.stepSet, d.index, phase), layers, breakdowns))
    .filter((s) => s && s.layers > 0)
    .map((s) => s!.rows);
  const count = perGpu[0]?.length ?? 0;
  if (perGpu.some((r) => r.length !== count)) return [];
  return Array.from({ length: count }, (_, k) => {
    const rows = perGpu.map((r) => r[k]!);
    const mean = (f: (r: LayerRow) => number) => rows.reduce((s, r) => s + f(r), 0) / rows.length;
    return { name: rows[0]!.name, spanNs: mean((r) => r.spanNs.mean), parts: Object.fromEntries(LAYER_PARTS.map(([k2, f]) => [k2, mean(f)])) };
  });
}));
