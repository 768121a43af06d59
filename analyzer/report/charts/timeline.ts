/**
 * One step as a timeline: a lane per GPU, each kernel a bar coloured by class, layer starts as ticks.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { StepTimeline } from '../../contract/timeline.js';
import { KERNEL_CLASSES } from '../../contract/vocabulary.js';
import { termSafe } from '../format.js';
import { CHART_CONFIG, CLASS_COLORS } from './palette.js';

export function timelineSpec(t: StepTimeline): TopLevelSpec {
  const gpus = t.lanes.map((l) => l.label);
  const o = t.ops;
  const ops = o.lane.map((lane, k) => ({ gpu: gpus[lane]!, start: o.startNs[k]! / 1e6, end: o.endNs[k]! / 1e6, class: o.class[k]! }));
  const ticks = t.lanes.flatMap((l) => l.layerStartsNs.map((s) => ({ gpu: l.label, t: s / 1e6 })));
  const layer: NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']> = [
    {
      data: { values: ops },
      mark: { type: 'rect', height: { band: 0.6 } },
      encoding: {
        x: { field: 'start', type: 'quantitative', title: 'ms since the step started on the earliest GPU' },
        x2: { field: 'end' },
        y: { field: 'gpu', type: 'nominal', title: null, sort: gpus },
        color: { field: 'class', type: 'nominal', title: null, scale: { domain: [...KERNEL_CLASSES], range: KERNEL_CLASSES.map((c) => CLASS_COLORS[c]) }, legend: { orient: 'top' } },
      },
    },
  ];
  if (ticks.length) {
    layer.push({
      data: { values: ticks },
      mark: { type: 'tick', color: '#222', thickness: 1, size: 7, yOffset: -12 },
      encoding: { x: { field: 't', type: 'quantitative' }, y: { field: 'gpu', type: 'nominal', sort: gpus } },
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `One ${t.phase} step on every GPU: "${termSafe(t.name)}"`, subtitle: ticks.length ? 'kernels by class; the ticks above each lane mark where a layer starts' : 'kernels by class' },
    config: CHART_CONFIG,
    width: 900,
    height: { step: 30 },
    layer,
  };
}
