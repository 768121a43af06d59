/**
 * nsys-tp as a library, and the one runner behind the command line: each command is a function that
 * reads the traces, analyses them, runs the rules and returns its serialisable result; `render` turns any
 * result into any format it supports. The CLI only turns flags into these calls' configs
 * (docs/architecture.md).
 */
import { readTraceInput } from './queries/nsysTrace.js';
import { readTraceInputs } from './queries/parallelRead.js';
import { refuseSameFile } from './queries/sameFile.js';
import { runsFp8 } from './analyzer/runtime/fp8Kernels.js';
import type { LoadProgress, ProgressCallback } from './queries/progress.js';
import { buildModel } from './analyzer/model/build.js';
import { checkOneJob } from './analyzer/runtime/oneJob.js';
import { sliceSpec } from './analyzer/slice/sliceSpec.js';
import { openTraceDb } from './queries/open.js';
import { sliceExport } from './queries/slice.js';
import type { TraceModel } from './analyzer/model/types.js';
import { Analysis, type AnalysisOptions } from './analyzer/analysis.js';
import { createClassifier, type Classification } from './analyzer/classify/classifier.js';
import type { ClassRow } from './analyzer/classify/kernelClasses.js';
import type { Workload } from './analyzer/collectives/messageSize.js';
import { tpDegree } from './analyzer/collectives/tpDegree.js';
import { BadInputError, NsysTpError, UsageError } from './analyzer/errors.js';
import { gpuOf } from './analyzer/hardware/gpuOf.js';
import { gpuSpecFor, type GpuSpec } from './analyzer/hardware/gpuSpecs.js';
import { presetShape, shapeFromHfConfig } from './analyzer/llm/modelShape.js';
import type { ModelShape } from './analyzer/contract/plan.js';
import { planRow, type PlanOptions } from './analyzer/plan/tpPlan.js';
import type { StepOptions } from './analyzer/steps/findSteps.js';
import { chartsOf, render, FORMATS, formatsOf, type Format, type RenderOptions } from './analyzer/report/registry.js';
import type { Chart } from './analyzer/report/charts/reportCharts.js';
import type { AttachResult, CompareResult, DiagnoseResult, DoctorResult, KernelsResult, LayersResult, PlanResult, ScalingResult, StepsResult } from './analyzer/contract/results.js';
import { buildAttachResult } from './analyzer/results/attach.js';
import { buildCompareResult } from './analyzer/results/compare.js';
import { buildDiagnoseResult } from './analyzer/results/diagnose.js';
import { layersResultOf } from './analyzer/results/layersResult.js';
import { stepsResultOf } from './analyzer/results/steps.js';
import { kernelsResultOf } from './analyzer/results/kernels.js';
import { buildPerfettoTrace, EXPORT_FORMATS, perfettoJson, type PerfettoTrace, type TraceEvent } from './analyzer/export/perfetto.js';
import { buildPlanResult } from './analyzer/results/plan.js';
import { buildDoctorResult } from './analyzer/results/doctor.js';
import { buildScalingResult, type ScalingConfig } from './analyzer/results/scaling.js';
import type { TraceSummary } from './analyzer/contract/summary.js';
import { runPlanRules, runRules, sortFindings, type RunOptions } from './rules/engine.js';
import { PLAN_RULES, RULES, SCALING_RULES } from './rules/index.js';
import type { RuleOutcome } from './rules/types.js';
import type { Finding } from './analyzer/contract/findings.js';
import { explainRule, ruleCatalogue, type RuleInfo } from './rules/catalogue.js';
import { parseDiagnosis, parseResult } from './runner/savedResult.js';
import { hasSection, withSection, type AttachTarget } from './runner/attachReport.js';

// The commands below; rendering; the rules, for those who run them on an Analysis of their own.
export { Analysis, buildModel, readTraceInput, RULES, PLAN_RULES, SCALING_RULES, runRules, render, chartsOf, FORMATS, formatsOf, EXPORT_FORMATS };
export { BadInputError, NsysTpError, UsageError, layersResultOf, stepsResultOf, kernelsResultOf, perfettoJson, ruleCatalogue, explainRule, parseResult, parseDiagnosis };
// The contract: the results' schemas and types, the vocabulary of their enums, the tool's version.
export * from './analyzer/contract/index.js';
export type {
  AnalysisOptions, AttachTarget, Chart, Classification, ClassRow, Finding, Format, GpuSpec, LoadProgress, PerfettoTrace, TraceEvent, ModelShape,
  PlanOptions, ProgressCallback, RenderOptions, RuleInfo, RunOptions, TraceModel, TraceSummary, Workload,
};

/** Reads one export, or several (one per rank) put on one clock. */
export function loadTrace(paths: string | string[]): TraceModel {
  const list = Array.isArray(paths) ? paths : [paths];
  refuseSameFile(list);
  return buildModel(list.map((p) => readTraceInput(p)));
}

/**
 * loadTrace for big traces, reading on several cores: each file's tables split among worker threads (one
 * per core unless `workers` says). `onProgress` hears rows read against the rows to read, over all files.
 */
export async function loadTraces(paths: string | string[], options: { onProgress?: ProgressCallback; workers?: number } = {}): Promise<TraceModel> {
  const list = Array.isArray(paths) ? paths : [paths];
  refuseSameFile(list);
  return buildModel(await readTraceInputs(list, options));
}

/** What every command that analyses a trace is configured with. */
export interface AnalyseConfig {
  steps?: StepOptions;
  /** Extra kernel class rows, matched before the built-in table. */
  kernelClasses?: ClassRow[];
  rules?: RunOptions;
  /** Model shape and batch (message sizes, roofline, plan checks). */
  workload?: Workload;
  /** The datasheet to judge against when the trace names no known GPU (or the wrong one). */
  gpu?: GpuSpec;
}

export interface RunHooks {
  onProgress?: ProgressCallback;
  /** How the report names the traces, when not by the paths read (a .nsys-rep exported to a temporary file). */
  names?: string[];
  /** Reads the traces (default: loadTraces); the CLI passes its own to show progress. */
  load?: (paths: string[]) => Promise<TraceModel>;
}

/** Analyses a loaded trace and runs every rule on it: the analysis (for charts and more) and the result. */
export function diagnoseModel(model: TraceModel, config: AnalyseConfig = {}, names?: string[]): { analysis: Analysis; result: DiagnoseResult } {
  const { from, to } = config.steps ?? {};
  if (from !== undefined && to !== undefined && !(from < to)) throw new UsageError(`--from ${from / 1e9} s is not before --to ${to / 1e9} s: no step can lie between them`);
  model.warnings.push(...checkOneJob(model));
  const analysis = new Analysis(model, { steps: config.steps, classRows: config.kernelClasses, workload: config.workload, gpu: config.gpu });
  refuseEmptySelection(analysis, config.steps);
  const outcome = runRules(analysis, RULES, config.rules);
  // With a model, the plan checks run for the TP degree the trace shows.
  const w = config.workload;
  const gpu = gpuOf(analysis, 0);
  let rules: RuleOutcome = outcome;
  if (w && gpu) {
    const plan = planRow(w.model, tpDegree(analysis), { tps: [], gpu, batch: w.batch, context: w.prompt ?? null, memoryUtilization: 0.9, activationBytes: 2 });
    const planned = runPlanRules({ model: w.model, plan, traceRunsFp8: runsFp8(analysis) }, PLAN_RULES, config.rules);
    rules = { findings: sortFindings([...outcome.findings, ...planned.findings]), notRun: [...outcome.notRun, ...planned.notRun], superseded: outcome.superseded };
  }
  return { analysis, result: buildDiagnoseResult(analysis, rules, names) };
}

/** A selection of steps that matches nothing is a mistake to say, not an empty report that passes every gate. */
function refuseEmptySelection(a: Analysis, s: StepOptions | undefined): void {
  if (!s || a.steps.steps.length > 0) return;
  const window = s.from !== undefined || s.to !== undefined
    ? ` between ${s.from === undefined ? 'the start' : `${s.from / 1e9} s`} and ${s.to === undefined ? 'the end' : `${s.to / 1e9} s`}` : '';
  if (s.steps) throw new UsageError(`no steps: no NVTX range with GPU work matches --steps ${s.steps.source}${window}`);
  if (window) throw new UsageError(`no steps${window}: the window holds no whole step`);
}

async function analyse(paths: string[], config: AnalyseConfig, hooks: RunHooks): Promise<{ analysis: Analysis; result: DiagnoseResult }> {
  if (paths.length === 0) throw new UsageError('no trace given');
  refuseSameFile(paths);
  const model = await (hooks.load ?? ((p) => loadTraces(p, { onProgress: hooks.onProgress })))(paths);
  return diagnoseModel(model, config, hooks.names ?? paths);
}

/** `diagnose`: where each GPU's step time goes, layers, collectives, findings. */
export async function diagnose(paths: string[], config: AnalyseConfig = {}, hooks: RunHooks = {}): Promise<DiagnoseResult> {
  return (await analyse(paths, config, hooks)).result;
}

/** `layers`: per-layer time per phase and GPU. */
export async function layers(paths: string[], config: AnalyseConfig = {}, hooks: RunHooks = {}): Promise<LayersResult> {
  return layersResultOf(await diagnose(paths, config, hooks));
}

/** `steps`: every step across the GPUs (their mean, or one GPU's with `deviceId`). */
export async function steps(paths: string[], config: AnalyseConfig = {}, hooks: RunHooks = {}, view: { deviceId?: number } = {}): Promise<StepsResult> {
  return stepsResultOf(await diagnose(paths, config, hooks), view.deviceId);
}

/** `kernels`: per phase the kernels with the most time over the steady steps, overall, per class and inside the layers. */
export async function kernels(paths: string[], config: AnalyseConfig = {}, hooks: RunHooks = {}): Promise<KernelsResult> {
  return kernelsResultOf(await diagnose(paths, config, hooks));
}

/**
 * `export --format perfetto`: the trace as Chrome trace-event JSON for the Perfetto UI: a process per GPU
 * with its steps, layers, collectives (waiting | transfer), finding markers and kernels per stream.
 */
export async function exportPerfetto(paths: string[], config: AnalyseConfig = {}, hooks: RunHooks = {}): Promise<PerfettoTrace> {
  const { analysis, result } = await analyse(paths, config, hooks);
  return buildPerfettoTrace(analysis, result.findings, hooks.names ?? paths, { from: config.steps?.from, to: config.steps?.to });
}

/**
 * `doctor`: what the capture holds and lacks for a TP diagnosis, each fact with its evidence, what each
 * gap costs, and the command lines that capture it right; `exitCode` is 0 complete, 1 gaps, 2 unusable.
 */
export async function doctor(paths: string[], config: AnalyseConfig = {}, hooks: RunHooks = {}): Promise<DoctorResult> {
  if (paths.length === 0) throw new UsageError('no trace given');
  const model = await (hooks.load ?? ((p) => loadTraces(p, { onProgress: hooks.onProgress })))(paths);
  model.warnings.push(...checkOneJob(model));
  const analysis = new Analysis(model, { steps: config.steps, classRows: config.kernelClasses, workload: config.workload, gpu: config.gpu });
  return buildDoctorResult(analysis, hooks.names ?? paths);
}

export interface SliceResult {
  /** Steps kept, over all devices, and the devices they ran on. */
  steps: number;
  devices: number;
  tables: number;
  rowsKept: number;
  rowsRead: number;
}

/**
 * `slice`: writes the chosen steps of an export (NVTX ranges by `steps.steps`, or the steps diagnose finds
 * inside `steps.from` / `steps.to`), every device's, as a small export at `dest`: a new, empty file.
 */
export async function slice(path: string, dest: string, config: { steps?: StepOptions; padNs?: number } = {}, hooks: RunHooks = {}): Promise<SliceResult> {
  const s = config.steps ?? {};
  if (!s.steps && s.from === undefined && s.to === undefined) throw new UsageError('slice needs --steps REGEX, or a window with --from / --to');
  const model = await (hooks.load ?? ((p) => loadTraces(p, { onProgress: hooks.onProgress })))([path]);
  const analysis = new Analysis(model, { steps: s });
  if (analysis.steps.steps.length === 0) {
    throw new UsageError(s.steps ? `no steps match --steps ${s.steps.source}: nothing to slice` : 'no steps inside --from / --to: nothing to slice');
  }
  const src = openTraceDb(path);
  try {
    const stats = sliceExport(src, dest, sliceSpec(model, analysis.steps.steps, config.padNs ?? 0));
    return { steps: analysis.steps.steps.length, devices: model.devices.length, ...stats };
  } finally {
    src.close();
  }
}

/** One side of a comparison: trace paths (one or several per-rank files), or a saved diagnose result. */
export type CompareSide = string[] | DiagnoseResult;

/** `compare`: what changed between two traces, beyond noise, and why. */
export async function compare(base: CompareSide, next: CompareSide, config: AnalyseConfig = {}, hooks: { base?: RunHooks; new?: RunHooks } = {}): Promise<CompareResult> {
  const summary = async (side: CompareSide, h: RunHooks = {}) => (Array.isArray(side) ? (await diagnose(side, config, h)).summary : side.summary);
  return buildCompareResult(await summary(base, hooks.base), await summary(next, hooks.new));
}

/** `scaling`: one model at several TP degrees, one trace each. */
export async function scaling(paths: string[], config: AnalyseConfig & Omit<ScalingConfig, 'rules'>, hooks: RunHooks = {}): Promise<ScalingResult> {
  if (paths.length < 2) throw new UsageError('scaling needs two or more traces of the same model at different TP degrees');
  if (config.context && !config.model) throw new UsageError('--context needs --model (a preset or a config.json) to check that weights and KV cache fit');
  const workload = config.model ? { model: config.model, batch: config.batch, prompt: config.prompt ?? undefined } : undefined;
  const summaries: TraceSummary[] = [];
  let gpu: GpuSpec | null = config.gpu ?? null;
  for (const [i, path] of paths.entries()) {
    const { analysis, result } = await analyse([path], { ...config, workload }, { ...hooks, names: [hooks.names?.[i] ?? path] });
    if (!analysis.phases.some((p) => p.phase === 'decode' || p.phase === 'prefill')) {
      throw new BadInputError(`${hooks.names?.[i] ?? path}: no prefill or decode steps (steps: ${analysis.steps.description}); name them with --steps`);
    }
    if (i === 0) gpu ??= gpuOf(analysis, 0);
    summaries.push(result.summary);
  }
  return buildScalingResult(summaries, { ...config, gpu, rules: config.rules });
}

/** `plan`: a model at several TP degrees, checked before anything runs. */
export function plan(model: ModelShape, options: PlanOptions, rules: RunOptions = {}): PlanResult {
  return buildPlanResult(model, options, rules);
}

/**
 * `attach`: the section for a benchmark report of the same run, and the report's new text with it. The
 * report is checked before the traces are read, so a wrong report costs no analysis.
 */
export async function attach(target: AttachTarget, paths: string[], config: AnalyseConfig = {}, hooks: RunHooks = {}): Promise<{ result: AttachResult; text: string }> {
  const replaced = hasSection(target);
  const d = await diagnose(paths, config, hooks);
  const result = buildAttachResult(target.path, target.format, replaced, d.summary, d.findings);
  return { result, text: withSection(target, result.section) };
}

/** Classes kernel names as the analyses class them (the built-in table, after `kernelClasses`). */
export function classifier(kernelClasses: readonly ClassRow[] = []): (name: string, demangled?: string) => Classification {
  const c = createClassifier(kernelClasses);
  return (name, demangled = name) => c.classify(name, demangled);
}

/** A model shape from a preset name (`llama-3.3-70b`) or a parsed Hugging Face config.json object. */
export function modelShape(preset: string): ModelShape | null;
export function modelShape(config: Record<string, unknown>, name: string): ModelShape;
export function modelShape(x: string | Record<string, unknown>, name?: string): ModelShape | null {
  return typeof x === 'string' ? presetShape(x) : shapeFromHfConfig(x, name ?? 'config.json');
}

/** A GPU datasheet by name (`H100`, `NVIDIA H200`), or null. */
export const gpuSpec = gpuSpecFor;
