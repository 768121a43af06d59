/**
 * Renderers by name. Each format turns any result into text from the result alone (no analysis, no
 * trace): JSON writes the result itself; the others lay out the result's document (documents/), so they
 * show the same numbers. A new format is one file in formats/ and one line here.
 */
import { UsageError } from '../errors.js';
import type { AttachResult } from '../results/attach.js';
import type { CompareResult } from '../results/compare.js';
import type { DiagnoseResult } from '../results/diagnose.js';
import type { LayersResult } from '../results/layersResult.js';
import type { PlanResult } from '../results/plan.js';
import type { ScalingResult } from '../results/scaling.js';
import type { StepsResult } from '../results/steps.js';
import type { KernelsResult } from '../results/kernels.js';
import type { DoctorResult } from '../results/doctor.js';
import { reportCharts, scalingCharts, type Chart } from './charts/reportCharts.js';
import { docOf } from './documents/index.js';
import { renderHtmlDoc } from './formats/html.js';
import { renderJson } from './formats/json.js';
import { renderMarkdownDoc } from './formats/markdown.js';
import { renderTerminalDoc } from './formats/terminal.js';

export type Result = DiagnoseResult | LayersResult | StepsResult | KernelsResult | CompareResult | ScalingResult | PlanResult | AttachResult | DoctorResult;
export type ResultKind = Result['kind'];

export interface RenderOptions {
  /** Terminal: columns per line (default 100) and whether to colour severities and headings. */
  width?: number;
  color?: boolean;
  /** Terminal: the findings only (`--quiet`). */
  quiet?: boolean;
}

const RENDERERS = {
  terminal: (r: Result, o: RenderOptions) => renderTerminalDoc(docOf(r), o),
  json: (r: Result) => renderJson(r),
  md: (r: Result) => renderMarkdownDoc(docOf(r)),
  html: async (r: Result) => renderHtmlDoc(docOf(r), await chartsOf(r)),
} satisfies Record<string, (r: Result, o: RenderOptions) => string | Promise<string>>;

export type Format = keyof typeof RENDERERS;
export const FORMATS = Object.keys(RENDERERS) as Format[];

/** The charts a result draws (SVG): a diagnosis's classes, timeline and layers; the scaling curve. */
export function chartsOf(r: Result): Promise<Chart[]> {
  return r.kind === 'diagnose' ? reportCharts(r) : r.kind === 'scaling' ? scalingCharts(r) : Promise.resolve([]);
}

export async function render(result: Result, format: Format, options: RenderOptions = {}): Promise<string> {
  const fn = RENDERERS[format];
  if (!fn) throw new UsageError(`unknown format "${format}" (formats: ${FORMATS.join(', ')})`);
  return fn(result, options);
}
