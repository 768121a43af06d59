/**
 * Rendering of `nsys-tp scaling`: a column per TP (decode, then prefill), the per-GPU throughput trap,
 * the recommended TP and the findings. Terminal (100 columns) and Markdown share the rows.
 */
import type { TimeClass } from '../breakdown/steadyProfile.js';
import type { ScalingResult } from '../results/scaling.js';
import type { ScalingPhase, ScalingRow } from '../across/scaling/scalingTable.js';
import { fmtPct, mdEscape, table, termSafe } from './format.js';
import { mdTable } from './markdown.js';
import { findingsSection, wrap } from './terminal.js';

const WIDTH = 100;
const n = (x: number | null) => (x === null ? '-' : Math.round(x).toLocaleString('en-US'));
const ms = (ns: number) => (ns / 1e6).toFixed(2);

function phaseRows(r: ScalingResult, phase: 'decode' | 'prefill'): string[][] | null {
  const rows = r.rows;
  if (!rows.some((x) => x[phase])) return null;
  const P = (x: ScalingRow, f: (p: ScalingPhase) => string) => (x[phase] ? f(x[phase]!) : '-');
  const base = rows[0]!;
  const out: string[][] = [['', ...rows.map((x) => `TP=${x.tp}`)]];
  out.push(['steady steps', ...rows.map((x) => P(x, (p) => String(p.steps)))]);
  out.push(['step (ms, median)', ...rows.map((x) => P(x, (p) => ms(p.stepNs)))]);
  out.push(['p10 … p90 (ms)', ...rows.map((x) => P(x, (p) => `${ms(p.p10Ns)}…${ms(p.p90Ns)}`))]);
  if (rows.some((x) => x[phase]?.tokensPerSReplica)) {
    out.push(['tokens/s per replica', ...rows.map((x) => P(x, (p) => n(p.tokensPerSReplica)))]);
    out.push(['tokens/s per GPU', ...rows.map((x) => P(x, (p) => n(p.tokensPerSGpu)))]);
    out.push([`speedup vs TP=${base.tp}`, ...rows.map((x) => P(x, (p) => (p.speedup === null ? '-' : `${p.speedup.toFixed(2)}×`)))]);
    out.push(['scaling efficiency', ...rows.map((x) => P(x, (p) => (p.efficiency === null ? '-' : fmtPct(p.efficiency))))]);
  }
  out.push(['comm share (median)', ...rows.map((x) => P(x, (p) => fmtPct(p.commShare)))]);
  if (rows.some((x) => x[phase]?.usdPerMTok !== null && x[phase]?.usdPerMTok !== undefined)) {
    out.push([`$/MTok (${phase === 'decode' ? 'output' : 'prompt'})`, ...rows.map((x) => P(x, (p) => (p.usdPerMTok === null ? '-' : `$${p.usdPerMTok.toFixed(3)}`)))]);
  }
  const classes = (Object.keys(rows.find((x) => x[phase])![phase]!.classNs) as TimeClass[]).filter((c) =>
    rows.some((x) => x[phase]?.beyondIdealNs && Math.abs(x[phase]!.beyondIdealNs![c]) >= 5e3),
  );
  if (classes.length) {
    out.push(['beyond ideal (ms/GPU)', ...rows.map(() => '')]);
    for (const c of classes) out.push([`  ${c}`, ...rows.map((x) => P(x, (p) => (p.beyondIdealNs ? ms(p.beyondIdealNs[c]) : '-')))]);
  }
  return out;
}

function phaseTitle(r: ScalingResult, phase: 'decode' | 'prefill'): string {
  const o = r.options;
  return phase === 'decode'
    ? `DECODE · ${o.batch} tokens per step (--batch)`
    : `PREFILL · ${o.prompt === null ? 'tokens per step unknown (pass --prompt)' : `${o.batch} × ${o.prompt} = ${o.batch * o.prompt} tokens per step`}`;
}

export function renderScalingTerminal(r: ScalingResult): string {
  const out: string[] = [];
  const o = r.options;
  out.push(`nsys-tp ${r.tool.version} scaling · ${r.rows.length} traces${o.gpuHourPrice === null ? '' : ` · $${o.gpuHourPrice.toFixed(2)} per GPU-hour`}`);
  for (const x of r.rows) out.push(...wrap(`  TP=${x.tp}: ${termSafe(x.path)} (${x.gpus} × ${termSafe(x.gpuName ?? 'unknown GPU')}${x.layers ? `, ${x.layers} layers` : ''})`, WIDTH, '    '));
  out.push(...wrap('  step: median of the steady steps, each from the first GPU to start to the last to finish; efficiency: tokens/s per replica ' +
    'over the smallest TP\'s, divided by the TP ratio (= the ratio of tokens/s per GPU)', WIDTH, '    '));
  for (const w of r.warnings) out.push(...wrap(`warning: ${termSafe(w)}`, WIDTH, '  '));
  for (const phase of ['decode', 'prefill'] as const) {
    const rows = phaseRows(r, phase);
    if (!rows) continue;
    out.push('', phaseTitle(r, phase), ...table(rows, { gap: 3 }).map((l) => '  ' + l));
  }
  out.push('', 'BOTTLENECK PER TP (decode)');
  for (const x of r.rows) {
    out.push(...wrap(`  TP=${x.tp}: ${termSafe(x.bottleneck)}${x.topFinding ? `; top finding ${x.topFinding.rule}` : ''}`, WIDTH, '    '));
  }
  if (r.trap) out.push('', 'PER-GPU THROUGHPUT', ...wrap(`  ${termSafe(r.trap)}`, WIDTH, '  '));
  if (r.recommendation) {
    const rec = r.recommendation;
    out.push('', `RECOMMENDED TP · context ${rec.context.toLocaleString('en-US')} tokens per sequence`);
    out.push(...wrap(`  ${rec.reason}`, WIDTH, '  '));
    if (rec.alternative) out.push(...wrap(`  ${rec.alternative}`, WIDTH, '  '));
  }
  out.push('', ...findingsSection(r.findings));
  return out.join('\n') + '\n';
}

/** GitHub reads two dollar signs on a line as inline math. */
const dollars = (s: string) => s.replace(/\$/g, '\\$');

export function renderScalingMarkdown(r: ScalingResult): string {
  const out: string[] = [`## nsys-tp scaling`, ''];
  for (const x of r.rows) out.push(`- TP=${x.tp}: \`${mdEscape(x.path)}\` (${x.gpus} × ${mdEscape(x.gpuName ?? 'unknown GPU')})`);
  for (const w of r.warnings) out.push('', `> warning: ${mdEscape(w)}`);
  for (const phase of ['decode', 'prefill'] as const) {
    const rows = phaseRows(r, phase);
    if (!rows) continue;
    out.push('', `### ${mdEscape(phaseTitle(r, phase))}`, '', ...mdTable(rows[0]!, rows.slice(1).map((row) => row.map((c) => dollars(mdEscape(c.trim()))))));
  }
  out.push('', '**Bottleneck per TP (decode):** ' + r.rows.map((x) => `TP=${x.tp}: ${mdEscape(x.bottleneck)}`).join('; ') + '.');
  if (r.trap) out.push('', `**Per-GPU throughput:** ${dollars(mdEscape(r.trap))}`);
  if (r.recommendation) {
    out.push('', `**Recommended TP** (context ${r.recommendation.context} tokens): ${dollars(mdEscape(r.recommendation.reason))}`);
    if (r.recommendation.alternative) out.push(mdEscape(r.recommendation.alternative));
  }
  out.push('', '### Findings', '');
  if (r.findings.length === 0) out.push('None.');
  for (const f of r.findings) out.push(`- **${f.severity}** \`${f.rule}\`: ${dollars(mdEscape(f.message))}  `, `  *What to try:* ${dollars(mdEscape(f.recommendation))}`);
  return out.join('\n') + '\n';
}
