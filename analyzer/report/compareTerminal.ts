/**
 * Terminal rendering of a comparison: the verdict and its reasons first, then per phase the step time and
 * where it moved, the collectives and the findings. Fits 100 columns; trace strings are made safe.
 */
import { changeText } from '../compare/verdict.js';
import { TIME_CLASSES, type CollectiveStats, type CompareResult, type PhaseComparison } from '../compare/compareTraces.js';
import { ellipsize, fmtBytes, fmtNs, table, termSafe } from './format.js';
import { severityTag, wrap } from './terminal.js';

const WIDTH = 100;
const TITLES = { prefill: 'PREFILL', mixed: 'MIXED (prefill and decode in one step)', decode: 'DECODE', step: 'STEPS (phase not named in the traces)' } as const;

const ms = (ns: number | null | undefined, d = 2) => (ns === null || ns === undefined || !Number.isFinite(ns) ? '-' : (ns / 1e6).toFixed(d));
const pct = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`);
const delta = (b: number, n: number) => `${n - b >= 0 ? '+' : '−'}${ms(Math.abs(n - b))}`;

function phaseSection(p: PhaseComparison): string[] {
  const out: string[] = [''];
  const b = p.base;
  const n = p.new;
  if (!b || !n) {
    const c = (b ?? n)!.steps.count;
    out.push(`${TITLES[p.phase]} · only in the ${b ? 'base' : 'new'} trace (${c} steady step${c === 1 ? '' : 's'}, median ${fmtNs((b ?? n)!.steps.medianNs)})`);
    return out;
  }
  const s = p.shift!;
  out.push(
    ...wrap(
      `${TITLES[p.phase]} · ${b.steps.count} → ${n.steps.count} steady steps · ${ms(s.base.medianNs)} → ${ms(s.new.medianNs)} ms: ` +
        `${changeText(s.change, s.verdict)}, ${s.reason}`,
      WIDTH,
      '  ',
    ),
  );
  const rows: string[][] = [['', 'base', 'new', 'Δ']];
  rows.push(['median step (ms)', ms(b.steps.medianNs), ms(n.steps.medianNs), delta(b.steps.medianNs, n.steps.medianNs)]);
  rows.push(['p10 … p90 (ms)', `${ms(b.steps.p10Ns)}…${ms(b.steps.p90Ns)}`, `${ms(n.steps.p10Ns)}…${ms(n.steps.p90Ns)}`, '']);
  rows.push(['GPU ops per step', b.opsPerStep.toFixed(0), n.opsPerStep.toFixed(0), '']);
  rows.push(['ms per step per GPU', '', '', '']);
  for (const c of TIME_CLASSES) {
    if (b.classNs[c] === 0 && n.classNs[c] === 0) continue;
    rows.push([`  ${c}`, ms(b.classNs[c]), ms(n.classNs[c]), delta(b.classNs[c], n.classNs[c])]);
  }
  if (b.comm || n.comm) {
    rows.push(['  comm: transfer', ms(b.comm?.transferNs ?? 0), ms(n.comm?.transferNs ?? 0), delta(b.comm?.transferNs ?? 0, n.comm?.transferNs ?? 0)]);
    rows.push(['  comm: waiting', ms(b.comm?.waitNs ?? 0), ms(n.comm?.waitNs ?? 0), delta(b.comm?.waitNs ?? 0, n.comm?.waitNs ?? 0)]);
  }
  rows.push(['comm share (median)', pct(b.commShare), pct(n.commShare), '']);
  rows.push(['idle (median)', pct(b.idleShare), pct(n.idleShare), '']);
  rows.push(['from CUDA graphs', pct(b.graphShare), pct(n.graphShare), '']);
  out.push(...table(rows, { gap: 3 }).map((l) => '  ' + l));
  const L = p.layers;
  if (L?.note) out.push(`  layers: ${L.note}`);
  else if (L && L.rows.length) {
    out.push(`  per layer (ms, mean over steady steps and GPUs; part: what moved most)`);
    const lr: string[][] = [['layer', 'base', 'new', 'Δ', 'part']];
    const shown = L.rows.length > 12 ? [...L.rows].sort((x, y) => Math.abs(y.newNs - y.baseNs) - Math.abs(x.newNs - x.baseNs)).slice(0, 8).sort((x, y) => x.index - y.index) : L.rows;
    for (const r of shown) lr.push([ellipsize(termSafe(r.name), 20), ms(r.baseNs, 3), ms(r.newNs, 3), delta(r.baseNs, r.newNs), `${r.part} ${delta(0, r.partDeltaNs)}`]);
    out.push(...table(lr, { gap: 3 }).map((l) => '    ' + l));
    if (shown.length < L.rows.length) out.push(`    (the ${shown.length} of ${L.rows.length} layers that moved most)`);
  }
  return out;
}

function collectiveCell(b: CollectiveStats | null, n: CollectiveStats | null, f: (s: CollectiveStats) => string): string {
  return `${b ? f(b) : '-'} → ${n ? f(n) : '-'}`;
}

function collectivesSection(r: CompareResult): string[] {
  if (r.collectives.length === 0) return [];
  const rows: string[][] = [['phase', 'op', 'size', 'per step', 'transfer (µs)', 'waiting', 'skew (µs)', 'busBW (GB/s)']];
  for (const c of r.collectives) {
    rows.push([
      c.phase, c.op, c.bytes === null ? '?' : fmtBytes(c.bytes),
      collectiveCell(c.base, c.new, (s) => s.perStep.toFixed(s.perStep < 10 ? 1 : 0)),
      collectiveCell(c.base, c.new, (s) => (s.transferMedianNs / 1e3).toFixed(1)),
      collectiveCell(c.base, c.new, (s) => `${(s.waitShare * 100).toFixed(0)}%`),
      collectiveCell(c.base, c.new, (s) => (s.skewMedianNs / 1e3).toFixed(s.skewMedianNs < 1e5 ? 1 : 0)),
      collectiveCell(c.base, c.new, (s) => (s.busGBps === null ? '-' : s.busGBps.toFixed(0))),
    ]);
  }
  return [
    '',
    ...wrap("COLLECTIVES · base → new, steady steps; transfer: median of the fastest rank's kernel; waiting: share of kernel time", WIDTH, '  '),
    ...table(rows, { gap: 2, leftCols: 3 }).map((l) => '  ' + l),
  ];
}

function findingsSection(r: CompareResult): string[] {
  const f = r.findings;
  const where = (x: { phase: string | null; deviceId: number | null }) =>
    x.phase || x.deviceId !== null ? ` (${[x.phase, x.deviceId !== null ? `GPU ${x.deviceId}` : null].filter(Boolean).join(', ')})` : '';
  const out = ['', `FINDINGS · ${f.added.length} added, ${f.resolved.length} resolved, ${f.persisting.length} in both` +
    (f.unpaired.length ? `, ${f.unpaired.length} about a phase only one trace has` : '')];
  for (const x of f.added) out.push(...wrap(`  + ${severityTag(x.severity)} ${x.rule}${where(x)}: ${termSafe(x.message)}`, WIDTH, '      '));
  const line = (mark: string, x: (typeof f.added)[number]) => {
    const head = `  ${mark} ${severityTag(x.severity)} ${x.rule}${where(x)}: `;
    return head + clip(termSafe(x.message), WIDTH - [...head].length);
  };
  for (const x of f.resolved) out.push(line('−', x));
  for (const x of f.persisting) out.push(line('=', x));
  return out;
}

/** The start of a message, cut at a word, with an ellipsis. */
function clip(s: string, n: number): string {
  if ([...s].length <= n) return s;
  const cut = [...s].slice(0, n - 1).join('');
  return cut.replace(/\s+\S*$/, '') + '…';
}

function setupSection(r: CompareResult): string[] {
  const s = r.setup;
  const c = s.commandLine;
  const cmdChanged = !!c && (c.added.length > 0 || c.removed.length > 0);
  if (s.tp.base === s.tp.new && s.gpus.base === s.gpus.new && s.runtime.base === s.runtime.new && !cmdChanged && s.environment.length === 0) return [];
  const rows: string[][] = [['', 'base', 'new']];
  rows.push(['TP', String(s.tp.base), String(s.tp.new)]);
  if (s.gpus.base !== s.gpus.new) rows.push(['GPUs', termSafe(s.gpus.base), termSafe(s.gpus.new)]);
  if (s.runtime.base !== s.runtime.new) rows.push(['runtime', s.runtime.base, s.runtime.new]);
  for (const e of s.environment) rows.push([termSafe(e.name), ellipsize(termSafe(e.base ?? 'unset'), 30), ellipsize(termSafe(e.new ?? 'unset'), 30)]);
  const out = ['', 'SETUP · what differs in how the traces were made', ...table(rows, { gap: 3, leftCols: 3 }).map((l) => '  ' + l)];
  if (c && cmdChanged) {
    out.push(...wrap(`  command line: ${[...c.removed.map((x) => `−${termSafe(x)}`), ...c.added.map((x) => `+${termSafe(x)}`)].join(' ')}`, WIDTH, '    '));
  }
  return out;
}

export function renderCompareTerminal(r: CompareResult): string {
  const out: string[] = [];
  out.push(`nsys-tp ${r.tool.version} compare`);
  out.push(...wrap(`  base: ${termSafe(r.base.paths.join(', '))} · ${termSafe(r.setup.gpus.base)}, TP=${r.setup.tp.base}`, WIDTH, '    '));
  out.push(...wrap(`  new:  ${termSafe(r.new.paths.join(', '))} · ${termSafe(r.setup.gpus.new)}, TP=${r.setup.tp.new}`, WIDTH, '    '));
  out.push(...wrap(`  step time: ${termSafe(r.base.stepTimes)}${r.new.stepTimes !== r.base.stepTimes ? ` (new: ${termSafe(r.new.stepTimes)})` : ''}`, WIDTH, '    '));
  for (const w of r.warnings) out.push(...wrap(`warning: ${termSafe(w)}`, WIDTH, '  '));
  out.push('');
  out.push(...wrap(`VERDICT · ${termSafe(r.verdict.line)}`, WIDTH, '  '));
  for (const w of r.verdict.why) out.push(...wrap(`  - ${termSafe(w)}`, WIDTH, '    '));
  out.push(...setupSection(r));
  for (const p of r.phases) out.push(...phaseSection(p));
  out.push(...collectivesSection(r));
  out.push(...findingsSection(r));
  return out.join('\n') + '\n';
}
