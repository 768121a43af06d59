/**
 * Markdown rendering: tables fit for a PR comment or a benchmark report. Every trace string is escaped.
 */
import { fmtMs, fmtNs, fmtPct, mdEscape } from './format.js';
import { CLASS_ROWS, type DiagnoseResult } from './result.js';

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
  for (const phase of ['prefill', 'decode', 'step'] as const) {
    const devs = r.devices.filter((d) => (d.steps[phase]?.count ?? 0) > 0);
    if (devs.length === 0) continue;
    out.push('');
    out.push(`## ${phase === 'step' ? 'Steps' : phase[0]!.toUpperCase() + phase.slice(1)}`);
    out.push('');
    const rows: string[][] = [
      ['steps (steady)', ...devs.map((d) => `${d.steps[phase]!.count} (${d.steps[phase]!.steadyCount})`)],
      ['median step (ms)', ...devs.map((d) => fmtMs(d.steps[phase]!.medianNs))],
    ];
    for (const c of CLASS_ROWS) {
      rows.push([`${c} (ms/step, % of span)`, ...devs.map((d) => {
        const p = d[phase];
        const n = d.steps[phase]!.steadyCount;
        return p ? `${fmtMs(p.timeNs[c] / n)} (${fmtPct(p.spanNs ? p.timeNs[c] / p.spanNs : 0)})` : '-';
      })]);
    }
    rows.push(['comm share (median)', ...devs.map((d) => fmtPct(d[phase]?.commShare))]);
    rows.push(['comm overlapped (median)', ...devs.map((d) => (d[phase]?.commNs ? fmtPct(d[phase]?.overlap) : '-'))]);
    rows.push(['exposed comm (median)', ...devs.map((d) => fmtPct(d[phase]?.exposedCommShare))]);
    rows.push(['idle (median)', ...devs.map((d) => fmtPct(d[phase]?.idleShare))]);
    if (devs.some((d) => d[phase]?.layers)) rows.push(['layers per step', ...devs.map((d) => String(d[phase]?.layers ?? '-'))]);
    out.push(...mdTable(['', ...devs.map((d) => mdEscape(d.label))], rows));
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
