/**
 * Per device and phase: each layer averaged over the steps (mean, so that the layers, prologue and
 * epilogue still add up to the mean step), with the spread of its span, and the layers that stand out.
 */
import { median, quantile } from 'd3-array';
import { artifact } from '../artifact.js';
import { steadyStepsOf } from '../steps/steady.js';
import type { Step } from '../steps/types.js';
import { type LayerSource, PHASES, type Phase } from '../contract/vocabulary.js';
import { breakdownStepLayers, type LayerTimes, type StepLayerBreakdown, type WindowTimes } from './layerBreakdown.js';
import type { StepLayers } from './types.js';
import type { LayerPhaseSummary, LayerRow, OutlierLayer, Spread } from '../contract/layers.js';

/** A layer is an outlier when its median span is more than 1.5x the median layer's or under half of it. */
const OUTLIER_HIGH = 1.5;
const OUTLIER_LOW = 0.5;

function spread(xs: number[]): Spread {
  const s = [...xs].sort((a, b) => a - b);
  return {
    mean: s.reduce((a, b) => a + b, 0) / s.length, median: median(s) ?? 0,
    p10: quantile(s, 0.1) ?? 0, p90: quantile(s, 0.9) ?? 0, min: s[0]!, max: s[s.length - 1]!,
  };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const layerSpan = (l: LayerTimes) => l.attention.spanNs + l.mlp.spanNs;
const fmt = (ns: number) => (Math.abs(ns) >= 1e6 ? `${(ns / 1e6).toFixed(1)} ms` : `${(ns / 1e3).toFixed(1)} µs`);

const PARTS: [string, (r: LayerRow) => number][] = [
  ['idle', (r) => r.idleNs],
  ['attention compute', (r) => r.attentionComputeNs],
  ['MLP compute', (r) => r.mlpComputeNs],
  ['exposed comm', (r) => r.exposedCommNs],
  ['copies', (r) => r.copyNs],
];

function outliers(rows: LayerRow[]): OutlierLayer[] {
  if (rows.length < 3) return [];
  const med = median(rows.map((r) => r.spanNs.median)) ?? 0;
  if (!(med > 0)) return [];
  const typical = Object.fromEntries(PARTS.map(([k, f]) => [k, median(rows.map(f)) ?? 0]));
  return rows
    .filter((r) => r.spanNs.median > OUTLIER_HIGH * med || r.spanNs.median < OUTLIER_LOW * med)
    .map((r) => {
      const high = r.spanNs.median > med;
      let best: [string, number] = ['span', r.spanNs.median - med];
      for (const [k, f] of PARTS) {
        const d = f(r) - typical[k]!;
        if (high ? d > best[1] || best[0] === 'span' : d < best[1] || best[0] === 'span') best = [k, d];
      }
      return {
        index: r.index, name: r.name, spanNs: r.spanNs.median, ratio: r.spanNs.median / med,
        cause: `${best[0]} ${best[1] >= 0 ? '+' : '−'}${fmt(Math.abs(best[1]))}`, causeNs: best[1],
      };
    });
}

export function summariseLayers(device: number, phase: Phase, steps: Step[], layers: StepLayers[], breakdowns: (StepLayerBreakdown | null)[]): LayerPhaseSummary | null {
  const mine = steps.filter((s) => s.device === device && s.phase === phase);
  if (mine.length === 0) return null;
  const counts = mine.map((s) => breakdowns[s.index]?.layers.length ?? 0);
  const found = counts.filter((c) => c > 0);
  const sources: Partial<Record<LayerSource, number>> = {};
  const missing: Record<string, number> = {};
  for (const s of mine) {
    const l = layers[s.index]!;
    if (l.source) sources[l.source] = (sources[l.source] ?? 0) + 1;
    else missing[l.reason ?? 'no layers found'] = (missing[l.reason ?? 'no layers found'] ?? 0) + 1;
  }
  const tally = new Map<number, number>();
  for (const c of found) tally.set(c, (tally.get(c) ?? 0) + 1);
  const modal = [...tally].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]?.[0] ?? 0;
  const used = mine.map((s) => breakdowns[s.index]).filter((b): b is StepLayerBreakdown => !!b && b.layers.length === modal && modal > 0);
  const rows: LayerRow[] = [];
  for (let k = 0; k < modal; k++) {
    const ls = used.map((b) => b.layers[k]!);
    const m = (f: (l: LayerTimes) => number) => mean(ls.map(f));
    rows.push({
      index: k,
      name: ls[0]!.name,
      spanNs: spread(ls.map(layerSpan)),
      attentionComputeNs: m((l) => l.attention.computeNs),
      attentionCommNs: m((l) => l.attention.commNs),
      attentionExposedCommNs: m((l) => l.attention.exposedCommNs),
      mlpComputeNs: m((l) => l.mlp.computeNs),
      mlpCommNs: m((l) => l.mlp.commNs),
      mlpExposedCommNs: m((l) => l.mlp.exposedCommNs),
      exposedCommNs: m((l) => l.attention.exposedCommNs + l.mlp.exposedCommNs),
      copyNs: m((l) => l.attention.copyNs + l.mlp.copyNs),
      idleNs: m((l) => l.attention.idleNs + l.mlp.idleNs),
    });
  }
  const w = (f: (b: StepLayerBreakdown) => WindowTimes) => mean(used.map((b) => f(b).spanNs));
  return {
    device, phase, sources, counts, layers: modal, steps: used.length, missing, rows,
    prologueNs: w((b) => b.prologue), epilogueNs: w((b) => b.epilogue),
    stepSpanNs: mean(used.map((b) => b.epilogue.endNs - b.prologue.startNs)),
    outliers: outliers(rows),
  };
}

export interface LayerAnalysis {
  layers: StepLayers[];
  /** Per step index; null where no layers were found. */
  breakdowns: (StepLayerBreakdown | null)[];
  summaries: LayerPhaseSummary[];
}

/** Layers, their per-step breakdowns and per-phase summaries, computed once per analysis. */
export const layerAnalysis = artifact(['model', 'classes', 'stepSet', 'stepLayers'], (a): LayerAnalysis => {
  const { model, classes, stepSet: steps } = a;
  const layers = a.stepLayers;
  const breakdowns = steps.steps.map((s) => breakdownStepLayers(model.ops, classes.opClass, s, layers[s.index]!));
  // The steady steps only, as every other number of the phase: a warm-up step is an outlier, not a layer.
  const summaries: LayerPhaseSummary[] = [];
  for (const d of model.devices) {
    for (const p of PHASES) {
      const s = summariseLayers(d.index, p, steadyStepsOf(steps, d.index, p), layers, breakdowns);
      if (s) summaries.push(s);
    }
  }
  return { layers, breakdowns, summaries };
});

/** Layers per step for the docs/architecture.md §6 JSON: the median over the phase's steps with layers; null if none. */
export const layerCount = artifact(['layers'], (a) => (device: number, phase: Phase): number | null => {
  const s = a.layers.summaries.find((x) => x.device === device && x.phase === phase);
  const found = s?.counts.filter((c) => c > 0) ?? [];
  return found.length ? median(found)! : null;
});
