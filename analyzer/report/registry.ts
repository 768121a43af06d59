/**
 * Renderers by name. Each format turns any result into text from the result alone (no analysis, no
 * trace): JSON writes the result itself; the others lay out the result's document (documents/), so they
 * show the same numbers. A new format is one file in formats/ and one line here.
 */
import { UsageError } from '../errors.js';
import type { Result, ResultKind } from '../contract/results.js';
import { reportCharts, scalingCharts, type Chart } from './charts/reportCharts.js';
import { docOf } from './documents/index.js';
import { renderHtmlDoc } from './formats/html.js';
import { renderJson } from './formats/json.js';
import { renderMarkdownDoc } from './formats/markdown.js';
import { renderTerminalDoc } from './formats/terminal.js';

export type { Result, ResultKind };

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

/**
 * The formats a kind of result renders in, for a command's `--format` and `render`'s alike: every kind
 * has a document (documents/index.ts), so every format renders every kind.
 */
export function formatsOf(_kind: ResultKind): readonly Format[] {
  return FORMATS;
}

/** The charts a result draws (SVG): a diagnosis's classes, timeline and layers; the scaling curve. */
export function chartsOf(r: Result): Promise<Chart[]> {
  return r.kind === 'diagnose' ? reportCharts(r) : r.kind === 'scaling' ? scalingCharts(r) : Promise.resolve([]);
}

export async function render(result: Result, format: Format, options: RenderOptions = {}): Promise<string> {
  const fn = RENDERERS[format];
  if (!fn) throw new UsageError(`unknown format "${format}" (formats: ${FORMATS.join(', ')})`);
  return fn(result, options);
}
