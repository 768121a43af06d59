#!/usr/bin/env node
/**
 * The nsys-tp command line: the only place that prints or sets exit codes.
 * Exit codes: 0 done; 1 a --fail-on gate tripped; 2 bad input or usage; 3 internal error.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { createInterface } from 'node:readline';
import { createClassifier } from '../analyzer/classify/classifier.js';
import { renderJson } from '../analyzer/report/json.js';
import { renderMarkdown } from '../analyzer/report/markdown.js';
import { renderTerminal } from '../analyzer/report/terminal.js';
import { renderHtml } from '../analyzer/report/html.js';
import { buildLayerResult } from '../analyzer/report/layerResult.js';
import { renderLayersMarkdown } from '../analyzer/report/layersMarkdown.js';
import { renderLayersTerminal } from '../analyzer/report/layersTerminal.js';
import { TOOL_VERSION, type DiagnoseResult } from '../analyzer/report/result.js';
import { termSafe } from '../analyzer/report/format.js';
import { Analysis } from '../index.js';
import { sliceSpec, writeSlice } from './slice.js';
import { renderCharts, writeCharts } from './charts.js';
import { TraceError } from '../queries/errors.js';
import { loadConfig } from './config.js';
import { writeFileAtomic } from './output.js';
import { gpuFrom, loadModelShape, workloadFrom } from './workload.js';
import { tpPlan, type PlanOptions } from '../analyzer/plan/tpPlan.js';
import { buildPlanResult, renderPlanTerminal } from '../analyzer/report/planReport.js';
import { runPlanRules, sortFindings } from '../rules/engine.js';
import { PLAN_RULES } from '../rules/index.js';
import { collectRuleOption, tripsGate } from './ruleOptions.js';
import { diagnoseFiles, loadWithProgress } from './diagnosis.js';
import { compareTraces } from '../analyzer/compare/compareTraces.js';
import { renderCompareTerminal } from '../analyzer/report/compareTerminal.js';
import { renderCompareMarkdown } from '../analyzer/report/compareMarkdown.js';
import { changeText, regressionsOver } from '../analyzer/compare/verdict.js';
import { scalingCharts, scalingResult } from './scaling.js';
import { renderScalingMarkdown, renderScalingTerminal } from '../analyzer/report/scalingReport.js';
import { attachToReport } from './attach.js';

class ExitError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

function regex(value: string): RegExp {
  try {
    return new RegExp(value);
  } catch (e) {
    throw new InvalidArgumentError(`not a valid regular expression: ${(e as Error).message}`);
  }
}

function seconds(value: string): number {
  const v = Number(value);
  if (!Number.isFinite(v)) throw new InvalidArgumentError('expected a number of seconds');
  return v * 1e9;
}

function tpList(value: string): number[] {
  const tps = value.split(',').map((x) => Number(x.trim()));
  if (tps.some((t) => !Number.isInteger(t) || t < 1)) throw new InvalidArgumentError('expected TP degrees like 1,2,4,8');
  return tps;
}

function positive(value: string): number {
  const v = Number(value);
  if (!(v > 0)) throw new InvalidArgumentError('expected a positive number');
  return v;
}

function percent(value: string): number {
  const v = Number(value);
  if (value.trim() === '' || !Number.isFinite(v) || v < 0) throw new InvalidArgumentError('expected a percentage, e.g. 5');
  return v;
}

function emit(text: string, output: string | undefined, inputs: string[]): void {
  if (output) writeFileAtomic(output, text, inputs);
  else process.stdout.write(text);
}

const program = new Command();
program
  .name('nsys-tp')
  .description('Diagnose tensor-parallel LLM inference from Nsight Systems SQLite exports')
  .version(TOOL_VERSION)
  .configureOutput({ outputError: (str, write) => write(`nsys-tp: ${termSafe(str.replace(/^error: /, '').trimEnd())} (see --help)\n`) })
  .exitOverride();

/** Step selection and config, shared by every command that analyses traces. */
function addAnalysisOptions(cmd: Command): Command {
  return cmd
    .option('--steps <regex>', 'NVTX ranges to use as steps (default: auto-detect prefill/decode/step ranges)', regex)
    .addOption(new Option('--step-source <source>', 'where steps come from when not auto').choices(['nvtx', 'rhythm', 'graph', 'gaps']))
    .option('--from <seconds>', 'only steps starting at or after this time (session clock, s)', seconds)
    .option('--to <seconds>', 'only steps ending at or before this time (session clock, s)', seconds)
    .option('--gap-ms <ms>', 'idle gap separating steps when steps come from gaps', positive)
    .option('--config <file>', 'JSON config: extra kernel classes, rule options')
    .option('--model <preset|config.json>', 'model shape: llama-3.3-70b, qwen-2.5-72b, or a Hugging Face config.json')
    .option('--batch <n>', 'sequences per step (with --model)', positive)
    .option('--prompt <n>', 'prompt tokens per sequence, for prefill (with --model)', positive)
    .option('--dtype <dtype>', 'served dtype when it differs from the config (bf16, fp8)')
    .option('--gpu <name>', 'GPU datasheet to judge against when TARGET_INFO_GPU is missing or wrong (H100, H200, A100, B200)')
    .option('--rule <id.option=value>', 'override a rule threshold for this run (repeatable)', collectRuleOption)
    .addOption(new Option('--fail-on <severity>', 'exit with code 1 when a finding of this severity or worse is reported').choices(['info', 'warning', 'error']));
}

/** Loads the traces, analyses them, runs the rules, and writes what `render` makes of it. */
async function withDiagnosis(traces: string[], opts: Record<string, any>, render: (a: Analysis, r: DiagnoseResult) => Promise<string>): Promise<void> {
  const { analysis, result } = await diagnoseFiles(traces, opts, workloadFrom(opts), gpuFrom(opts.gpu));
  emit(await render(analysis, result), opts.output, traces);
  const tripped = tripsGate(result.findings, opts.failOn);
  if (tripped.length) throw new ExitError(1, `--fail-on ${opts.failOn}: ${tripped.length} finding(s) (${[...new Set(tripped.map((f) => f.rule))].join(', ')})`);
}

const diagnose = program
  .command('diagnose')
  .description('where each GPU\'s step time goes: GEMM, attention, communication, idle; and findings')
  .argument('<traces...>', 'nsys SQLite export(s); several files = one report per rank')
  .addOption(new Option('--format <format>', 'output format').choices(['terminal', 'json', 'md', 'html']).default('terminal'))
  .option('-o, --output <file>', 'write the report to a file instead of stdout')
  .option('--chart <dir>', 'also write the charts as SVG files into this folder');
addAnalysisOptions(diagnose).action(async (traces: string[], opts) => {
  await withDiagnosis(traces, opts, async (analysis, result) => {
    if (opts.format === 'html' || opts.chart) {
      const layers = buildLayerResult(analysis);
      const charts = await renderCharts(analysis, result, layers);
      if (opts.chart) writeCharts(opts.chart, charts, traces);
      if (opts.format === 'html') return renderHtml(result, layers, charts);
    }
    return opts.format === 'json' ? renderJson(result) : opts.format === 'md' ? renderMarkdown(result) : renderTerminal(result);
  });
});

const layers = program
  .command('layers')
  .description('per-layer time for prefill and decode: attention and MLP compute and comm, exposed comm, idle')
  .argument('<traces...>', 'nsys SQLite export(s); several files = one report per rank')
  .addOption(new Option('--format <format>', 'output format').choices(['terminal', 'json', 'md']).default('terminal'))
  .option('-o, --output <file>', 'write the table to a file instead of stdout')
  .option('--chart <dir>', 'also write the charts as SVG files into this folder');
addAnalysisOptions(layers).action(async (traces: string[], opts) => {
  await withDiagnosis(traces, opts, async (analysis, result) => {
    const layerResult = buildLayerResult(analysis);
    if (opts.chart) writeCharts(opts.chart, await renderCharts(analysis, result, layerResult), traces);
    if (opts.format === 'json') {
      const { schemaVersion, tool, trace, stepDetection, warnings } = result;
      return renderJson({ schemaVersion, tool, trace, stepDetection, layers: layerResult, warnings });
    }
    return opts.format === 'md' ? renderLayersMarkdown(result, layerResult) : renderLayersTerminal(result, layerResult);
  });
});

const compare = program
  .command('compare')
  .description('what changed between two traces, beyond noise, and why: step time per phase, classes, layers, collectives, findings')
  .argument('<base>', 'the reference trace (nsys SQLite export)')
  .argument('<new>', 'the trace to review')
  .addOption(new Option('--format <format>', 'output format').choices(['terminal', 'json', 'md']).default('terminal'))
  .option('-o, --output <file>', 'write the comparison to a file instead of stdout')
  .option('--fail-on-regression <pct>', 'exit with code 1 when a phase\'s median step is slower by more than PCT% beyond noise', percent);
addAnalysisOptions(compare).action(async (base: string, next: string, opts) => {
  const workload = workloadFrom(opts);
  const gpu = gpuFrom(opts.gpu);
  const r = compareTraces(await diagnoseFiles([base], opts, workload, gpu), await diagnoseFiles([next], opts, workload, gpu), TOOL_VERSION);
  emit(opts.format === 'json' ? renderJson(r) : opts.format === 'md' ? renderCompareMarkdown(r) : renderCompareTerminal(r), opts.output, [base, next]);
  const slower = opts.failOnRegression === undefined ? [] : regressionsOver(r.verdict, opts.failOnRegression / 100);
  if (slower.length) throw new ExitError(1, `--fail-on-regression ${opts.failOnRegression}: ${slower.map((c) => `${c.phase} ${changeText(c.change, c.verdict)}`).join(', ')}`);
  const tripped = tripsGate(r.findings.added.map((f) => ({ ...f, evidence: {}, recommendation: '' })), opts.failOn);
  if (tripped.length) throw new ExitError(1, `--fail-on ${opts.failOn}: ${tripped.length} finding(s) added (${[...new Set(tripped.map((f) => f.rule))].join(', ')})`);
});

program
  .command('scaling')
  .description('traces of one model at several TP degrees: step time, tokens/s per replica and per GPU, efficiency, $/MTok, which TP to serve at')
  .argument('<traces...>', 'one nsys SQLite export per TP degree (TP is read from each trace)')
  .requiredOption('--batch <n>', 'tokens per decode step (sequences in the batch)', positive)
  .option('--prompt <n>', 'prompt tokens per sequence: prefill tokens per step = batch × prompt', positive)
  .option('--gpu-hour-price <usd>', 'price of one GPU-hour, for $ per million tokens', positive)
  .option('--context <n>', 'tokens of context per sequence: recommends the cheapest TP whose weights and KV cache fit (needs --model)', positive)
  .option('--model <preset|config.json>', 'model shape: llama-3.3-70b, qwen-2.5-72b, or a Hugging Face config.json')
  .option('--dtype <dtype>', 'served dtype when it differs from the config (bf16, fp8)')
  .option('--gpu <name>', 'GPU datasheet when the traces do not name a known one (H100, H200, A100, B200)')
  .option('--memory-utilization <f>', 'fraction of GPU memory the server may use, for the fit check', positive, 0.9)
  .option('--steps <regex>', 'NVTX ranges to use as steps (default: auto-detect prefill/decode/step ranges)', regex)
  .addOption(new Option('--step-source <source>', 'where steps come from when not auto').choices(['nvtx', 'rhythm', 'graph', 'gaps']))
  .option('--config <file>', 'JSON config: extra kernel classes, rule options')
  .option('--rule <id.option=value>', 'override a rule threshold for this run (repeatable)', collectRuleOption)
  .addOption(new Option('--format <format>', 'output format').choices(['terminal', 'json', 'md']).default('terminal'))
  .option('-o, --output <file>', 'write the table to a file instead of stdout')
  .option('--chart <dir>', 'also write the scaling curve as DIR/scaling.svg')
  .addOption(new Option('--fail-on <severity>', 'exit with code 1 when a finding of this severity or worse is reported').choices(['info', 'warning', 'error']))
  .action(async (traces: string[], opts) => {
    const r = await scalingResult(traces, opts, TOOL_VERSION);
    if (opts.chart) writeCharts(opts.chart, await scalingCharts(r), traces);
    emit(opts.format === 'json' ? renderJson(r) : opts.format === 'md' ? renderScalingMarkdown(r) : renderScalingTerminal(r), opts.output, traces);
    const tripped = tripsGate(r.findings, opts.failOn);
    if (tripped.length) throw new ExitError(1, `--fail-on ${opts.failOn}: ${tripped.length} finding(s) (${[...new Set(tripped.map((f) => f.rule))].join(', ')})`);
  });

const attach = program
  .command('attach')
  .description('add the trace\'s summary and findings to a benchmark report of the same run (vllm bench serve --save-result JSON, or Markdown)')
  .argument('<report>', 'benchmark result JSON (or Markdown with --format md), updated in place')
  .argument('<traces...>', 'the run\'s nsys SQLite export(s); several files = one report per rank')
  .addOption(new Option('--format <format>', 'json: add an "nsysTp" member; md: append a findings section').choices(['json', 'md']).default('json'));
addAnalysisOptions(attach).action(async (report: string, traces: string[], opts) => {
  const r = await attachToReport(report, traces, opts.format, opts, workloadFrom(opts), gpuFrom(opts.gpu));
  process.stderr.write(`nsys-tp: ${r.replaced ? 'replaced the nsys-tp section of' : 'added an nsys-tp section to'} ${termSafe(report)} (${r.findings.length} finding(s))\n`);
  const tripped = tripsGate(r.findings, opts.failOn);
  if (tripped.length) throw new ExitError(1, `--fail-on ${opts.failOn}: ${tripped.length} finding(s) (${[...new Set(tripped.map((f) => f.rule))].join(', ')})`);
});

program
  .command('plan')
  .description('TP plan check: weights, heads and KV per rank, FP8 block alignment, all-reduce cost per token, KV cache room')
  .requiredOption('--model <preset|config.json>', 'llama-3.3-70b, qwen-2.5-72b, or a Hugging Face config.json')
  .option('--tp <list>', 'TP degrees to compare', tpList, [1, 2, 4, 8])
  .option('--gpu <name>', 'GPU (H100, H200, A100, B200)', 'H100')
  .option('--batch <n>', 'decode batch (sequences per step)', positive, 1)
  .option('--context <n>', 'tokens of context per sequence: checks the KV cache fits', positive)
  .option('--dtype <dtype>', 'weight dtype when it differs from the config (bf16, fp8)')
  .option('--memory-utilization <f>', 'fraction of GPU memory the server may use', positive, 0.9)
  .addOption(new Option('--format <format>', 'output format').choices(['terminal', 'json']).default('terminal'))
  .option('-o, --output <file>', 'write to a file instead of stdout')
  .option('--rule <id.option=value>', 'override a rule option (repeatable)', collectRuleOption)
  .action((opts) => {
    const model = loadModelShape(opts.model, opts.dtype);
    const gpu = gpuFrom(opts.gpu)!;
    const o: PlanOptions = { tps: opts.tp, gpu, batch: opts.batch, context: opts.context ?? null, memoryUtilization: opts.memoryUtilization, activationBytes: 2 };
    const plans = tpPlan(model, o);
    const findings = sortFindings(plans.flatMap((p) => runPlanRules(model, p, PLAN_RULES, { options: opts.rule })));
    const result = buildPlanResult(model, o, plans, findings);
    emit(opts.format === 'json' ? renderJson(result) : renderPlanTerminal(result), opts.output, []);
  });

program
  .command('classify')
  .description('classify kernel names read from stdin, one per line: prints class<TAB>name')
  .option('--config <file>', 'JSON config with extra kernelClasses rows')
  .action(async (opts) => {
    const classifier = createClassifier(loadConfig(opts.config).kernelClasses);
    const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of rl) {
      const name = line.replace(/\r$/, '');
      if (!name.trim()) continue;
      const c = classifier.classify(name, name);
      process.stdout.write(`${c.class === 'communication' ? `communication:${c.op}` : c.class}\t${termSafe(name)}\n`);
    }
  });

program
  .command('slice')
  .description('write a small export holding only the chosen steps (all devices), readable by nsys-tp')
  .argument('<trace>', 'nsys SQLite export')
  .option('--steps <regex>', 'NVTX ranges to keep (their GPU work on every device is kept); without it, the steps found as diagnose finds them, inside --from / --to', regex)
  .requiredOption('-o, --output <file>', 'the new .sqlite file')
  .option('--from <seconds>', 'only steps starting at or after this time (session clock, s)', seconds)
  .option('--to <seconds>', 'only steps ending at or before this time (session clock, s)', seconds)
  .option('--pad-ms <ms>', 'extra time kept before and after each step', positive)
  .action(async (trace: string, opts) => {
    if (!opts.steps && opts.from === undefined && opts.to === undefined) throw new TraceError('slice needs --steps REGEX, or a window with --from / --to');
    const model = await loadWithProgress([trace], [trace]);
    const analysis = new Analysis(model, { steps: { steps: opts.steps, from: opts.from, to: opts.to } });
    if (analysis.steps.steps.length === 0) throw new TraceError(opts.steps ? `no steps match --steps ${opts.steps.source}: nothing to slice` : 'no steps inside --from / --to: nothing to slice');
    const spec = sliceSpec(model, analysis.steps.steps, (opts.padMs ?? 0) * 1e6);
    const stats = writeSlice(trace, opts.output, spec);
    process.stderr.write(
      `nsys-tp: wrote ${termSafe(opts.output)}: ${analysis.steps.steps.length} steps on ${model.devices.length} device(s), ` +
        `${stats.rowsKept} of ${stats.rowsRead} rows\n`,
    );
  });

async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    const code = (e as { code?: string; exitCode?: number }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      // commander already printed its message; help and version exit 0.
      process.exitCode = code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help' ? 0 : 2;
      return;
    }
    if (e instanceof TraceError) {
      process.stderr.write(`nsys-tp: ${termSafe(e.message)}\n`);
      process.exitCode = 2;
      return;
    }
    if (e instanceof ExitError) {
      if (e.message) process.stderr.write(`nsys-tp: ${termSafe(e.message)}\n`);
      process.exitCode = e.code;
      return;
    }
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`nsys-tp: internal error: ${termSafe(msg.split('\n')[0]!)} (set NSYS_TP_DEBUG=1 for details)\n`);
    if (process.env.NSYS_TP_DEBUG) process.stderr.write(`${(e as Error).stack ?? ''}\n`);
    process.exitCode = 3;
  }
}

void main();
