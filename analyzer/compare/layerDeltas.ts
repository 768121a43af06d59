/**
 * Per-layer deltas between two traces: each layer's window (steady steps, averaged over steps and GPUs)
 * and the part of it that moved most. The parts tile the window (layerBreakdown.ts): attention compute,
 * MLP compute, exposed comm, copies, idle.
 */
import type { Analysis } from '../analysis.js';
import { layerAnalysis, summariseLayers, type LayerRow } from '../layers/layerSummary.js';
import type { Phase } from '../steps/types.js';

export const LAYER_PARTS: [string, (r: LayerRow) => number][] = [
  ['attention compute', (r) => r.attentionComputeNs],
  ['MLP compute', (r) => r.mlpComputeNs],
  ['exposed comm', (r) => r.exposedCommNs],
  ['copies', (r) => r.copyNs],
  ['idle', (r) => r.idleNs],
];

export interface LayerProfile {
  name: string;
  spanNs: number;
  parts: Record<string, number>;
}

export interface LayerDelta {
  index: number;
  name: string;
  baseNs: number;
  newNs: number;
  /** The part whose time changed most, and by how much (ns, new − base). */
  part: string;
  partDeltaNs: number;
}

export interface LayerComparison {
  baseLayers: number;
  newLayers: number;
  /** Empty when the layer counts differ (nothing to pair) or no layers were found. */
  rows: LayerDelta[];
  note: string | null;
}

/** Layers of the phase's steady steps, averaged over GPUs (each GPU's rows are means over its steps). */
export function layerProfile(a: Analysis, phase: Phase): LayerProfile[] {
  return a.memo(`layerProfile:${phase}`, () => {
    const { layers, breakdowns } = layerAnalysis(a);
    const perGpu = a.model.devices
      .map((d) => summariseLayers(d.index, phase, a.steadyStepsOf(d.index, phase), layers, breakdowns))
      .filter((s) => s && s.layers > 0)
      .map((s) => s!.rows);
    const count = perGpu[0]?.length ?? 0;
    if (perGpu.some((r) => r.length !== count)) return [];
    return Array.from({ length: count }, (_, k) => {
      const rows = perGpu.map((r) => r[k]!);
      const mean = (f: (r: LayerRow) => number) => rows.reduce((s, r) => s + f(r), 0) / rows.length;
      return { name: rows[0]!.name, spanNs: mean((r) => r.spanNs.mean), parts: Object.fromEntries(LAYER_PARTS.map(([k2, f]) => [k2, mean(f)])) };
    });
  });
}

export function compareLayers(base: Analysis, next: Analysis, phase: Phase): LayerComparison | null {
  const b = layerProfile(base, phase);
  const n = layerProfile(next, phase);
  if (b.length === 0 && n.length === 0) return null;
  if (b.length !== n.length) {
    return { baseLayers: b.length, newLayers: n.length, rows: [], note: `layers per step differ (${b.length} vs ${n.length}): no per-layer pairing` };
  }
  const rows = b.map((lb, k) => {
    const ln = n[k]!;
    let part = LAYER_PARTS[0]![0];
    let d = 0;
    for (const [p] of LAYER_PARTS) {
      const x = ln.parts[p]! - lb.parts[p]!;
      if (Math.abs(x) > Math.abs(d)) [part, d] = [p, x];
    }
    return { index: k, name: lb.name, baseNs: lb.spanNs, newNs: ln.spanNs, part, partDeltaNs: d };
  });
  return { baseLayers: b.length, newLayers: n.length, rows, note: null };
}
