/**
 * Vega-Lite spec → SVG, in-process: vega's headless view with no renderer draws the scenegraph to an SVG
 * string. No canvas package and no browser: text widths are estimated instead of measured.
 */
import type { TopLevelSpec } from 'vega-lite';
import { xmlSafe } from '../format.js';

export async function renderSvg(spec: TopLevelSpec, idPrefix = ''): Promise<string> {
  // Loaded on first use: vega and vega-lite take longer to load (~0.25 s) than most commands take to run.
  const [{ parse, View }, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    // vega escapes markup in text but passes every other character through: an SVG must be XML.
    return scopeIds(xmlSafe(await view.toSVG()), idPrefix);
  } finally {
    view.finalize();
  }
}

/**
 * vega numbers clip paths with a counter shared by every view of the process (`clip1`, then `clip9` for
 * the next chart): the same result would draw different SVG after other charts, and several SVGs inlined
 * in one page could clip each other's marks. Each chart's ids are renumbered from 1, in order, under its
 * prefix.
 */
function scopeIds(svg: string, prefix: string): string {
  const ids = new Map<string, string>();
  for (const m of svg.matchAll(/\sid="([^"]+)"/g)) {
    if (!ids.has(m[1]!)) ids.set(m[1]!, `${prefix ? `${prefix}-` : ''}${m[1]!.replace(/\d+$/, '')}${ids.size + 1}`);
  }
  if (ids.size === 0) return svg;
  return svg.replace(/(\sid="|url\(#|href="#)([^")]+)/g, (all, head: string, id: string) => (ids.has(id) ? `${head}${ids.get(id)}` : all));
}
