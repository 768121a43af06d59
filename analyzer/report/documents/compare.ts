/**
 * The comparison as a document: the verdict and its reasons first, what differs in the setup, the step
 * time per phase judged against noise, then per phase where the time moved (per GPU and step, with
 * communication split into transfer and waiting) and per layer, the collectives, and the findings added,
 * resolved and kept.
 */
import type { TimeClass } from '../../breakdown/steadyProfile.js';
import type { CollectiveStats, PhaseComparison } from '../../contract/comparison.js';
import type { CompareResult } from '../../contract/results.js';
import { CLASS_ROWS } from '../../results/diagnose.js';
import { changeText } from '../../text/change.js';
import { ellipsize, fmtBytes, fmtNs } from '../../text/units.js';
import { heading, para, row, type Block, type Doc, type FindingItem, type Row } from '../document.js';
import { phaseTitle } from './common.js';

const CLASSES: readonly TimeClass[] = CLASS_ROWS;
const ms = (ns: number | null | undefined, d = 2) => (ns === null || ns === undefined || !Number.isFinite(ns) ? '-' : (ns / 1e6).toFixed(d));
const pct = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`);
const delta = (b: number, n: number) => `${n - b >= 0 ? '+' : '−'}${ms(Math.abs(n - b))}`;

function stepTable(r: CompareResult): Block {
  const side = (x: PhaseComparison['base']) => (x ? `${ms(x.steps.medianNs)} (${ms(x.steps.p10Ns)}…${ms(x.steps.p90Ns)}, ${x.steps.count} step${x.steps.count === 1 ? '' : 's'})` : '-');
  return {
    kind: 'table',
    title: 'Step time per phase: median of the steady steps (p10…p90), judged against run-to-run noise (why: under each phase)',
    head: ['phase', 'base (ms)', 'new (ms)', 'change'],
    rows: r.phases.map((p) => {
      const s = p.shift;
      return row([p.phase, side(p.base), side(p.new), s ? changeText(s.change, s.verdict) : `only in the ${p.base ? 'base' : 'new'} trace`]);
    }),
  };
}

function phaseBlocks(p: PhaseComparison): Block[] {
  const b = p.base;
  const n = p.new;
  if (!b || !n) {
    const c = (b ?? n)!.steps.count;
    return [heading(2, phaseTitle(p.phase), `only in the ${b ? 'base' : 'new'} trace (${c} steady step${c === 1 ? '' : 's'}, median ${fmtNs((b ?? n)!.steps.medianNs)})`)];
  }
  const s = p.shift!;
  const rows: Row[] = [
    row(['median step (ms)', ms(b.steps.medianNs), ms(n.steps.medianNs), delta(b.steps.medianNs, n.steps.medianNs)]),
    row(['p10 … p90 (ms)', `${ms(b.steps.p10Ns)}…${ms(b.steps.p90Ns)}`, `${ms(n.steps.p10Ns)}…${ms(n.steps.p90Ns)}`, '']),
    row(['GPU ops per step', b.opsPerStep.toFixed(0), n.opsPerStep.toFixed(0), '']),
    row(['ms per step per GPU (mean)', '', '', ''], 'group'),
  ];
  for (const c of CLASSES) {
    if (b.classNs[c] === 0 && n.classNs[c] === 0) continue;
    rows.push(row([c, ms(b.classNs[c]), ms(n.classNs[c]), delta(b.classNs[c], n.classNs[c])]));
    if (c === 'communication' && (b.comm || n.comm)) {
      const t = (x: typeof b) => x.comm?.transferNs ?? 0;
      const w = (x: typeof b) => x.comm?.waitNs ?? 0;
      rows.push(row(['transfer', ms(t(b)), ms(t(n)), delta(t(b), t(n))], 'sub'));
      rows.push(row(['waiting', ms(w(b)), ms(w(n)), delta(w(b), w(n))], 'sub'));
    }
  }
  rows.push(row(['comm share', pct(b.commShare), pct(n.commShare), '']));
  rows.push(row(['idle share', pct(b.idleShare), pct(n.idleShare), '']));
  rows.push(row(['from CUDA graphs', pct(b.graphShare), pct(n.graphShare), '']));
  const out: Block[] = [
    heading(2, phaseTitle(p.phase), `${b.steps.count} → ${n.steps.count} steady steps · ${ms(s.base.medianNs)} → ${ms(s.new.medianNs)} ms: ${changeText(s.change, s.verdict)}, ${s.reason}`),
  ];
  const side: Block[] = [{ kind: 'table', head: ['', 'base', 'new', 'Δ'], rows }];
  const L = p.layers;
  if (L?.note) side.push(para(`Layers: ${L.note}.`));
  else if (L && L.rows.length) {
    const shown = L.rows.length > 12 ? [...L.rows].sort((x, y) => Math.abs(y.newNs - y.baseNs) - Math.abs(x.newNs - x.baseNs)).slice(0, 8).sort((x, y) => x.index - y.index) : L.rows;
    side.push({
      kind: 'table',
      title: `Per layer (ms, mean over steady steps and GPUs; part: what moved most)${shown.length < L.rows.length ? `: the ${shown.length} of ${L.rows.length} layers that moved most` : ''}`,
      head: ['layer', 'base', 'new', 'Δ', 'part'],
      rows: shown.map((x) => row([ellipsize(x.name, 20), ms(x.baseNs, 3), ms(x.newNs, 3), delta(x.baseNs, x.newNs), `${x.part} ${delta(0, x.partDeltaNs)}`])),
    });
  }
  // In a review page the time table and the layer table stand side by side.
  out.push({ kind: 'section', title: '', columns: true, blocks: side });
  return out;
}

function collectiveBlocks(r: CompareResult): Block[] {
  if (r.collectives.length === 0) return [];
  const cell = (b: CollectiveStats | null, n: CollectiveStats | null, f: (s: CollectiveStats) => string) => `${b ? f(b) : '-'} → ${n ? f(n) : '-'}`;
  return [
    heading(2, 'Collectives', "base → new, steady steps; transfer: median of the fastest rank's kernel; waiting: share of kernel time"),
    {
      kind: 'table', labelColumns: 3,
      head: ['phase', 'op', 'size', 'per step', 'transfer (µs)', 'waiting', 'skew (µs)', 'busBW (GB/s)'],
      rows: r.collectives.map((c) => row([
        c.phase, c.op, c.bytes === null ? '?' : fmtBytes(c.bytes),
        cell(c.base, c.new, (s) => s.perStep.toFixed(s.perStep < 10 ? 1 : 0)),
        cell(c.base, c.new, (s) => (s.transferMedianNs / 1e3).toFixed(1)),
        cell(c.base, c.new, (s) => `${(s.waitShare * 100).toFixed(0)}%`),
        cell(c.base, c.new, (s) => (s.skewMedianNs / 1e3).toFixed(s.skewMedianNs < 1e5 ? 1 : 0)),
        cell(c.base, c.new, (s) => (s.busGBps === null ? '-' : s.busGBps.toFixed(0))),
      ])),
    },
  ];
}

function setupBlocks(r: CompareResult): Block[] {
  const s = r.setup;
  const c = s.commandLine;
  const cmdChanged = !!c && (c.added.length > 0 || c.removed.length > 0);
  if (s.tp.base === s.tp.new && s.gpus.base === s.gpus.new && s.runtime.base === s.runtime.new && !cmdChanged && s.environment.length === 0) return [];
  const rows: Row[] = [row(['TP', String(s.tp.base), String(s.tp.new)])];
  if (s.gpus.base !== s.gpus.new) rows.push(row(['GPUs', s.gpus.base, s.gpus.new]));
  if (s.runtime.base !== s.runtime.new) rows.push(row(['runtime', s.runtime.base, s.runtime.new]));
  for (const e of s.environment) rows.push(row([e.name, ellipsize(e.base ?? 'unset', 30), ellipsize(e.new ?? 'unset', 30)]));
  const out: Block[] = [heading(2, 'Setup', 'what differs in how the traces were made'), { kind: 'table', head: ['', 'base', 'new'], rows, labelColumns: 3 }];
  if (c && cmdChanged) out.push(para(`command line: ${[...c.removed.map((x) => `−${x}`), ...c.added.map((x) => `+${x}`)].join(' ')}`));
  return out;
}

function findingItems(r: CompareResult): FindingItem[] {
  const f = r.findings;
  const where = (x: { phase: string | null; deviceId: number | null }) =>
    [x.phase, x.deviceId !== null ? `GPU ${x.deviceId}` : null].filter(Boolean).join(', ') || undefined;
  const item = (mark: FindingItem['mark'], x: (typeof f.added)[number]): FindingItem => {
    const w = where(x);
    return { mark, severity: x.severity, rule: x.rule, message: x.message, ...(w ? { where: w } : {}) };
  };
  const superseded = (f.superseded ?? []).map((x): FindingItem => {
    const it = item('=', x);
    return { ...it, message: `${it.message} (in the ${x.in} trace superseded by ${x.by}, not resolved)` };
  });
  return [...f.added.map((x) => item('+', x)), ...f.resolved.map((x) => item('−', x)), ...superseded, ...f.persisting.map((x) => item('=', x))];
}

export function compareDoc(r: CompareResult): Doc {
  const f = r.findings;
  return {
    title: `nsys-tp ${r.tool.version} compare`,
    meta: [
      para(`base: ${r.base.paths.join(', ')} · ${r.setup.gpus.base}, TP=${r.setup.tp.base}`),
      para(`new: ${r.new.paths.join(', ')} · ${r.setup.gpus.new}, TP=${r.setup.tp.new}`),
      para(`step time: ${r.base.stepTimes}${r.new.stepTimes !== r.base.stepTimes ? ` (new: ${r.new.stepTimes})` : ''}`),
      ...r.warnings.map((w) => para(w, 'warning')),
    ],
    blocks: [
      heading(2, 'Verdict', r.verdict.line),
      ...(r.verdict.why.length ? [{ kind: 'list' as const, items: r.verdict.why }] : []),
      ...setupBlocks(r),
      stepTable(r),
      ...r.phases.flatMap(phaseBlocks),
      ...collectiveBlocks(r),
      {
        kind: 'findings',
        title: 'Findings',
        detail: `${f.added.length} added, ${f.resolved.length} resolved, ${f.persisting.length} in both` +
          `${f.superseded?.length ? `, ${f.superseded.length} superseded by another finding` : ''}${f.unpaired.length ? `, ${f.unpaired.length} about a phase only one trace has` : ''}`,
        items: findingItems(r),
        none: 'none in either trace',
      },
    ],
  };
}
