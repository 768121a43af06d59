/**
 * Charts and the HTML page for the CLI: builds the per-layer result and the timeline, renders the charts
 * (async: vega), and writes `--chart DIR` files.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Analysis } from '../analyzer/analysis.js';
import { stepTimeline } from '../analyzer/breakdown/stepTimeline.js';
import { reportCharts, type Chart } from '../analyzer/report/charts/reportCharts.js';
import type { LayerResult } from '../analyzer/report/layerResult.js';
import type { DiagnoseResult } from '../analyzer/report/result.js';
import { TraceError } from '../queries/errors.js';
import { writeErrorText, writeFileAtomic } from './output.js';

export function renderCharts(analysis: Analysis, result: DiagnoseResult, layers: LayerResult): Promise<Chart[]> {
  return reportCharts(result, layers, stepTimeline(analysis));
}

/** Writes each chart as DIR/<name>.svg; returns the paths written. */
export function writeCharts(dir: string, charts: Chart[], inputs: string[]): string[] {
  // One level only: Node 20's recursive mkdir never returns under /proc, and a mistyped parent is
  // better reported than created.
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new TraceError(`${dir}: not a folder (--chart takes a folder for the SVG files)`);
  } else {
    try {
      mkdirSync(dir);
    } catch (e) {
      throw new TraceError(`${dir}: cannot create the chart folder (${writeErrorText(e)})`);
    }
  }
  return charts.map((c) => {
    const path = join(dir, `${c.name}.svg`);
    writeFileAtomic(path, c.svg, inputs);
    return path;
  });
}
