/**
 * Markdown rendering: tables fit for a PR comment or a benchmark report. Every trace string is escaped.
 */
import { fmtNs, mdEscape } from './format.js';
import { phaseRows } from './phaseRows.js';
import type { DiagnoseResult } from './result.js';

export function mdTable(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

export function renderMarkdown(r: DiagnoseResult): string {
  const out: string[] = [];
  out.push(`# nsys-tp diagnosis: ${r.trace.paths.map((p) => mdEscape(p)).join(', ')}`);
  out.push('');
  out.push(`Nsight Systems ${mdEscape(r.trace.nsysVersion ?? '?')}, export schema ${mdEscape(r.trace.exportSchema ?? '?')}; ` +
    `${r.trace.gpus.length} GPU(s): ${[...new Set(r.trace.gpus.map((g) => mdEscape(g.name)))].join(', ')}.  `);
  out.push(`Steps: ${mdEscape(r.stepDetection.description)}.`);
  for (const w of r.warnings) out.push(`\n> warning: ${mdEscape(w)}`);
  for (const phase of ['prefill', 'mixed', 'decode', 'step'] as const) {
    const t = phaseRows(r, phase);
    if (!t) continue;
    out.push('');
    out.push(`## ${phase === 'step' ? 'Steps' : phase[0]!.toUpperCase() + phase.slice(1)}`);
    out.push('');
    out.push(...mdTable(['', ...t.devices.map((d) => mdEscape(d.label))], t.rows));
  }
  if (r.collectives.count > 0) {
    out.push('');
    out.push(`## Collectives`);
    out.push('');
    out.push(`${r.collectives.count} collective instances: transfer ${fmtNs(r.collectives.transferNs)}, waiting ${fmtNs(r.collectives.waitNs)}.`);
  }
  out.push('');
  out.push(`## Findings`);
  out.push('');
  if (r.findings.length === 0) out.push('None.');
  for (const f of r.findings) {
    out.push(`- **${f.severity}** \`${f.rule}\`: ${mdEscape(f.message)}  `);
    out.push(`  *What to try:* ${mdEscape(f.recommendation)}`);
  }
  return out.join('\n') + '\n';
}
