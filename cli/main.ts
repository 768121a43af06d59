#!/usr/bin/env node
/**
 * The nsys-tp command line: the only place that prints or sets exit codes.
 * Exit codes: 0 done; 1 a --fail-on gate tripped (doctor: the capture has gaps); 2 bad input or usage
 * (doctor: also a capture that is not a TP capture); 3 internal error.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  attach, BadInputError, chartsOf, classifier, compare, diagnose, doctor, explainRule, exportPerfetto, kernelsResultOf, layersResultOf, NsysTpError, parseResult, perfettoJson,
  plan, render, ruleCatalogue, scaling, slice, stepsResultOf, TOOL_VERSION, UsageError,
  EXPORT_FORMATS, FORMATS, formatsOf, REPORT_FORMATS, RESULT_KINDS, SEVERITIES, STEP_SOURCES,
  type CompareSide, type DiagnoseResult, type Finding, type Format, type PlanOptions, type Result, type ResultKind,
} from '../index.js';
import { changeText, GPU_SPECS, regressionsOver } from '../runner/frontend.js';
import { termSafe } from '../analyzer/report/format.js';
import { writeSliceFile } from './slice.js';
import { writeCharts } from './charts.js';
import { loadConfig } from './config.js';
import { ClosedStdout, writeFileAtomic, writeStdout } from './output.js';
import { terminalOptions } from './terminal.js';
import { classifyStdin } from './stdinNames.js';
import { linearPattern } from './userPattern.js';
import { EXPORT_HELP, resolveInputs } from './inputs.js';
import { statusLine } from './progress.js';
import { gpuFrom, loadModelShape, workloadFrom } from './workload.js';
import { collectRuleOption, tripsGate } from './ruleOptions.js';
import { analyseConfig, loadWithProgress, withTraces } from './diagnosis.js';
import { readReport } from './attach.js';
import { isSavedResult, MAX_RESULT_BYTES, readSavedDiagnosis } from './savedResult.js';
import { readSideText } from './sideInput.js';
import { EXIT_HELP, RULES_FORMATS, ruleText, rulesList } from './rulesHelp.js';

class ExitError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/** A user pattern, run on the linear-time engine (userPattern.ts): no pattern can hang on a long name. */
function regex(value: string): RegExp {
  try {
    return linearPattern(value).re;
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message.replace(/^not a valid regular expression: Invalid regular expression: /, 'not a valid regular expression: '));
  }
}

function seconds(value: string): number {
  const v = Number(value);
  if (value.trim() === '' || !Number.isFinite(v)) throw new InvalidArgumentError('expected a number of seconds');
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

function deviceId(value: string): number {
  const v = Number(value);
  if (value.trim() === '' || !Number.isInteger(v) || v < 0) throw new InvalidArgumentError('expected a CUDA device id, e.g. 0');
  return v;
}

function percent(value: string): number {
  const v = Number(value);
  if (value.trim() === '' || !Number.isFinite(v) || v < 0) throw new InvalidArgumentError('expected a percentage, e.g. 5');
  return v;
}

function emit(text: string, output: string | undefined, inputs: string[]): void {
  if (output !== undefined) writeFileAtomic(output, text, inputs);
  else writeStdout(text);
}

const program = new Command();
program
  .name('nsys-tp')
  .description('Diagnose tensor-parallel LLM inference from Nsight Systems SQLite exports')
  .version(TOOL_VERSION)
  .configureOutput({ writeOut: (str) => writeStdout(str), outputError: (str, write) => write(`nsys-tp: ${termSafe(str.replace(/^error: /, '').trimEnd())} (see --help)\n`) })
  .exitOverride()
  .addHelpText('after', EXPORT_HELP + '\n' + EXIT_HELP);

/** The GPUs with a datasheet, as --gpu takes them. */
const GPU_NAMES = GPU_SPECS.map((g) => g.key).join(', ');
const stepSourceOption = () => new Option('--step-source <source>', 'where steps come from when not auto').choices(STEP_SOURCES);
const failOnOption = () => new Option('--fail-on <severity>', 'exit with code 1 when a finding of this severity or worse is reported').choices(SEVERITIES);
/** `--format`: the formats the command's result renders in, as the renderer registry has them (the same `render` takes). */
const formatOption = (kind: ResultKind, what = 'output format') => new Option('--format <format>', what).choices(formatsOf(kind)).default('terminal');

/** Step selection and config, shared by every command that analyses traces. */
function addAnalysisOptions(cmd: Command): Command {
  return cmd
    .option('--steps <regex>', 'NVTX ranges to use as steps (default: auto-detect prefill/decode/step ranges)', regex)
    .addOption(stepSourceOption())
    .option('--from <seconds>', 'only steps starting at or after this time (session clock, s)', seconds)
    .option('--to <seconds>', 'only steps ending at or before this time (session clock, s)', seconds)
    .option('--gap-ms <ms>', 'idle gap separating steps when steps come from gaps', positive)
    .option('--config <file>', 'JSON config: extra kernel classes, rule options')
    .option('--model <preset|config.json>', 'model shape: llama-3.3-70b, qwen-2.5-72b, or a Hugging Face config.json')
    .option('--batch <n>', 'sequences per step (with --model)', positive)
    .option('--prompt <n>', 'prompt tokens per sequence, for prefill (with --model)', positive)
    .option('--dtype <dtype>', 'served dtype when it differs from the config (bf16, fp8)')
    .option('--gpu <name>', `GPU datasheet to judge against when TARGET_INFO_GPU is missing or wrong (${GPU_NAMES})`)
    .option('--rule <id.option=value>', 'override a rule threshold for this run (repeatable)', collectRuleOption)
    .addOption(failOnOption());
}

/** The gate of --fail-on: exit 1 when findings of that severity or worse were reported. */
function gate(findings: readonly Pick<Finding, 'severity' | 'rule'>[], failOn: Finding['severity'] | undefined, what = 'finding(s)'): void {
  const tripped = tripsGate(findings, failOn);
  if (tripped.length) throw new ExitError(1, `--fail-on ${failOn}: ${tripped.length} ${what} (${[...new Set(tripped.map((f) => f.rule))].join(', ')})`);
}

interface OutputFlags {
  format: Format;
  output?: string;
  quiet?: boolean;
}

async function write(result: Result, o: OutputFlags, inputs: string[]): Promise<void> {
  if (o.quiet && o.format !== 'terminal') throw new UsageError(`--quiet prints the findings of the terminal report; with --format ${o.format} the output is the whole ${o.format} report`);
  emit(await render(result, o.format, terminalOptions(o)), o.output, inputs);
}

const diagnoseCmd = program
  .command('diagnose')
  .description('where each GPU\'s step time goes: GEMM, attention, communication, idle; and findings')
  .argument('<traces...>', 'nsys SQLite export(s); several files = one report per rank')
  .addOption(formatOption('diagnose'))
  .option('-o, --output <file>', 'write the report to a file instead of stdout')
  .option('--chart <dir>', 'also write the charts as SVG files into this folder')
  .option('-q, --quiet', 'terminal: print the findings only');
/**
 * diagnose and its views (layers, steps, kernels): one diagnosis, shown through `view`; charts are the
 * diagnosis's, and the gate judges its findings whatever the view shows.
 */
function diagnosisAction(view: (r: DiagnoseResult, opts: any) => Result) {
  return async (traces: string[], opts: any) => {
    const config = analyseConfig(opts);
    const result = await withTraces(traces, (paths, hooks) => diagnose(paths, config, hooks));
    if (opts.chart) writeCharts(opts.chart, await chartsOf(result), traces);
    await write(view(result, opts), opts, traces);
    gate(result.findings, opts.failOn);
  };
}
addAnalysisOptions(diagnoseCmd).action(diagnosisAction((r) => r));

const doctorCmd = program
  .command('doctor')
  .description('what the capture holds and lacks for a TP diagnosis, each fact with its evidence; what each gap costs, and the nsys command lines that capture it right (exit 0 complete, 1 usable with gaps, 2 not a TP capture it can diagnose)')
  .argument('<traces...>', 'nsys SQLite export(s); several files = one report per rank')
  .addOption(formatOption('doctor'))
  .option('-o, --output <file>', 'write the report to a file instead of stdout')
  .option('--steps <regex>', 'NVTX ranges to use as steps (default: auto-detect prefill/decode/step ranges)', regex)
  .addOption(stepSourceOption())
  .option('--config <file>', 'JSON config: extra kernel classes');
doctorCmd.action(async (traces: string[], opts) => {
  const config = analyseConfig(opts, { workload: undefined, gpu: undefined });
  const result = await withTraces(traces, (paths, hooks) => doctor(paths, config, hooks));
  await write(result, opts, traces);
  // Not a TP capture: the report says what it holds, and stderr says why in one line, as every exit 2 does.
  if (result.exitCode !== 0) throw new ExitError(result.exitCode, result.exitCode === 2 ? `${traces.join(', ')}: ${result.verdictReason}` : '');
});

const layersCmd = program
  .command('layers')
  .description('per-layer time for prefill and decode: attention and MLP compute and comm, exposed comm, idle')
  .argument('<traces...>', 'nsys SQLite export(s); several files = one report per rank')
  .addOption(formatOption('layers'))
  .option('-o, --output <file>', 'write the table to a file instead of stdout')
  .option('--chart <dir>', 'also write the charts as SVG files into this folder');
layersCmd.option('--device <id>', 'one GPU in full (its CUDA device id) instead of the summary across ranks', deviceId);
addAnalysisOptions(layersCmd).action(diagnosisAction((r, opts) => layersResultOf(r, opts.device)));

const stepsCmd = program
  .command('steps')
  .description('every step, one row each: start on the capture clock, span, time per class, comm transfer and waiting, idle, the late rank')
  .argument('<traces...>', 'nsys SQLite export(s); several files = one report per rank')
  .addOption(formatOption('steps'))
  .option('-o, --output <file>', 'write the table to a file instead of stdout')
  .option('--device <id>', 'one GPU\'s times (its CUDA device id) instead of the mean over the GPUs', deviceId);
addAnalysisOptions(stepsCmd).action(diagnosisAction((r, opts) => stepsResultOf(r, opts.device)));

const kernelsCmd = program
  .command('kernels')
  .description('the kernels behind the class times, per phase over the steady steps: top overall, per class, inside a layer (name, count, time, mean, share)')
  .argument('<traces...>', 'nsys SQLite export(s); several files = one report per rank')
  .addOption(formatOption('kernels'))
  .option('-o, --output <file>', 'write the tables to a file instead of stdout');
addAnalysisOptions(kernelsCmd).action(diagnosisAction((r) => kernelsResultOf(r)));

const exportCmd = program
  .command('export')
  .description('write the trace for another viewer: --format perfetto is Chrome trace-event JSON the Perfetto UI (ui.perfetto.dev) opens offline')
  .argument('<traces...>', 'nsys SQLite export(s); several files = one job, one process per GPU')
  .addOption(new Option('--format <format>', 'what to write').choices(EXPORT_FORMATS).default(EXPORT_FORMATS[0]))
  .option('-o, --output <file>', 'write to a file instead of stdout (e.g. trace.json)');
addAnalysisOptions(exportCmd).action(async (traces: string[], opts) => {
  const config = analyseConfig(opts);
  const t = await withTraces(traces, (paths, hooks) => exportPerfetto(paths, config, hooks));
  emit(perfettoJson(t), opts.output, traces);
});

const compareCmd = program
  .command('compare')
  .description('what changed between two traces, beyond noise, and why: step time per phase, classes, layers, collectives, findings')
  .argument('<base>', 'the reference: an nsys SQLite export, or a saved diagnose result (diagnose --format json -o base.json)')
  .argument('<new>', 'the trace to review (an export, or a saved diagnose result)')
  .addOption(formatOption('compare', 'output format (html: the two traces side by side, for a review)'))
  .option('-o, --output <file>', 'write the comparison to a file instead of stdout')
  .option('-q, --quiet', 'terminal: print the findings only')
  .option('--fail-on-regression <pct>', 'exit with code 1 when a phase\'s median step is slower by more than PCT% beyond noise', percent);
addAnalysisOptions(compareCmd).action(async (base: string, next: string, opts) => {
  const config = analyseConfig(opts);
  const side = (t: string): Promise<CompareSide> =>
    isSavedResult(t) ? Promise.resolve(readSavedDiagnosis(t)) : withTraces([t], async (paths, hooks) => (await diagnose(paths, config, hooks)) as CompareSide);
  const sides = [await side(base), await side(next)] as const;
  let r;
  try {
    r = await compare(sides[0], sides[1], config);
  } catch (e) {
    // A saved result passed the shape check but still broke the comparison: the file, not nsys-tp, is at fault.
    const saved = [base, next].filter(isSavedResult);
    if (e instanceof NsysTpError || saved.length === 0) throw e;
    throw new BadInputError(`${saved.join(', ')}: a saved result nsys-tp cannot compare (${(e as Error).message.split('\n')[0]}); write it again with nsys-tp diagnose --format json`);
  }
  await write(r, opts, [base, next]);
  const slower = opts.failOnRegression === undefined ? [] : regressionsOver(r.verdict, opts.failOnRegression / 100);
  if (slower.length) throw new ExitError(1, `--fail-on-regression ${opts.failOnRegression}: ${slower.map((c) => `${c.phase} ${changeText(c.change, c.verdict)}`).join(', ')}`);
  gate(r.findings.added, opts.failOn, 'finding(s) added');
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
  .option('--gpu <name>', `GPU datasheet when the traces do not name a known one (${GPU_NAMES})`)
  .option('--memory-utilization <f>', 'fraction of GPU memory the server may use, for the fit check', positive, 0.9)
  .option('--steps <regex>', 'NVTX ranges to use as steps (default: auto-detect prefill/decode/step ranges)', regex)
  .addOption(stepSourceOption())
  .option('--config <file>', 'JSON config: extra kernel classes, rule options')
  .option('--rule <id.option=value>', 'override a rule threshold for this run (repeatable)', collectRuleOption)
  .addOption(formatOption('scaling'))
  .option('-o, --output <file>', 'write the table to a file instead of stdout')
  .option('--chart <dir>', 'also write the scaling curve as DIR/scaling.svg')
  .option('-q, --quiet', 'terminal: print the findings only')
  .addOption(failOnOption())
  .action(async (traces: string[], opts) => {
    const model = opts.model !== undefined ? loadModelShape(opts.model, opts.dtype) : undefined;
    const config = analyseConfig(opts, { workload: undefined, gpu: gpuFrom(opts.gpu) });
    const r = await withTraces(traces, (paths, hooks) => scaling(paths, {
      ...config, batch: opts.batch, prompt: opts.prompt ?? null, gpuHourPrice: opts.gpuHourPrice ?? null, model, context: opts.context,
      memoryUtilization: opts.memoryUtilization,
    }, hooks));
    if (opts.chart) writeCharts(opts.chart, await chartsOf(r), traces);
    await write(r, opts, traces);
    gate(r.findings, opts.failOn);
  });

const attachCmd = program
  .command('attach')
  .description('add the trace\'s summary and findings to a benchmark report of the same run (vllm bench serve --save-result JSON, or Markdown)')
  .argument('<report>', 'benchmark result JSON (or Markdown with --format md), updated in place')
  .argument('<traces...>', 'the run\'s nsys SQLite export(s); several files = one report per rank')
  .addOption(new Option('--format <format>', 'json: add an "nsysTp" member; md: append a findings section').choices(REPORT_FORMATS).default('json'));
addAnalysisOptions(attachCmd).action(async (report: string, traces: string[], opts) => {
  const config = analyseConfig(opts);
  const target = readReport(report, traces, opts.format);
  const { result, text } = await withTraces(traces, (paths, hooks) => attach(target, paths, config, hooks));
  writeFileAtomic(target.real, text, traces, { expect: target.read });
  process.stderr.write(await render(result, 'terminal'));
  gate(result.findings, opts.failOn);
});

program
  .command('plan')
  .description('TP plan check: weights, heads and KV per rank, FP8 block alignment, all-reduce cost per token, KV cache room')
  .requiredOption('--model <preset|config.json>', 'llama-3.3-70b, qwen-2.5-72b, or a Hugging Face config.json')
  .option('--tp <list>', 'TP degrees to compare', tpList, [1, 2, 4, 8])
  .option('--gpu <name>', `GPU (${GPU_NAMES})`, 'H100')
  .option('--batch <n>', 'decode batch (sequences per step)', positive, 1)
  .option('--context <n>', 'tokens of context per sequence: checks the KV cache fits', positive)
  .option('--dtype <dtype>', 'weight dtype when it differs from the config (bf16, fp8)')
  .option('--memory-utilization <f>', 'fraction of GPU memory the server may use', positive, 0.9)
  .addOption(formatOption('plan'))
  .option('-o, --output <file>', 'write to a file instead of stdout')
  .option('--rule <id.option=value>', 'override a rule option (repeatable)', collectRuleOption)
  .option('-q, --quiet', 'terminal: print the findings only')
  .action(async (opts) => {
    const model = loadModelShape(opts.model, opts.dtype);
    const o: PlanOptions = { tps: opts.tp, gpu: gpuFrom(opts.gpu)!, batch: opts.batch, context: opts.context ?? null, memoryUtilization: opts.memoryUtilization, activationBytes: 2 };
    await write(plan(model, o, { options: opts.rule }), opts, []);
  });

program
  .command('render')
  .description('render a saved result (any command\'s --format json) in another format')
  .argument('<result>', `a JSON result written by nsys-tp (${RESULT_KINDS.join(', ')})`)
  .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('terminal'))
  .option('-o, --output <file>', 'write to a file instead of stdout')
  .option('--chart <dir>', 'also write the charts as SVG files into this folder')
  .action(async (path: string, opts) => {
    // The side-input reader: a FIFO waits at most NSYS_TP_PIPE_TIMEOUT, /dev/zero stops at the size limit.
    const result = parseResult(readSideText(path, { what: path, maxBytes: MAX_RESULT_BYTES }), path);
    try {
      if (opts.chart) writeCharts(opts.chart, await chartsOf(result), [path]);
      await write(result, opts, [path]);
    } catch (e) {
      // The shape check covers every field; a result that fits it and still breaks a renderer is the file's fault all the same.
      if (e instanceof NsysTpError || e instanceof ClosedStdout) throw e;
      throw new BadInputError(`${path}: a saved ${result.kind} result nsys-tp cannot render (${(e as Error).message.split('\n')[0]}); write it again with --format json`);
    }
  });

program
  .command('mcp')
  .description('serve the commands (diagnose, layers, steps, kernels, compare, scaling, plan, classify, rules) as Model Context Protocol tools on stdio, returning their JSON results')
  .action(async () => {
    const { serveMcp } = await import('./mcp.js');
    await serveMcp();
  });

program
  .command('rules')
  .description('every rule: severity, what it needs, options with their kinds and defaults; with an id, that rule\'s doc')
  .argument('[id]', 'a rule id, e.g. host-bound-gaps')
  .addOption(new Option('--format <format>', 'output format').choices(RULES_FORMATS).default('terminal'))
  .action(async (id: string | undefined, opts) => {
    const width = terminalOptions({}).width ?? 100;
    if (id === undefined) emit(opts.format === 'json' ? `${JSON.stringify(ruleCatalogue(), null, 2)}\n` : rulesList(ruleCatalogue(), width), undefined, []);
    else emit(opts.format === 'json' ? `${JSON.stringify(explainRule(id), null, 2)}\n` : ruleText(explainRule(id), width), undefined, []);
  });

program
  .command('classify')
  .description('classify kernel names read from stdin, one per line: prints class<TAB>name')
  .option('--config <file>', 'JSON config with extra kernelClasses rows')
  .action(async (opts) => {
    const classify = classifier(loadConfig(opts.config).kernelClasses);
    await classifyStdin((name) => {
      const c = classify(name);
      return `${c.class === 'communication' ? `communication:${c.op}` : c.class}\t${termSafe(name)}\n`;
    });
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
    const inputs = await resolveInputs([trace], { progress: statusLine(process.stderr) });
    try {
      const source = inputs.paths[0]!;
      const stats = await writeSliceFile(opts.output, [trace, source], (tmp) => slice(source, tmp, {
        steps: { steps: opts.steps, from: opts.from, to: opts.to }, padNs: (opts.padMs ?? 0) * 1e6,
      }, { load: (p) => loadWithProgress(p, [trace]) }));
      process.stderr.write(`nsys-tp: wrote ${termSafe(opts.output)}: ${stats.steps} steps on ${stats.devices} device(s), ${stats.rowsKept} of ${stats.rowsRead} rows\n`);
      for (const n of inputs.notes) process.stderr.write(`nsys-tp: ${termSafe(n)}\n`);
    } finally {
      inputs.cleanup();
    }
  });

// Every command that reads traces says how it reads a .nsys-rep, and which variables bound the waits.
for (const c of program.commands) c.addHelpText('after', EXIT_HELP);
for (const c of program.commands) if (['diagnose', 'doctor', 'layers', 'steps', 'kernels', 'export', 'compare', 'scaling', 'attach', 'slice'].includes(c.name())) c.addHelpText('after', EXPORT_HELP);

/** NSYS_TP_DEBUG=1 (or yes, true, on) adds the stack; 0, no, false, off or empty leave it off. */
function debugOn(): boolean {
  const v = (process.env.NSYS_TP_DEBUG ?? '').trim().toLowerCase();
  return v !== '' && !['0', 'no', 'false', 'off'].includes(v);
}

/** Runs the command line `argv` (node's, as a program). test/support/inProcess.ts calls it in the test process. */
export async function main(argv: readonly string[] = process.argv): Promise<void> {
  try {
    await program.parseAsync([...argv]);
  } catch (e) {
    const code = (e as { code?: string; exitCode?: number }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      // commander already printed its message; help and version exit 0.
      process.exitCode = code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help' ? 0 : 2;
      return;
    }
    if (e instanceof NsysTpError) {
      process.stderr.write(`nsys-tp: ${termSafe(e.message)}\n`);
      process.exitCode = 2;
      return;
    }
    if (e instanceof ClosedStdout) {
      // The reader has what it wanted (`| head`): nothing more to say.
      process.exitCode = 0;
      return;
    }
    if (e instanceof ExitError) {
      if (e.message) process.stderr.write(`nsys-tp: ${termSafe(e.message)}\n`);
      process.exitCode = e.code;
      return;
    }
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`nsys-tp: internal error: ${termSafe(msg.split('\n')[0]!)} (set NSYS_TP_DEBUG=1 for details)\n`);
    if (debugOn()) process.stderr.write(`${(e as Error).stack ?? ''}\n`);
    process.exitCode = 3;
  }
}

// The tests' in-process runner imports this module with that flag set, and calls main itself.
if (!(globalThis as Record<symbol, unknown>)[Symbol.for('nsys-tp.in-process')]) void main();
