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
 * Every view numbers its clip paths from `clip1`: several SVGs inlined in one page would clip each other's
 * marks. Prefixing the ids (and the references to them) keeps each chart's to itself.
 */
function scopeIds(svg: string, prefix: string): string {
  if (!prefix) return svg;
  const ids = new Set([...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!));
  if (ids.size === 0) return svg;
  return svg.replace(/(\sid="|url\(#|href="#)([^")]+)/g, (all, head: string, id: string) => (ids.has(id) ? `${head}${prefix}-${id}` : all));
}
