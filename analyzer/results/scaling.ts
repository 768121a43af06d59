/**
 * The result of `scaling`: traces of one model at several TP degrees side by side (the table), the
 * per-GPU throughput trap in plain words, the TP to serve at (with a context and a model), the cross-trace
 * findings, and what makes the comparison shaky (different layer counts or GPUs).
 */
import { recommendTp } from '../across/scaling/recommendTp.js';
import type { ScalingOptions, ScalingRow, TpRecommendation } from '../contract/scaling.js';
import { scalingTable } from '../across/scaling/scalingTable.js';
import { throughputTrap } from '../across/scaling/throughputTrap.js';
import { BadInputError } from '../errors.js';
import { GPU_SPECS, type GpuSpec } from '../hardware/gpuSpecs.js';
import type { ModelShape } from '../contract/plan.js';
import type { TraceSummary } from '../contract/summary.js';
import type { Finding, RuleNotRun } from '../contract/findings.js';
import { runScalingRules, type RunOptions } from '../../rules/engine.js';
import { SCALING_RULES } from '../../rules/index.js';
import { TOOL } from '../contract/tool.js';
import type { ScalingResult } from '../contract/results.js';


export interface ScalingConfig extends ScalingOptions {
  /** For the fit check and recommendation (with `context`). */
  model?: ModelShape;
  context?: number;
  gpu?: GpuSpec | null;
  memoryUtilization?: number;
  rules?: RunOptions;
}

export function buildScalingResult(summaries: readonly TraceSummary[], c: ScalingConfig): ScalingResult {
  const opts: ScalingOptions = { batch: c.batch, prompt: c.prompt, gpuHourPrice: c.gpuHourPrice };
  const rows = scalingTable(summaries, opts);
  for (let i = 1; i < rows.length; i++) {
    if (rows[i]!.tp === rows[i - 1]!.tp) throw new BadInputError(`${rows[i - 1]!.path} and ${rows[i]!.path} are both TP=${rows[i]!.tp}: scaling takes one trace per TP degree`);
  }
  const warnings: string[] = [];
  const layers = [...new Set(rows.map((r) => r.layers).filter((l) => l !== null))];
  if (layers.length > 1) warnings.push(`the traces have different layer counts (${layers.join(', ')}): not the same model, so the scaling compares different work`);
  const gpus = [...new Set(rows.map((r) => r.gpuName ?? 'unknown GPU'))];
  if (gpus.length > 1) warnings.push(`the traces ran on different GPUs (${gpus.join(', ')})`);
  const { model } = c;
  if (model && layers.length === 1 && layers[0] !== model.layers) {
    warnings.push(`--model has ${model.layers} layers but the traces' steps have ${layers[0]}: the fit check uses --model's, the throughput the traces'`);
  }
  const { findings, notRun } = runScalingRules(rows, SCALING_RULES, c.rules);
  let recommendation = null;
  if (c.context && model) {
    if (!c.gpu) throw new BadInputError(`--context: the traces do not name a GPU this tool knows; pass --gpu ${GPU_SPECS.map((g) => g.key).join('|')}`);
    recommendation = recommendTp(rows, model, c.gpu, c.batch, c.context, c.memoryUtilization ?? 0.9);
  }
  return { schemaVersion: 1, kind: 'scaling', tool: TOOL, options: opts, rows, trap: throughputTrap(rows, opts), recommendation, findings, notRun, warnings };
}
