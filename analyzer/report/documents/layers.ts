/**
 * The layers report as a document: how layers were found, then per phase and GPU a table of its layers
 * (means over the steady steps, the span's p10…p90), framed by the prologue and epilogue so the spans
 * add up to the step; GPUs without layers for the same reason share one line.
 */
import type { LayerPhaseResult, LayerResult } from '../../results/layers.js';
import type { LayersResult } from '../../results/layersResult.js';
import { heading, para, row, type Block, type Doc, type Para } from '../document.js';
import { LAYER_HEADER, LAYER_WINDOWS, layerHeadline, layerTable, outlierText } from '../layerTable.js';
import { PHASE_ORDER, phaseTitle, stepsPara } from './common.js';

export function layerMethodParas(layers: LayerResult): Para[] {
  const methods = Object.values(layers.methods);
  return methods.length ? [...methods.map((m) => para(`Layers from ${m}.`)), para(LAYER_WINDOWS)] : [para('No layers found.')];
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

export function layersDoc(r: LayersResult): Doc {
  const blocks: Block[] = [];
  for (const phase of PHASE_ORDER) {
    const ps = r.layers.phases.filter((p) => p.phase === phase);
    if (ps.length === 0) continue;
    blocks.push(heading(2, phaseTitle(phase)), ...layerBlocks(ps));
  }
  if (r.notes.length) {
    blocks.push({ kind: 'findings', title: 'Why layers are missing', none: 'none', items: r.notes.map((f) => ({ severity: f.severity, rule: f.rule, message: f.message, recommendation: f.recommendation })) });
  }
  return {
    title: `nsys-tp ${r.tool.version} layers · ${r.trace.paths.join(', ')}`,
    meta: [stepsPara(r.stepDetection), ...layerMethodParas(r.layers), ...r.warnings.map((w) => para(w, 'warning'))],
    blocks,
  };
}
