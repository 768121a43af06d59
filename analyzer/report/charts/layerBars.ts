/**
 * Per-layer stacked bars for one phase: each layer's mean window split into the parts that add up to it
 * (attention compute, exposed attention comm, MLP compute, exposed MLP comm, copies, idle), a row per GPU.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Phase } from '../../contract/vocabulary.js';
import type { LayerResult, LayerRow } from '../../contract/layers.js';
import { nearestRankQuantile } from '../../util/stats.js';
import { CHART_CONFIG, LAYER_PARTS, LAYER_PART_COLORS, type LayerPart } from './palette.js';

const PART_OF: Record<LayerPart, (r: LayerRow) => number> = {
  'attention compute': (r) => r.attentionComputeNs,
  'attention comm (exposed)': (r) => r.attentionExposedCommNs,
  'MLP compute': (r) => r.mlpComputeNs,
  'MLP comm (exposed)': (r) => r.mlpExposedCommNs,
  copies: (r) => r.copyNs,
  idle: (r) => r.idleNs,
};

const fmtMs = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(1) : ms.toFixed(2));

/**
 * A few layers far taller than the rest (a warm-up pass, a host stall before the first attention) would
 * flatten every other bar: past 4x the median layer, the axis stops at 1.25x the tallest ordinary layer.
 */
function axisCap(totals: number[]): number | null {
  const sorted = [...totals].sort((a, b) => a - b);
  // The upper of two middle values, as the axis has always used.
  const med = nearestRankQuantile(sorted, 0.5);
  const ordinary = sorted.filter((t) => t <= 4 * med);
  const top = ordinary[ordinary.length - 1] ?? 0;
  return top > 0 && sorted[sorted.length - 1]! > 4 * med ? top * 1.25 : null;
}

export function layerBarsSpec(layers: LayerResult, phase: Phase): TopLevelSpec | null {
  const phases = layers.phases.filter((p) => p.phase === phase && p.layers > 0);
  if (phases.length === 0) return null;
  const cap = axisCap(phases.flatMap((p) => p.rows.map((r) => r.spanNs.mean / 1e6)));
  const cut = (r: LayerRow) => cap !== null && r.spanNs.mean / 1e6 > cap;
  const values = phases.flatMap((p) =>
    p.rows.flatMap((r) => LAYER_PARTS.map((part, order) => ({
      gpu: p.label, layer: r.index, part, order, ms: PART_OF[part](r) / 1e6,
      label: order === 0 && cut(r) ? `${fmtMs(r.spanNs.mean / 1e6)} ms ↑` : '',
    }))),
  );
  const n = Math.max(...phases.map((p) => p.layers));
  const steps = [...new Set(phases.map((p) => p.steps))];
  const anyCut = phases.some((p) => p.rows.some(cut));
  const bars = { mark: { type: 'bar' as const, clip: true }, encoding: {
    x: { field: 'layer', type: 'ordinal' as const, title: 'layer', axis: { labelAngle: 0, labelOverlap: true } },
    y: { field: 'ms', type: 'quantitative' as const, title: 'ms', stack: 'zero' as const, ...(cap === null ? {} : { scale: { domain: [0, cap] } }) },
    color: { field: 'part', type: 'nominal' as const, title: null, scale: { domain: [...LAYER_PARTS], range: LAYER_PARTS.map((p) => LAYER_PART_COLORS[p]) }, legend: { orient: 'top' as const } },
    order: { field: 'order', type: 'quantitative' as const },
  } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `Per-layer time, ${phase}`,
      subtitle: `mean over ${steps.join('/')} step${steps.length === 1 && steps[0] === 1 ? '' : 's'} per GPU; the parts add up to the layer's span` +
        (anyCut ? `; bars above ${fmtMs(cap!)} ms are cut, their height printed` : ''),
    },
    config: CHART_CONFIG,
    data: { values },
    facet: { row: { field: 'gpu', type: 'nominal', title: null, sort: phases.map((p) => p.label), header: { labelAngle: 0, labelAlign: 'left' } } },
    spec: {
      width: Math.max(240, Math.min(960, n * 14)),
      height: 110,
      layer: !anyCut ? [bars] : [bars, {
        transform: [{ filter: 'datum.label' }],
        mark: { type: 'text', align: 'left', baseline: 'top', dx: 4, dy: 1, fontSize: 10 },
        encoding: { x: { field: 'layer', type: 'ordinal' }, y: { value: 0 }, text: { field: 'label' } },
      }],
    },
  };
}
