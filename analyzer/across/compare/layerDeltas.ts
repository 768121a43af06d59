/**
 * Per-layer deltas between two traces: each layer's window (steady steps, averaged over steps and GPUs:
 * layers/layerProfile.ts) and the part of it that moved most.
 */
import { LAYER_PARTS } from '../../layers/layerProfile.js';
import type { LayerProfile } from '../../contract/summary.js';
import type { LayerComparison } from '../../contract/comparison.js';

export function compareLayers(b: readonly LayerProfile[], n: readonly LayerProfile[]): LayerComparison | null {
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
