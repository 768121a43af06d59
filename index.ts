/**
 * nsys-tp as a library: load exports, analyse, run the rules, build the Result every format renders.
 */
import { readTraceInput } from './queries/nsysTrace.js';
import { readTraceInputs } from './queries/parallelRead.js';
import type { LoadProgress, ProgressCallback } from './queries/progress.js';
import { buildModel } from './analyzer/model/build.js';
import type { TraceModel } from './analyzer/model/types.js';
import { Analysis, type AnalysisOptions } from './analyzer/analysis.js';
import { buildResult, type DiagnoseResult } from './analyzer/report/result.js';
import { runPlanRules, runRules, sortFindings, type RunOptions } from './rules/engine.js';
import { layerCount } from './analyzer/layers/layerSummary.js';
import { PLAN_RULES, RULES } from './rules/index.js';
import { planRow } from './analyzer/plan/tpPlan.js';
import { gpuOf, tpDegree } from './analyzer/roofline/achievement.js';

export { Analysis, buildModel, readTraceInput, RULES, runRules };
export type { AnalysisOptions, DiagnoseResult, LoadProgress, ProgressCallback, TraceModel };

/** Reads one export, or several (one per rank) put on one clock. */
export function loadTrace(paths: string | string[]): TraceModel {
  const list = Array.isArray(paths) ? paths : [paths];
  return buildModel(list.map((p) => readTraceInput(p)));
}

/**
 * loadTrace for big traces, reading on several cores: each file's tables split among worker threads (one
 * per core unless `workers` says). `onProgress` hears rows read against the rows to read, over all files.
 */
export async function loadTraces(paths: string | string[], options: { onProgress?: ProgressCallback; workers?: number } = {}): Promise<TraceModel> {
  const list = Array.isArray(paths) ? paths : [paths];
  return buildModel(await readTraceInputs(list, options));
}

export interface DiagnoseOptions extends AnalysisOptions {
  rules?: RunOptions;
}

export function diagnoseModel(model: TraceModel, options: DiagnoseOptions = {}): { analysis: Analysis; result: DiagnoseResult } {
  const analysis = new Analysis(model, options);
  const findings = runRules(analysis, RULES, options.rules);
  // With a model, the plan checks run for the TP degree the trace shows.
  const w = options.workload;
  const gpu = gpuOf(analysis, 0);
  if (w && gpu) {
    const plan = planRow(w.model, tpDegree(analysis), { tps: [], gpu, batch: w.batch, context: w.prompt ?? null, memoryUtilization: 0.9, activationBytes: 2 });
    findings.push(...runPlanRules(w.model, plan, PLAN_RULES, options.rules));
  }
  return { analysis, result: buildResult(analysis, sortFindings(findings), { layers: layerCount(analysis) }) };
}

export { compareTraces, type CompareResult } from './analyzer/compare/compareTraces.js';
export { scalingTable, type ScalingRow } from './analyzer/scaling/scalingTable.js';
export { recommendTp } from './analyzer/scaling/recommendTp.js';
export { SCALING_RULES } from './rules/index.js';
