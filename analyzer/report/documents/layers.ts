/**
 * The layers report as a document: how layers were found, then per phase and GPU a table of its layers
 * (means over the steady steps, the span's p10…p90), framed by the prologue and epilogue so the spans
 * add up to the step; GPUs without layers for the same reason share one line.
 */
import type { LayerPhaseResult, LayerResult } from '../../contract/layers.js';
import type { LayerAcross, Range } from '../../contract/views.js';
import type { LayersResult } from '../../contract/results.js';
import { heading, para, row, type Block, type Doc, type Para } from '../document.js';
import { LAYER_HEADER, LAYER_WINDOWS, layerHeadline, layerTable, outlierText } from '../layerTable.js';
import { PHASE_ORDER, phaseTitle, stepsPara } from './common.js';

export function layerMethodParas(layers: LayerResult): Para[] {
  const methods = Object.entries(layers.methods);
  // Each way of finding layers says which phases it applies to: NVTX ranges in eager prefill, the TP pattern in graph decode.
  const where = (k: string) => {
    const ps = layers.methodPhases?.[k as keyof typeof layers.methods];
    if (!ps?.length || methods.length < 2) return '';
    const sorted = [...ps].sort((x, y) => PHASE_ORDER.indexOf(x as never) - PHASE_ORDER.indexOf(y as never));
    const text = sorted.join(' and ');
    return `${text[0]!.toUpperCase()}${text.slice(1)}: layers`;
  };
  return methods.length ? [...methods.map(([k, m]) => para(`${where(k) || 'Layers'} from ${m}.`)), para(LAYER_WINDOWS)] : [para('No layers found.')];
}

/** One phase's GPUs: a table each, or one line for the GPUs that share a reason for having none. */
export function layerBlocks(ps: readonly LayerPhaseResult[]): Block[] {
  const out: Block[] = [];
  const none = new Map<string, string[]>();
  for (const p of ps.filter((x) => x.layers === 0)) {
    const h = layerHeadline(p);
    none.set(h, [...(none.get(h) ?? []), p.label]);
  }
  for (const [h, labels] of none) out.push(para(`${labels.join(', ')}: ${h}`));
  for (const p of ps.filter((x) => x.layers > 0)) {
    const t = layerTable(p);
    const last = t.rows.length - 1;
    out.push({
      kind: 'table',
      title: `${p.label} · ${layerHeadline(p)} · ${t.unit} per step`,
      head: LAYER_HEADER,
      rows: t.rows.map((cells, k) => row(cells, k === last ? 'total' : k === 0 || k === last - 1 ? 'frame' : undefined)),
    });
    const o = outlierText(p);
    if (o) out.push(para(`Outlier layers: ${o}.`));
  }
  return out;
}

/** A phase's layers across the ranks: one row per layer (or band of layers), min / median / max over the GPUs, the slowest GPU. */
function acrossBlocks(x: LayerAcross, ps: readonly LayerPhaseResult[]): Block[] {
  const typical = [...x.rows.map((r) => r.spanNs.median)].sort((a, b) => a - b)[x.rows.length >> 1] ?? 0;
  const [unit, scale, digits] = typical < 1e6 ? ['µs', 1e3, 1] : ['ms', 1e6, 2];
  const f = (ns: number) => (ns / scale).toFixed(digits);
  const rng = (r: Range) => [f(r.min), f(r.median), f(r.max)];
  const blank = ['', '', '', '', ''];
  const per = x.band > 1 ? `per layer, mean over each band of ${x.band} layers` : 'per layer';
  const out: Block[] = [{
    kind: 'table',
    title: `${x.layers} layers per step on ${x.gpus.length === 1 ? x.gpus[0] : `${x.gpus.length} GPUs`} · ${unit} per step, ${per}: each GPU's mean over its steady steps, then min / median / max over the GPUs`,
    head: ['layer', 'min', 'median', 'max', 'slowest GPU', 'attention compute', 'MLP compute', 'exposed comm', 'idle'],
    rows: [
      row(['prologue', ...rng(x.prologueNs), ...blank], 'frame'),
      ...x.rows.map((r) => row([r.name, ...rng(r.spanNs), `${r.slowest.label} +${f(r.slowest.ownNs - r.slowest.medianOwnNs)}`, f(r.attentionComputeNs), f(r.mlpComputeNs), f(r.exposedCommNs), f(r.idleNs)])),
      row(['epilogue', ...rng(x.epilogueNs), ...blank], 'frame'),
      row(['step', ...rng(x.stepSpanNs), ...blank], 'total'),
    ],
    note: 'min / median / max: of the GPUs\' spans (they end at the same collective on every rank, so they hardly differ); slowest GPU: ' +
      'the one the others wait for, with the most time outside communication (compute, copies, idle), by how much over the median GPU; ' +
      'attention compute … idle: medians over the GPUs. One GPU in full: --device N.',
  }];
  for (const l of x.left) out.push(para(`${l.label}: ${l.why}, not in the summary.`));
  const outliers = ps.flatMap((p) => {
    const o = outlierText(p);
    return o ? [`${p.label}: ${o}`] : [];
  });
  if (outliers.length) out.push(para(`Outlier layers: ${outliers.join('; ')}.`));
  return out;
}

export function layersDoc(r: LayersResult): Doc {
  const blocks: Block[] = [];
  for (const phase of PHASE_ORDER) {
    const ps = r.layers.phases.filter((p) => p.phase === phase);
    if (ps.length === 0) continue;
    const x = (r.acrossRanks ?? []).find((a) => a.phase === phase);
    if (!r.device && x && ps.length > 1) {
      blocks.push(heading(2, phaseTitle(phase), `across ${x.gpus.length} GPUs`), ...acrossBlocks(x, ps));
      const none = ps.filter((p) => p.layers === 0);
      if (none.length) blocks.push(...layerBlocks(none));
    } else blocks.push(heading(2, phaseTitle(phase)), ...layerBlocks(ps));
  }
  if (r.notes.length) {
    blocks.push({ kind: 'findings', title: 'Why layers are missing', none: 'none', items: r.notes.map((f) => ({ severity: f.severity, rule: f.rule, message: f.message, recommendation: f.recommendation })) });
  }
  return {
    title: `nsys-tp ${r.tool.version} layers · ${r.trace.paths.join(', ')}${r.device ? ` · ${r.device.label}` : ''}`,
    meta: [stepsPara(r.stepDetection), ...layerMethodParas(r.layers), ...r.warnings.map((w) => para(w, 'warning'))],
    blocks,
  };
}
