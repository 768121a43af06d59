/**
 * The result of `layers`: the per-layer section of a diagnosis with what frames it (trace, steps,
 * warnings) and the findings that explain missing layers.
 */
import type { Finding } from '../../rules/types.js';
import type { DiagnoseResult } from './diagnose.js';
import type { LayerResult } from './layers.js';
import type { Tool } from './tool.js';

export interface LayersResult {
  schemaVersion: 1;
  kind: 'layers';
  tool: Tool;
  trace: DiagnoseResult['trace'];
  stepDetection: DiagnoseResult['stepDetection'];
  layers: LayerResult;
  warnings: string[];
  /** Findings about why layers cannot be seen (graph-kernels-hidden). */
  notes: Finding[];
}

/** Rules whose findings say why layers are missing. */
const LAYER_NOTES = new Set(['graph-kernels-hidden']);

export function layersResultOf(d: DiagnoseResult): LayersResult {
  const { schemaVersion, tool, trace, stepDetection, layers, warnings } = d;
  return { schemaVersion, kind: 'layers', tool, trace, stepDetection, layers, warnings, notes: d.findings.filter((f) => LAYER_NOTES.has(f.rule)) };
}
