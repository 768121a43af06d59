/**
 * One truth (docs/architecture.md §3): the same quantity is the same number in every command, format and
 * chart, and no share exceeds its whole. On every committed capture and sample, and on the full traces
 * when ../shared/traces is there, this checks:
 *  - within a result: sums, means and shares agree (mean per step × steady steps = the sum; a share is
 *    its part over its whole; transfer + waiting = communication; the summary's classes are the GPUs'
 *    means);
 *  - across formats: every cell of every table the document shows (outside folded detail) is in the
 *    terminal, Markdown and HTML text, and the time table's cells are the JSON's numbers;
 *  - across outputs: the class chart draws the tables' means; `layers` is diagnose's layers; attach and
 *    compare quote diagnose's step times and shares; scaling's rows quote each trace's;
 *  - no percentage above 100% in diagnose or layers text (a change in compare may be larger).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compare, diagnose, layers, render, scaling, type DiagnoseResult } from '../index.js';
import { docOf } from '../analyzer/report/documents/index.js';
import type { Block, Doc } from '../analyzer/report/document.js';
import { classBarsSpec } from '../analyzer/report/charts/classBars.js';
import { benchSection } from '../analyzer/results/attach.js';
import { htmlEscape, mdEscape } from '../analyzer/report/format.js';
import { reportProblems } from './support/sanity.js';
import { EXTERNAL_TRACES, HAVE_TRACES, REPO, repoTrace, samplePath, sharedTrace, TP_TRACES } from './support/traces.js';

const PHASES = ['prefill', 'mixed', 'decode', 'step'] as const;
const CLASSES = ['gemm', 'attention', 'communication', 'norm', 'elementwise', 'memory', 'moe', 'other', 'idle'] as const;

const close = (a: number, b: number, rel = 1e-9) => Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));

/** Tables shown outside folded detail: what every format must print. */
function shownTables(doc: Doc): { title: string; head: string[]; rows: { cells: string[] }[] }[] {
  const out: ReturnType<typeof shownTables> = [];
  const walk = (blocks: Block[]) => {
    for (const b of blocks) {
      if (b.kind === 'table') out.push({ title: b.title ?? '', head: b.head, rows: b.rows });
      if (b.kind === 'section' && !b.detail) walk(b.blocks);
    }
  };
  walk(doc.blocks);
  return out;
}

function withinResult(r: DiagnoseResult): void {
  expect(reportProblems(r)).toEqual([]);
  for (const d of r.devices) {
    for (const phase of PHASES) {
      const p = d[phase];
      const st = d.steps[phase];
      if (!p || !st) continue;
      const n = st.steadyCount;
      expect(n).toBeGreaterThan(0);
      expect(st.steadyCount).toBeLessThanOrEqual(st.count);
      for (const c of CLASSES) expect(close(p.perStepNs[c] * n, p.timeNs[c]), `${d.label} ${phase} ${c}`).toBe(true);
      expect(close(p.perStepNs.span * n, p.spanNs)).toBe(true);
      expect(close(p.commShare, p.spanNs ? p.commNs / p.spanNs : 0)).toBe(true);
      expect(close(p.idleShare, p.spanNs ? p.timeNs.idle / p.spanNs : 0)).toBe(true);
      expect(close(p.exposedCommShare, p.spanNs ? p.exposedCommNs / p.spanNs : 0)).toBe(true);
      expect(p.commTransferNs + p.commWaitNs).toBeCloseTo(p.commNs, -1);
      expect(p.commTransferNs).toBeLessThanOrEqual(p.commNs + 1e-6);
      // The step statistics describe the same steps as the means: the median lies within p10…p90 and min…max.
      expect(st.minNs!).toBeLessThanOrEqual(st.medianNs!);
      expect(st.medianNs!).toBeLessThanOrEqual(st.maxNs!);
      expect(st.p10Ns!).toBeLessThanOrEqual(st.p90Ns!);
    }
  }
  for (const s of r.summary.phases) {
    const devs = r.devices.filter((d) => (d.steps[s.phase]?.steadyCount ?? 0) > 0);
    expect(devs.length, s.phase).toBe(s.gpus);
    for (const c of CLASSES) {
      const mean = devs.reduce((a, d) => a + d[s.phase]!.perStepNs[c], 0) / devs.length;
      expect(close(s.classNs[c], mean, 1e-6), `${s.phase} ${c}: summary ${s.classNs[c]} against the GPUs' mean ${mean}`).toBe(true);
    }
    expect(close(s.commShare, s.classNs.communication / s.spanNs, 1e-6)).toBe(true);
    expect(close(s.idleShare, s.classNs.idle / s.spanNs, 1e-6)).toBe(true);
    for (const share of [s.commShare, s.exposedCommShare, s.idleShare, s.graphShare]) expect(share >= 0 && share <= 1 + 1e-9).toBe(true);
  }
}

/** The time table's cells ("4.84 8.8%") are the JSON's mean and share, at the shown precision. */
function timeTableIsTheJson(r: DiagnoseResult, doc: Doc): void {
  const tables = shownTables(doc).filter((t) => t.title.startsWith('Where the time goes'));
  const phases = PHASES.filter((p) => r.devices.some((d) => (d.steps[p]?.count ?? 0) > 0));
  expect(tables.length).toBe(phases.length);
  tables.forEach((t, k) => {
    const phase = phases[k]!;
    for (const row of t.rows) {
      const c = row.cells[0]!.trim() as (typeof CLASSES)[number];
      if (!(CLASSES as readonly string[]).includes(c)) continue;
      row.cells.slice(1).forEach((cell, i) => {
        const d = r.devices.find((x) => x.label === t.head[i + 1])!;
        const p = d[phase];
        if (!p) return expect(cell).toBe('-');
        const m = /^(\d+\.\d+) (\d+(?:\.\d+)?)%$/.exec(cell);
        expect(m, `${phase} ${c} ${d.label}: "${cell}"`).not.toBeNull();
        expect(Math.abs(Number(m![1]) - p.perStepNs[c] / 1e6)).toBeLessThanOrEqual(0.0051);
        const pct = (100 * p.perStepNs[c]) / p.perStepNs.span;
        expect(Math.abs(Number(m![2]) - pct), `${phase} ${c} ${d.label}`).toBeLessThanOrEqual(pct >= 9.95 ? 0.51 : 0.051);
      });
    }
  });
}

async function acrossFormats(doc: Doc, texts: { terminal: string; md: string; html: string }): Promise<void> {
  for (const t of shownTables(doc)) {
    for (const cell of [...t.head, ...t.rows.flatMap((x) => x.cells)]) {
      if (!cell.trim()) continue;
      expect(texts.terminal.includes(cell.trim()), `terminal lacks "${cell}" (${t.title})`).toBe(true);
      expect(texts.md.includes(mdEscape(cell).trim()), `Markdown lacks "${cell}" (${t.title})`).toBe(true);
      expect(texts.html.includes(htmlEscape(cell).trim()), `HTML lacks "${cell}" (${t.title})`).toBe(true);
    }
  }
}

/** Percentages in a report that are shares: none above 100%. A signed one (+150%) is a change. */
function sharesAtMost100(text: string, what: string): void {
  for (const m of text.matchAll(/(^|[^+\-−\d.])(\d+(?:\.\d+)?)%/g)) {
    expect(Number(m[2]), `${what}: "${text.slice(Math.max(0, m.index! - 60), m.index! + 10)}"`).toBeLessThanOrEqual(100);
  }
}

async function checkTrace(path: string, label: string): Promise<DiagnoseResult> {
  const names = [label];
  const r = await diagnose([path], {}, { names });
  withinResult(r);
  const doc = docOf(r);
  timeTableIsTheJson(r, doc);
  const texts = { terminal: await render(r, 'terminal', { width: 400 }), md: await render(r, 'md'), html: await render(r, 'html') };
  await acrossFormats(doc, texts);
  // JSON is the result itself: reading it back gives the same numbers.
  expect(JSON.parse(await render(r, 'json'))).toEqual(JSON.parse(JSON.stringify(r)));

  // The class chart draws the tables' means.
  const spec = classBarsSpec(r) as unknown as { data: { values: { gpu: string; phase: (typeof PHASES)[number]; class: (typeof CLASSES)[number]; ms: number }[] } } | null;
  for (const v of spec?.data.values ?? []) {
    const d = r.devices.find((x) => x.label === v.gpu)!;
    expect(v.ms).toBe(d[v.phase]!.perStepNs[v.class] / 1e6);
  }

  // `layers` is diagnose's layers, shown the same way.
  const l = await layers([path], {}, { names });
  expect(l.layers).toEqual(r.layers);
  // Layers describe the steady steps diagnose describes, and compare's layer spans are their GPU mean.
  for (const lp of r.layers.phases.filter((x) => x.layers > 0)) {
    const d = r.devices.find((x) => x.label === lp.label)!;
    expect(lp.steps, `${lp.label} ${lp.phase}`).toBeLessThanOrEqual(d.steps[lp.phase]!.steadyCount);
  }
  for (const s of r.summary.phases) {
    if (s.layers.length === 0) continue;
    const per = r.layers.phases.filter((x) => x.phase === s.phase && x.layers > 0);
    s.layers.forEach((layer, k) => {
      const mean = per.reduce((a, x) => a + x.rows[k]!.spanNs.mean, 0) / per.length;
      expect(close(layer.spanNs, mean, 1e-9), `${s.phase} ${layer.name}`).toBe(true);
    });
  }
  const lt = await render(l, 'terminal', { width: 400 });
  sharesAtMost100(texts.terminal, `${label} diagnose`);
  sharesAtMost100(lt, `${label} layers`);

  // attach quotes the summary's step times and shares; compare of a trace with itself changes nothing.
  const bench = benchSection(r.summary);
  for (const s of r.summary.phases) {
    const b = bench[s.phase]!;
    expect(b.medianStepNs).toBe(Math.round(s.stepTime.medianNs));
    expect(b.commShare).toBeCloseTo(s.commShare, 4);
    expect(b.idleShare).toBeCloseTo(s.idleShare, 4);
    for (const c of CLASSES) expect(b.timeNs[c]).toBe(Math.round(s.classNs[c]));
  }
  const cmp = await compare(r, r);
  for (const p of cmp.phases) {
    const s = r.summary.phases.find((x) => x.phase === p.phase)!;
    expect(p.base?.steps.medianNs).toBe(s.stepTime.medianNs);
    expect(p.new?.steps.medianNs).toBe(s.stepTime.medianNs);
  }
  expect(cmp.phases.length).toBe(r.summary.phases.length);
  return r;
}

const SAMPLES = readdirSync(join(REPO, 'samples')).filter((f) => f.endsWith('.sqlite')).sort();
const CAPTURES = readdirSync(join(REPO, 'test/traces')).filter((f) => f.endsWith('.sqlite.xz')).map((f) => f.replace(/\.sqlite\.xz$/, '')).sort();

describe('one truth: committed samples and captures', () => {
  for (const s of SAMPLES) it(s, async () => void (await checkTrace(samplePath(s), `samples/${s}`)), 120_000);
  for (const c of CAPTURES) it(c, async () => void (await checkTrace(repoTrace(c), c)), 120_000);
});

describe.runIf(HAVE_TRACES)('one truth: full traces', () => {
  for (const t of [...TP_TRACES, ...EXTERNAL_TRACES]) {
    it(t, async () => void (await checkTrace(sharedTrace(t), t)), 300_000);
  }
  it('scaling rows quote each trace\'s step times and shares', async () => {
    const paths = ['tp1graph', 'tp2graph', 'tp4graph'].map(sharedTrace);
    const s = await scaling(paths, { batch: 8, prompt: null, gpuHourPrice: null });
    for (const [i, path] of paths.entries()) {
      const r = await diagnose([path]);
      const row = s.rows[i]!;
      const dec = r.summary.phases.find((p) => p.phase === 'decode')!;
      expect(row.tp).toBe(r.summary.tp);
      expect(row.decode!.stepNs).toBe(dec.stepTime.medianNs);
    }
    sharesAtMost100(await render(s, 'terminal', { width: 400 }).then((t) => t.replace(/efficien[^\n]*/g, '')), 'scaling');
  }, 600_000);
});
