/**
 * Renderers by name: each format turns any result it supports into text, from the result alone (no
 * analysis, no trace), so a saved JSON result renders again and every format shows the same numbers.
 */
import { UsageError } from '../errors.js';
import type { AttachResult } from '../results/attach.js';
import type { CompareResult } from '../results/compare.js';
import type { DiagnoseResult } from '../results/diagnose.js';
import type { LayersResult } from '../results/layersResult.js';
import type { PlanResult } from '../results/plan.js';
import type { ScalingResult } from '../results/scaling.js';
import { renderCompareMarkdown } from './compareMarkdown.js';
import { renderCompareTerminal } from './compareTerminal.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderLayersMarkdown } from './layersMarkdown.js';
import { renderLayersTerminal } from './layersTerminal.js';
import { renderMarkdown } from './markdown.js';
import { renderPlanTerminal } from './planReport.js';
import { renderScalingMarkdown, renderScalingTerminal } from './scalingReport.js';
import { renderTerminal } from './terminal.js';
import { termSafe } from './format.js';

export type Result = DiagnoseResult | LayersResult | CompareResult | ScalingResult | PlanResult | AttachResult;
export type ResultKind = Result['kind'];
export type Format = 'terminal' | 'json' | 'md' | 'html';
export const FORMATS: readonly Format[] = ['terminal', 'json', 'md', 'html'];

type ByKind = { [K in ResultKind]?: (r: Extract<Result, { kind: K }>) => string | Promise<string> };

function attachLine(r: AttachResult): string {
  return `nsys-tp: ${r.replaced ? 'replaced the nsys-tp section of' : 'added an nsys-tp section to'} ${termSafe(r.report)} (${r.findings.length} finding(s))\n`;
}

const RENDERERS: Record<Format, ByKind> = {
  terminal: {
    diagnose: renderTerminal, layers: renderLayersTerminal, compare: renderCompareTerminal, scaling: renderScalingTerminal,
    plan: renderPlanTerminal, attach: attachLine,
  },
  json: { diagnose: renderJson, layers: renderJson, compare: renderJson, scaling: renderJson, plan: renderJson, attach: renderJson },
  md: { diagnose: renderMarkdown, layers: renderLayersMarkdown, compare: renderCompareMarkdown, scaling: renderScalingMarkdown },
  html: { diagnose: renderHtml },
};

/** The formats a kind of result renders to. */
export function formatsOf(kind: ResultKind): Format[] {
  return FORMATS.filter((f) => RENDERERS[f][kind] !== undefined);
}

export async function render(result: Result, format: Format): Promise<string> {
  const fn = RENDERERS[format][result.kind] as ((r: Result) => string | Promise<string>) | undefined;
  if (!fn) throw new UsageError(`a ${result.kind} result has no ${format} format (formats: ${formatsOf(result.kind).join(', ')})`);
  return fn(result);
}
