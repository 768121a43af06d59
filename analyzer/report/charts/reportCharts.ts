/** The charts of a report, rendered to SVG: class breakdown, one-step timeline, per-layer bars per phase. */
import type { StepTimeline } from '../../breakdown/stepTimeline.js';
import type { LayerResult } from '../layerResult.js';
import type { DiagnoseResult } from '../result.js';
import { classBarsSpec } from './classBars.js';
import { layerBarsSpec } from './layerBars.js';
import { renderSvg } from './render.js';
import { timelineSpec } from './timeline.js';

export interface Chart {
  /** File stem for --chart DIR: `classes`, `timeline`, `layers-decode`. */
  name: string;
  title: string;
  svg: string;
}

export async function reportCharts(result: DiagnoseResult, layers: LayerResult, timeline: StepTimeline | null): Promise<Chart[]> {
  const specs = [
    { name: 'classes', title: 'Time by kernel class per GPU', spec: classBarsSpec(result) },
    { name: 'timeline', title: 'One step, every GPU', spec: timeline ? timelineSpec(timeline) : null },
    ...(['prefill', 'mixed', 'decode', 'step'] as const).map((p) => ({ name: `layers-${p}`, title: `Per-layer time, ${p}`, spec: layerBarsSpec(layers, p) })),
  ];
  const out: Chart[] = [];
  for (const s of specs) if (s.spec) out.push({ name: s.name, title: s.title, svg: await renderSvg(s.spec, s.name) });
  return out;
}
