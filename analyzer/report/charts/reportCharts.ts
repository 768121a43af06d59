/** The charts of a diagnosis, rendered to SVG from its result: class breakdown, one-step timeline, per-layer bars per phase. */
import type { DiagnoseResult } from '../../contract/results.js';
import type { ScalingResult } from '../../contract/results.js';
import { classBarsSpec } from './classBars.js';
import { layerBarsSpec } from './layerBars.js';
import { renderSvg } from './render.js';
import { scalingChartSpec } from './scalingChart.js';
import { timelineSpec } from './timeline.js';
import { PHASE_ORDER } from '../documents/common.js';

export interface Chart {
  /** File stem for --chart DIR: `classes`, `timeline`, `layers-decode`. */
  name: string;
  title: string;
  svg: string;
}

const rendered = new WeakMap<DiagnoseResult, Promise<Chart[]>>();

/** Rendered once per result: the HTML page and --chart DIR show the same SVGs. */
export function reportCharts(result: DiagnoseResult): Promise<Chart[]> {
  let charts = rendered.get(result);
  if (!charts) rendered.set(result, (charts = render(result)));
  return charts;
}

async function render(result: DiagnoseResult): Promise<Chart[]> {
  const { layers, timeline } = result;
  const specs = [
    { name: 'classes', title: 'Time by kernel class per GPU', spec: classBarsSpec(result) },
    { name: 'timeline', title: 'One step, every GPU', spec: timeline ? timelineSpec(timeline) : null },
    ...PHASE_ORDER.map((p) => ({ name: `layers-${p}`, title: `Per-layer time, ${p}`, spec: layerBarsSpec(layers, p) })),
  ];
  const out: Chart[] = [];
  for (const s of specs) if (s.spec) out.push({ name: s.name, title: s.title, svg: await renderSvg(s.spec, s.name) });
  return out;
}

/** The scaling curve of a scaling result, when it has two TPs with decode throughput. */
export async function scalingCharts(r: ScalingResult): Promise<Chart[]> {
  const spec = scalingChartSpec(r);
  return spec ? [{ name: 'scaling', title: 'TP scaling, decode', svg: await renderSvg(spec, 'scaling') }] : [];
}
