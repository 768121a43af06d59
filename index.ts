/**
 * nsys-tp as a library: load exports, analyse, run the rules, build the Result every format renders.
 */
import { readRawTrace } from './queries/raw.js';
import { buildModel } from './analyzer/model/build.js';
import type { TraceModel } from './analyzer/model/types.js';
import { Analysis, type AnalysisOptions } from './analyzer/analysis.js';
import { buildResult, type DiagnoseResult } from './analyzer/report/result.js';
import { runRules, type RunOptions } from './rules/engine.js';
import { layerCount } from './analyzer/layers/layerSummary.js';
import { RULES } from './rules/index.js';

export { Analysis, buildModel, readRawTrace, RULES, runRules };
export type { AnalysisOptions, DiagnoseResult, TraceModel };

/** Reads one export, or several (one per rank) put on one clock. */
export function loadTrace(paths: string | string[]): TraceModel {
  const list = Array.isArray(paths) ? paths : [paths];
  return buildModel(list.map((p) => readRawTrace(p)));
}

export interface DiagnoseOptions extends AnalysisOptions {
  rules?: RunOptions;
}

export function diagnoseModel(model: TraceModel, options: DiagnoseOptions = {}): { analysis: Analysis; result: DiagnoseResult } {
  const analysis = new Analysis(model, options);
  const findings = runRules(analysis, RULES, options.rules);
  return { analysis, result: buildResult(analysis, findings, { layers: layerCount(analysis) }) };
}
