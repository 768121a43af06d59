/**
 * The per-layer table shared by the terminal, Markdown and HTML renderers: one row per layer (means over
 * the steps, the span's p10…p90), framed by the prologue and epilogue rows so the column of spans adds up
 * to the step row. Cells are plain strings; each renderer escapes them its own way.
 */
import type { LayerPhaseResult } from '../contract/layers.js';

export const LAYER_WINDOWS =
  'A layer runs from its first kernel to the next layer\'s first kernel, its MLP from the MLP block\'s first ' +
  'kernel; times are means over the steps, and prologue + layers + epilogue = step.';

export const LAYER_HEADER = ['layer', 'span', 'p10…p90', 'attention compute', 'attention comm', 'MLP compute', 'MLP comm', 'exposed comm', 'copies', 'idle'];

export interface LayerTable {
  /** 'µs' or 'ms': chosen so a typical layer reads with a few digits. */
  unit: string;
  rows: string[][];
}

export function layerTable(p: LayerPhaseResult): LayerTable {
  const spans = p.rows.map((r) => r.spanNs.median).sort((a, b) => a - b);
  const typical = spans[spans.length >> 1] ?? 0;
  const [unit, scale, digits] = typical < 1e6 ? ['µs', 1e3, 1] : ['ms', 1e6, 2];
  const f = (ns: number) => (ns / scale).toFixed(digits);
  const rows: string[][] = [];
  const blank = Array(LAYER_HEADER.length - 2).fill('');
  rows.push(['prologue', f(p.prologueNs), ...blank]);
  for (const r of p.rows) {
    rows.push([
      r.name, f(r.spanNs.mean), `${f(r.spanNs.p10)}…${f(r.spanNs.p90)}`,
      f(r.attentionComputeNs), f(r.attentionCommNs), f(r.mlpComputeNs), f(r.mlpCommNs), f(r.exposedCommNs), f(r.copyNs), f(r.idleNs),
    ]);
  }
  rows.push(['epilogue', f(p.epilogueNs), ...blank]);
  rows.push(['step', f(p.stepSpanNs), ...blank]);
  return { unit, rows };
}

/** `8 layers per step (18 steps)`, or why there are none. */
export function layerHeadline(p: LayerPhaseResult): string {
  const total = p.counts.length;
  if (p.layers === 0) {
    const why = Object.entries(p.missing).map(([r, n]) => `${r} (${n} step${n === 1 ? '' : 's'})`).join('; ');
    return `no layers found: ${why}`;
  }
  const other = p.counts.filter((c) => c !== p.layers);
  const odd = other.length ? `; ${other.length} other step${other.length === 1 ? '' : 's'} with ${[...new Set(other)].join('/')} layers not averaged` : '';
  return `${p.layers} layers per step (mean over ${p.steps} of ${total} step${total === 1 ? '' : 's'}${odd})`;
}

export function outlierText(p: LayerPhaseResult): string | null {
  if (p.outliers.length === 0) return null;
  return p.outliers.map((o) => `${o.name} ${o.ratio >= 10 ? o.ratio.toFixed(0) : o.ratio.toFixed(1)}× the median layer (${o.cause})`).join('; ');
}
