/**
 * Per-GPU class breakdown: time per step by kernel class and idle, a bar per GPU, a row per phase.
 * The same means per steady step as the report's tables. Classes on concurrent streams can overlap, so a
 * bar can be longer than the step.
 */
import type { TopLevelSpec } from 'vega-lite';
import { CLASS_ROWS } from '../../results/diagnose.js';
import type { DiagnoseResult } from '../../contract/results.js';
import { CHART_CONFIG, CLASS_COLORS } from './palette.js';
import { PHASE_ORDER } from '../documents/common.js';

export function classBarsSpec(result: DiagnoseResult): TopLevelSpec | null {
  const values: { gpu: string; phase: string; class: string; order: number; ms: number }[] = [];
  const phases: string[] = [];
  for (const phase of PHASE_ORDER) {
    for (const d of result.devices) {
      const p = d[phase];
      if (!p || (d.steps[phase]?.steadyCount ?? 0) === 0) continue;
      if (!phases.includes(phase)) phases.push(phase);
      CLASS_ROWS.forEach((c, order) => values.push({ gpu: d.label, phase, class: c, order, ms: p.perStepNs[c] / 1e6 }));
    }
  }
  if (values.length === 0) return null;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Where each GPU\'s step time goes', subtitle: 'ms per step (mean) by kernel class' },
    config: CHART_CONFIG,
    data: { values },
    facet: { row: { field: 'phase', type: 'nominal', title: null, sort: phases, header: { labelAngle: 0, labelAlign: 'left' } } },
    spec: {
      width: 600,
      height: { step: 22 },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'gpu', type: 'nominal', title: null, sort: result.devices.map((d) => d.label) },
        x: { field: 'ms', type: 'quantitative', title: 'ms per step', stack: 'zero' },
        color: { field: 'class', type: 'nominal', title: null, scale: { domain: [...CLASS_ROWS], range: CLASS_ROWS.map((c) => CLASS_COLORS[c]) }, legend: { orient: 'top' } },
        order: { field: 'order', type: 'quantitative' },
      },
    },
    resolve: { scale: { x: 'independent' } },
  };
}
