/**
 * Markdown rendering of a comparison, fit for a pull-request comment: the verdict and its reasons on
 * top, the step-time table, then the details (classes, layers, collectives) folded in <details>.
 */
import { changeText } from '../across/compare/verdict.js';
import { TIME_CLASSES } from '../across/compare/compareTraces.js';
import type { CollectiveStats, PhaseComparison } from '../across/compare/types.js';
import type { CompareResult } from '../results/compare.js';
import { fmtBytes, mdEscape } from './format.js';
import { mdTable } from './markdown.js';

const ms = (ns: number | null | undefined, d = 2) => (ns === null || ns === undefined || !Number.isFinite(ns) ? '-' : (ns / 1e6).toFixed(d));
const pct = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;
const delta = (b: number, n: number) => `${n - b >= 0 ? '+' : '−'}${ms(Math.abs(n - b))}`;
const where = (x: { phase: string | null; deviceId: number | null }) =>
  x.phase || x.deviceId !== null ? ` (${[x.phase, x.deviceId !== null ? `GPU ${x.deviceId}` : null].filter(Boolean).join(', ')})` : '';

function stepTable(r: CompareResult): string[] {
  const rows = r.phases.map((p) => {
    const s = p.shift;
    const side = (x: PhaseComparison['base']) => (x ? `${ms(x.steps.medianNs)} (${ms(x.steps.p10Ns)}–${ms(x.steps.p90Ns)}, ${x.steps.count} step${x.steps.count === 1 ? '' : 's'})` : '-');
    return [p.phase, side(p.base), side(p.new), s ? `**${changeText(s.change, s.verdict)}**` : '-', s ? mdEscape(s.reason) : `only in the ${p.base ? 'base' : 'new'} trace`];
  });
  return mdTable(['phase', 'base ms (p10–p90)', 'new ms (p10–p90)', 'change', 'judged'], rows);
}

function phaseDetails(p: PhaseComparison): string[] {
  const b = p.base;
  const n = p.new;
  if (!b || !n) return [];
  const rows: string[][] = [];
  for (const c of TIME_CLASSES) {
    if (b.classNs[c] === 0 && n.classNs[c] === 0) continue;
    rows.push([c, ms(b.classNs[c]), ms(n.classNs[c]), delta(b.classNs[c], n.classNs[c])]);
  }
  if (b.comm || n.comm) {
    rows.push(['comm: transfer', ms(b.comm?.transferNs ?? 0), ms(n.comm?.transferNs ?? 0), delta(b.comm?.transferNs ?? 0, n.comm?.transferNs ?? 0)]);
    rows.push(['comm: waiting for other ranks', ms(b.comm?.waitNs ?? 0), ms(n.comm?.waitNs ?? 0), delta(b.comm?.waitNs ?? 0, n.comm?.waitNs ?? 0)]);
  }
  rows.push(['GPU ops per step', b.opsPerStep.toFixed(0), n.opsPerStep.toFixed(0), '']);
  rows.push(['comm share (median)', pct(b.commShare), pct(n.commShare), '']);
  rows.push(['idle (median)', pct(b.idleShare), pct(n.idleShare), '']);
  rows.push(['kernels from CUDA graphs', pct(b.graphShare), pct(n.graphShare), '']);
  const out = ['', `**${p.phase}**, ms per step per GPU (steady steps)`, '', ...mdTable(['', 'base', 'new', 'Δ'], rows)];
  const L = p.layers;
  if (L?.note) out.push('', `Layers: ${mdEscape(L.note)}.`);
  else if (L && L.rows.length) {
    out.push('', `Per layer (ms, mean over steady steps and GPUs):`, '');
    out.push(...mdTable(['layer', 'base', 'new', 'Δ', 'moved most'], L.rows.map((x) => [mdEscape(x.name), ms(x.baseNs, 3), ms(x.newNs, 3), delta(x.baseNs, x.newNs), `${x.part} ${delta(0, x.partDeltaNs)}`])));
  }
  return out;
}

function collectives(r: CompareResult): string[] {
  if (r.collectives.length === 0) return [];
  const cell = (b: CollectiveStats | null, n: CollectiveStats | null, f: (s: CollectiveStats) => string) => `${b ? f(b) : '-'} → ${n ? f(n) : '-'}`;
  return [
    '', '**Collectives** (base → new; transfer: median of the fastest rank\'s kernel; waiting: share of kernel time)', '',
    ...mdTable(['phase', 'op', 'size', 'per step', 'transfer µs', 'waiting', 'skew µs', 'busBW GB/s'], r.collectives.map((c) => [
      c.phase, c.op, c.bytes === null ? '?' : fmtBytes(c.bytes),
      cell(c.base, c.new, (s) => s.perStep.toFixed(s.perStep < 10 ? 1 : 0)),
      cell(c.base, c.new, (s) => (s.transferMedianNs / 1e3).toFixed(1)),
      cell(c.base, c.new, (s) => pct(s.waitShare)),
      cell(c.base, c.new, (s) => (s.skewMedianNs / 1e3).toFixed(1)),
      cell(c.base, c.new, (s) => (s.busGBps === null ? '-' : s.busGBps.toFixed(0))),
    ])),
  ];
}

export function renderCompareMarkdown(r: CompareResult): string {
  const out: string[] = [];
  const f = r.findings;
  out.push(`### nsys-tp compare`);
  out.push('');
  out.push(`**${mdEscape(r.verdict.line)}**`);
  out.push('');
  for (const w of r.verdict.why) out.push(`- ${mdEscape(w)}`);
  if (r.verdict.why.length) out.push('');
  out.push(...stepTable(r));
  out.push('');
  out.push(`Base: \`${mdEscape(r.base.paths.join(', '))}\` (${mdEscape(r.setup.gpus.base)}, TP=${r.setup.tp.base}); new: \`${mdEscape(r.new.paths.join(', '))}\` ` +
    `(${mdEscape(r.setup.gpus.new)}, TP=${r.setup.tp.new}). Step time: ${mdEscape(r.base.stepTimes)}. A change counts only beyond noise: ` +
    'more than 3% (run-to-run), outside both traces\' p10–p90, and a Mann–Whitney rank test at p &lt; 0.05 when there are enough steps.');
  for (const w of r.warnings) out.push('', `> warning: ${mdEscape(w)}`);
  if (f.added.length || f.resolved.length) {
    out.push('', `**Findings:** ${f.added.length} added, ${f.resolved.length} resolved, ${f.persisting.length} in both`, '');
    for (const x of f.added) out.push(`- added **${x.severity}** \`${x.rule}\`${mdEscape(where(x))}: ${mdEscape(x.message)}`);
    for (const x of f.resolved) out.push(`- resolved \`${x.rule}\`${mdEscape(where(x))}`);
  } else out.push('', `**Findings:** unchanged (${f.persisting.length} in both)`);
  out.push('', '<details><summary>Details: time per class, layers, collectives, setup</summary>');
  for (const p of r.phases) out.push(...phaseDetails(p));
  out.push(...collectives(r));
  if (r.setup.environment.length) {
    out.push('', '**Environment**', '', ...mdTable(['variable', 'base', 'new'], r.setup.environment.map((e) => [`\`${mdEscape(e.name)}\``, mdEscape(e.base ?? 'unset'), mdEscape(e.new ?? 'unset')])));
  }
  out.push('', '</details>');
  return out.join('\n') + '\n';
}
