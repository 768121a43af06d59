/**
 * `nsys-tp scaling`: each trace diagnosed on its own, the rows put side by side by TP, the cross-trace
 * rules run, the recommendation made (with --context and --model), the chart drawn (--chart DIR).
 */
import type { Chart } from '../analyzer/report/charts/reportCharts.js';
import { renderSvg } from '../analyzer/report/charts/render.js';
import { scalingChartSpec } from '../analyzer/report/charts/scalingChart.js';
import { gpuOf } from '../analyzer/roofline/achievement.js';
import { layerCount } from '../analyzer/layers/layerSummary.js';
import { recommendTp } from '../analyzer/scaling/recommendTp.js';
import { throughputTrap, type ScalingResult } from '../analyzer/scaling/scalingResult.js';
import { scalingTable, type ScalingInput } from '../analyzer/scaling/scalingTable.js';
import { TraceError } from '../queries/errors.js';
import { runScalingRules } from '../rules/engine.js';
import { SCALING_RULES } from '../rules/index.js';
import { loadConfig } from './config.js';
import { diagnoseFiles, type DiagnosisOptions } from './diagnosis.js';
import { mergeRuleOptions } from './ruleOptions.js';
import { gpuFrom, loadModelShape } from './workload.js';

export interface ScalingCliOptions extends DiagnosisOptions {
  batch: number;
  prompt?: number;
  gpuHourPrice?: number;
  context?: number;
  model?: string;
  dtype?: string;
  gpu?: string;
  memoryUtilization: number;
}

export async function scalingResult(traces: string[], o: ScalingCliOptions, version: string): Promise<ScalingResult> {
  if (traces.length < 2) throw new TraceError('scaling needs two or more traces of the same model at different TP degrees');
  if (o.context && !o.model) throw new TraceError('--context needs --model (a preset or a config.json) to check that weights and KV cache fit');
  const model = o.model !== undefined ? loadModelShape(o.model, o.dtype) : null;
  const gpu = gpuFrom(o.gpu);
  const workload = model ? { model, batch: o.batch, prompt: o.prompt } : undefined;
  const inputs: ScalingInput[] = [];
  for (const path of traces) {
    const { analysis, result } = await diagnoseFiles([path], o, workload, gpu);
    if (!analysis.phases.some((p) => p.phase === 'decode' || p.phase === 'prefill')) {
      throw new TraceError(`${path}: no prefill or decode steps (steps: ${analysis.steps.description}); name them with --steps`);
    }
    inputs.push({ analysis, findings: result.findings, path, layers: layerCount(analysis)(0, 'decode') ?? layerCount(analysis)(0, 'prefill') });
  }
  const opts = { batch: o.batch, prompt: o.prompt ?? null, gpuHourPrice: o.gpuHourPrice ?? null };
  const rows = scalingTable(inputs, opts);
  for (let i = 1; i < rows.length; i++) {
    if (rows[i]!.tp === rows[i - 1]!.tp) throw new TraceError(`${rows[i - 1]!.path} and ${rows[i]!.path} are both TP=${rows[i]!.tp}: scaling takes one trace per TP degree`);
  }
  const warnings: string[] = [];
  const layers = [...new Set(rows.map((r) => r.layers).filter((l) => l !== null))];
  if (layers.length > 1) warnings.push(`the traces have different layer counts (${layers.join(', ')}): not the same model, so the scaling compares different work`);
  const gpus = [...new Set(rows.map((r) => r.gpuName ?? 'unknown GPU'))];
  if (gpus.length > 1) warnings.push(`the traces ran on different GPUs (${gpus.join(', ')})`);
  if (model && layers.length === 1 && layers[0] !== model.layers) {
    warnings.push(`--model has ${model.layers} layers but the traces' steps have ${layers[0]}: the fit check uses --model's, the throughput the traces'`);
  }
  const config = loadConfig(o.config);
  const findings = runScalingRules(rows, SCALING_RULES, { options: mergeRuleOptions(config.rules, o.rule), disabled: config.disabledRules });
  let recommendation = null;
  if (o.context && model) {
    const spec = gpu ?? gpuOf(inputs[0]!.analysis, 0);
    if (!spec) throw new TraceError('--context: the traces do not name a GPU this tool knows; pass --gpu H100|H200|A100|B200');
    recommendation = recommendTp(rows, model, spec, o.batch, o.context, o.memoryUtilization);
  }
  return {
    schemaVersion: 1, tool: { name: 'nsys-tp', version }, options: opts, rows,
    trap: throughputTrap(rows, opts), recommendation, findings, warnings,
  };
}

export async function scalingCharts(r: ScalingResult): Promise<Chart[]> {
  const spec = scalingChartSpec(r);
  return spec ? [{ name: 'scaling', title: 'TP scaling, decode', svg: await renderSvg(spec, 'scaling') }] : [];
}
