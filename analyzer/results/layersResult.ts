/**
 * The result of `layers`: the per-layer section of a diagnosis with what frames it (trace, steps,
 * warnings) and the findings that explain missing layers. By default the layers are summarised across
 * the ranks (per layer the min, median and max over the GPUs of its mean span, and the slowest GPU);
 * `--device N` keeps one GPU's full table.
 */
import type { LayerAcross, LayerAcrossRow, Range } from '../contract/views.js';
import type { Finding } from '../contract/findings.js';
import { UsageError } from '../errors.js';
import type { Phase } from '../contract/vocabulary.js';
import { median } from '../util/stats.js';
import type { DiagnoseResult, LayersResult } from '../contract/results.js';
import type { LayerPhaseResult, LayerResult } from '../contract/layers.js';

/** Rules whose findings say why layers are missing. */
const LAYER_NOTES = new Set(['graph-kernels-hidden']);

/** More layers than this are shown in bands of consecutive layers, about ROWS of them. */
const BAND_FROM = 24;
const ROWS = 16;

const range = (xs: number[]): Range => ({ min: Math.min(...xs), median: median(xs), max: Math.max(...xs) });

function across(phase: Phase, ps: LayerPhaseResult[]): LayerAcross | null {
  const counts = new Map<number, number>();
  for (const p of ps) if (p.layers > 0) counts.set(p.layers, (counts.get(p.layers) ?? 0) + 1);
  const L = [...counts].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]?.[0];
  if (L === undefined) return null;
  const used = ps.filter((p) => p.layers === L);
  const left = ps.filter((p) => p.layers !== L && p.layers > 0).map((p) => ({ label: p.label, why: `${p.layers} layers per step, not ${L}` }));
  const band = L > BAND_FROM ? Math.ceil(L / ROWS) : 1;
  const rows: LayerAcrossRow[] = [];
  for (let first = 0; first < L; first += band) {
    const last = Math.min(L, first + band) - 1;
    const mean = (p: LayerPhaseResult, f: (r: LayerPhaseResult['rows'][number]) => number) => {
      let s = 0;
      for (let k = first; k <= last; k++) s += f(p.rows[k]!);
      return s / (last - first + 1);
    };
    const spans = used.map((p) => mean(p, (r) => r.spanNs.mean));
    const own = used.map((p) => mean(p, (r) => r.spanNs.mean - r.exposedCommNs));
    const worst = own.indexOf(Math.max(...own));
    const med = (f: (r: LayerPhaseResult['rows'][number]) => number) => median(used.map((p) => mean(p, f)));
    rows.push({
      name: first === last ? used[0]!.rows[first]!.name : `${used[0]!.rows[first]!.name} – ${used[0]!.rows[last]!.name}`,
      first, last, spanNs: range(spans),
      slowest: { deviceId: used[worst]!.deviceId, label: used[worst]!.label, ownNs: own[worst]!, medianOwnNs: median(own) },
      attentionComputeNs: med((r) => r.attentionComputeNs), mlpComputeNs: med((r) => r.mlpComputeNs),
      exposedCommNs: med((r) => r.exposedCommNs), idleNs: med((r) => r.idleNs),
    });
  }
  return {
    phase, gpus: used.map((p) => p.label), layers: L, band, rows,
    prologueNs: range(used.map((p) => p.prologueNs)), epilogueNs: range(used.map((p) => p.epilogueNs)), stepSpanNs: range(used.map((p) => p.stepSpanNs)), left,
  };
}

export function layersResultOf(d: DiagnoseResult, deviceId?: number): LayersResult {
  const { schemaVersion, tool, trace, stepDetection, warnings } = d;
  let layers = d.layers;
  let device: LayersResult['device'] = null;
  if (deviceId !== undefined) {
    const dev = d.devices.find((x) => x.deviceId === deviceId);
    if (!dev) throw new UsageError(`--device ${deviceId}: the trace has GPUs ${d.devices.map((x) => x.deviceId).join(', ')}`);
    device = { deviceId, label: dev.label };
    layers = { ...layers, phases: layers.phases.filter((p) => p.deviceId === deviceId) };
  }
  const phases = [...new Set(d.layers.phases.map((p) => p.phase))];
  const acrossRanks = device ? [] : phases.flatMap((ph) => across(ph, d.layers.phases.filter((p) => p.phase === ph)) ?? []);
  return { schemaVersion, kind: 'layers', tool, trace, stepDetection, layers, device, acrossRanks, warnings, notes: d.findings.filter((f) => LAYER_NOTES.has(f.rule)) };
}
