/** Colours shared by every chart, so a class or a layer part reads the same everywhere (Tableau 10). */
import type { KernelClass } from '../../contract/vocabulary.js';

export const CLASS_COLORS: Record<KernelClass | 'idle', string> = {
  gemm: '#4e79a7',
  attention: '#f28e2b',
  communication: '#e15759',
  norm: '#76b7b2',
  elementwise: '#59a14f',
  memory: '#edc948',
  moe: '#b07aa1',
  other: '#9c755f',
  idle: '#d9d9d9',
};

/** The parts of a layer's window; they add up to its span. */
export const LAYER_PARTS = ['attention compute', 'attention comm (exposed)', 'MLP compute', 'MLP comm (exposed)', 'copies', 'idle'] as const;
export type LayerPart = (typeof LAYER_PARTS)[number];

export const LAYER_PART_COLORS: Record<LayerPart, string> = {
  'attention compute': '#f28e2b',
  'attention comm (exposed)': '#9d2a25',
  'MLP compute': '#4e79a7',
  'MLP comm (exposed)': '#e15759',
  copies: '#edc948',
  idle: '#d9d9d9',
};

/** Chart defaults: system fonts only (the HTML report loads nothing), white background. */
export const CHART_CONFIG = {
  font: 'sans-serif',
  background: 'white',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal' as const },
  legend: { labelFontSize: 11, titleFontSize: 11, labelLimit: 400 },
  title: { fontSize: 13, anchor: 'start' as const, subtitleFontSize: 11, subtitleColor: '#555' },
};
