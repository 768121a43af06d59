/**
 * Vega-Lite spec → SVG, in-process: vega's headless view with no renderer draws the scenegraph to an SVG
 * string. No canvas package and no browser: text widths are estimated instead of measured.
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
