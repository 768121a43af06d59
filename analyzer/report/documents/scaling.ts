/**
 * The scaling report as a document: a column per TP for decode and prefill (step time, tokens/s per
 * replica and per GPU, efficiency, comm share, $/MTok, the time beyond ideal scaling with communication
 * split into transfer and waiting), the bottleneck per TP, the per-GPU throughput trap, the recommended
 * TP and the findings.
 */
import type { TimePart } from '../../contract/vocabulary.js';
import type { ScalingPhase, ScalingRow } from '../../contract/scaling.js';
import type { ScalingResult } from '../../contract/results.js';
import { fmtPct } from '../../text/units.js';
import { heading, para, row, type Block, type Doc, type Row } from '../document.js';
import { notRunPara } from './common.js';
import { findingItems } from './diagnose.js';

const n = (x: number | null) => (x === null ? '-' : Math.round(x).toLocaleString('en-US'));
const ms = (ns: number) => (ns / 1e6).toFixed(2);

function phaseTable(r: ScalingResult, phase: 'decode' | 'prefill'): Row[] | null {
  const rows = r.rows;
  if (!rows.some((x) => x[phase])) return null;
  const P = (x: ScalingRow, f: (p: ScalingPhase) => string) => (x[phase] ? f(x[phase]!) : '-');
  const base = rows[0]!;
  const out: Row[] = [
    row(['steady steps', ...rows.map((x) => P(x, (p) => String(p.steps)))]),
    row(['step (ms, median)', ...rows.map((x) => P(x, (p) => ms(p.stepNs)))]),
    row(['p10 … p90 (ms)', ...rows.map((x) => P(x, (p) => `${ms(p.p10Ns)}…${ms(p.p90Ns)}`))]),
  ];
  if (rows.some((x) => x[phase]?.tokensPerSReplica)) {
    out.push(row(['tokens/s per replica', ...rows.map((x) => P(x, (p) => n(p.tokensPerSReplica)))]));
    out.push(row(['tokens/s per GPU', ...rows.map((x) => P(x, (p) => n(p.tokensPerSGpu)))]));
    out.push(row([`speedup vs TP=${base.tp}`, ...rows.map((x) => P(x, (p) => (p.speedup === null ? '-' : `${p.speedup.toFixed(2)}×`)))]));
    out.push(row(['scaling efficiency', ...rows.map((x) => P(x, (p) => (p.efficiency === null ? '-' : fmtPct(p.efficiency))))]));
  }
  out.push(row(['comm share', ...rows.map((x) => P(x, (p) => fmtPct(p.commShare)))]));
  if (rows.some((x) => x[phase]?.usdPerMTok !== null && x[phase]?.usdPerMTok !== undefined)) {
    out.push(row([`$/MTok (${phase === 'decode' ? 'output' : 'prompt'})`, ...rows.map((x) => P(x, (p) => (p.usdPerMTok === null ? '-' : `$${p.usdPerMTok.toFixed(3)}`)))]));
  }
  const parts = (Object.keys(rows.find((x) => x[phase])![phase]!.partNs) as TimePart[]).filter((c) =>
    rows.some((x) => x[phase]?.beyondIdealNs && Math.abs(x[phase]!.beyondIdealNs![c]) >= 5e3),
  );
  if (parts.length) {
    out.push(row(['beyond ideal (ms per GPU)', ...rows.map(() => '')], 'group'));
    for (const c of parts) out.push(row([c, ...rows.map((x) => P(x, (p) => (p.beyondIdealNs ? ms(p.beyondIdealNs[c]) : '-')))], 'sub'));
  }
  return out;
}

function phaseDetail(r: ScalingResult, phase: 'decode' | 'prefill'): string {
  const o = r.options;
  return phase === 'decode'
    ? `${o.batch} tokens per step (--batch)`
    : o.prompt === null ? 'tokens per step unknown (pass --prompt)' : `${o.batch} × ${o.prompt} = ${o.batch * o.prompt} tokens per step`;
}

export function scalingDoc(r: ScalingResult): Doc {
  const o = r.options;
  const blocks: Block[] = [];
  for (const phase of ['decode', 'prefill'] as const) {
    const rows = phaseTable(r, phase);
    if (!rows) continue;
    blocks.push(heading(2, phase === 'decode' ? 'Decode' : 'Prefill', phaseDetail(r, phase)), { kind: 'table', head: ['', ...r.rows.map((x) => `TP=${x.tp}`)], rows });
  }
  blocks.push({ kind: 'chart', name: 'scaling' });
  blocks.push(heading(2, 'Bottleneck per TP', 'decode'), { kind: 'list', items: r.rows.map((x) => `TP=${x.tp}: ${x.bottleneck}${x.topFinding ? `; top finding ${x.topFinding.rule}` : ''}`) });
  if (r.trap) blocks.push(heading(2, 'Per-GPU throughput'), para(r.trap));
  if (r.recommendation) {
    const rec = r.recommendation;
    blocks.push(heading(2, 'Recommended TP', `context ${rec.context.toLocaleString('en-US')} tokens per sequence`), para(rec.reason));
    if (rec.alternative) blocks.push(para(rec.alternative));
  }
  blocks.push({ kind: 'findings', title: 'Findings', items: findingItems(r), none: 'none' }, ...notRunPara(r.notRun));
  return {
    title: `nsys-tp ${r.tool.version} scaling · ${r.rows.length} traces${o.gpuHourPrice === null ? '' : ` · $${o.gpuHourPrice.toFixed(2)} per GPU-hour`}`,
    meta: [
      ...r.rows.map((x) => para(`TP=${x.tp}: ${x.path} (${x.gpus} × ${x.gpuName ?? 'unknown GPU'}${x.layers ? `, ${x.layers} layers` : ''})`)),
      para('step: median of the steady steps, each from the first GPU to start to the last to finish; efficiency: tokens/s per replica ' +
        'over the smallest TP\'s, divided by the TP ratio (= the ratio of tokens/s per GPU); beyond ideal: time per step per GPU above the ' +
        'smallest TP\'s scaled by the TP ratio, with communication split into transfer and waiting for other ranks'),
      ...r.warnings.map((w) => para(w, 'warning')),
    ],
    blocks,
  };
}
