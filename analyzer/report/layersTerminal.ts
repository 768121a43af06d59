/** `nsys-tp layers` in the terminal: a table per phase and GPU, 100 columns wide. */
import { table, termSafe } from './format.js';
import type { LayerResult } from './layerResult.js';
import { LAYER_HEADER, LAYER_WINDOWS, layerHeadline, layerTable, outlierText } from './layerTable.js';
import type { DiagnoseResult } from './result.js';
import { wrap } from './terminal.js';

const WIDTH = 100;
const TITLES = { prefill: 'PREFILL', mixed: 'MIXED', decode: 'DECODE', step: 'STEPS' } as const;

/** Two header lines: the long column names folded onto a second line. */
function headerRows(): string[][] {
  const top = LAYER_HEADER.map((h) => h.split(' ')[0]!);
  const bottom = LAYER_HEADER.map((h) => h.split(' ').slice(1).join(' '));
  return [top, bottom];
}

export function renderLayersTerminal(r: DiagnoseResult, layers: LayerResult): string {
  const out: string[] = [];
  out.push(`nsys-tp ${r.tool.version} · ${termSafe(r.trace.paths.join(', '))}`);
  out.push(...wrap(`Steps: ${termSafe(r.stepDetection.description)}`, WIDTH));
  for (const m of Object.values(layers.methods)) out.push(...wrap(`Layers from ${m}.`, WIDTH, '  '));
  if (Object.keys(layers.methods).length) out.push(...wrap(LAYER_WINDOWS, WIDTH, '  '));
  for (const phase of ['prefill', 'mixed', 'decode', 'step'] as const) {
    // GPUs without layers for the same reason share one line.
    const none = new Map<string, string[]>();
    for (const p of layers.phases.filter((x) => x.phase === phase && x.layers === 0)) {
      const h = layerHeadline(p);
      none.set(h, [...(none.get(h) ?? []), p.label]);
    }
    for (const [h, labels] of none) {
      out.push('');
      out.push(...wrap(`${TITLES[phase]} · ${termSafe(labels.join(', '))} · ${termSafe(h)}`, WIDTH, '  '));
    }
    for (const p of layers.phases.filter((x) => x.phase === phase && x.layers > 0)) {
      out.push('');
      const t = layerTable(p);
      out.push(...wrap(`${TITLES[phase]} · ${termSafe(p.label)} · ${termSafe(layerHeadline(p))} · ${t.unit} per step`, WIDTH, '  '));
      out.push(...table([...headerRows(), ...t.rows.map((row) => row.map(termSafe))], { gap: 2 }).map((l) => '  ' + l));
      const o = outlierText(p);
      if (o) out.push(...wrap(`  outlier layers: ${termSafe(o)}`, WIDTH, '    '));
    }
  }
  const notes = r.findings.filter((f) => f.rule === 'graph-kernels-hidden');
  for (const f of notes) {
    out.push('');
    out.push(...wrap(`WARN ${f.rule}: ${termSafe(f.message)}`, WIDTH, '  '));
    out.push(...wrap(`→ ${termSafe(f.recommendation)}`, WIDTH, '  '));
  }
  return out.join('\n') + '\n';
}
