/** `nsys-tp layers --format md`: a table per phase and GPU, fit for a PR comment. */
import { mdEscape } from './format.js';
import type { LayerResult } from './layerResult.js';
import { LAYER_HEADER, LAYER_WINDOWS, layerHeadline, layerTable, outlierText } from './layerTable.js';
import { mdTable } from './markdown.js';
import type { DiagnoseResult } from './result.js';

const TITLES = { prefill: 'Prefill', mixed: 'Mixed (prefill and decode in one step)', decode: 'Decode', step: 'Steps' } as const;

export function renderLayersMarkdown(r: DiagnoseResult, layers: LayerResult): string {
  const out: string[] = [`# nsys-tp layers: ${r.trace.paths.map(mdEscape).join(', ')}`, ''];
  out.push(`Steps: ${mdEscape(r.stepDetection.description)}.  `);
  for (const m of Object.values(layers.methods)) out.push(`Layers from ${mdEscape(m)}.  `);
  if (Object.keys(layers.methods).length) out.push(mdEscape(LAYER_WINDOWS));
  for (const phase of ['prefill', 'mixed', 'decode', 'step'] as const) {
    for (const p of layers.phases.filter((x) => x.phase === phase)) {
      out.push('', `## ${TITLES[phase]}, ${mdEscape(p.label)}`, '', `${mdEscape(layerHeadline(p))}.`);
      if (p.layers === 0) continue;
      const t = layerTable(p);
      out.push(`Times in ${t.unit} per step.`);
      out.push('', ...mdTable(LAYER_HEADER, t.rows.map((row) => row.map(mdEscape))));
      const o = outlierText(p);
      if (o) out.push('', `Outlier layers: ${mdEscape(o)}.`);
    }
  }
  for (const f of r.findings.filter((x) => x.rule === 'graph-kernels-hidden')) {
    out.push('', `> **${f.severity}** \`${f.rule}\`: ${mdEscape(f.message)} *What to try:* ${mdEscape(f.recommendation)}`);
  }
  return out.join('\n') + '\n';
}
