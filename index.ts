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
import { createClassifier, validateClassRows, type Classification } from './analyzer/classify/classifier.js';
import type { ClassRow } from './analyzer/classify/kernelClasses.js';
import type { Workload } from './analyzer/collectives/messageSize.js';
import { tpDegree } from './analyzer/collectives/tpDegree.js';
import { BadInputError, NsysTpError, UsageError } from './analyzer/errors.js';
import { gpuOf } from './analyzer/hardware/gpuOf.js';
import { GPU_SPECS, gpuSpecFor, type GpuSpec } from './analyzer/hardware/gpuSpecs.js';
import { dtypeBytes, PRESET_NAMES, PRESETS, presetShape, resolvePreset, shapeFromHfConfig, type ModelShape } from './analyzer/llm/modelShape.js';
import { changeText, regressionsOver } from './analyzer/across/compare/verdict.js';
import { SEVERITY_ORDER, type Severity } from './analyzer/severity.js';
import { checkDisabledRules, checkRuleOption, checkRuleOptions, type RuleOptionOverrides } from './rules/options.js';
import { exportCommand, sidecarNote, walState } from './queries/open.js';
import { closest, didYouMean } from './analyzer/text/suggest.js';
import { planRow, type PlanOptions } from './analyzer/plan/tpPlan.js';
import type { StepOptions } from './analyzer/steps/findSteps.js';
import { attachedSection, attachMarkdown, benchMarkdown, SectionError } from './analyzer/report/benchAttach.js';
import { jsonSyntaxProblem, JsonShapeError, setTopLevelMember, topLevelKeys } from './analyzer/report/jsonMember.js';
import { chartsOf, render, FORMATS, type Format, type RenderOptions, type Result, type ResultKind } from './analyzer/report/registry.js';
import type { Chart } from './analyzer/report/charts/reportCharts.js';
import { ATTACH_KEY, buildAttachResult, type AttachResult, type BenchSection } from './analyzer/results/attach.js';
import { buildCompareResult, type CompareResult } from './analyzer/results/compare.js';
import { buildDiagnoseResult, type DiagnoseResult } from './analyzer/results/diagnose.js';
import { layersResultOf, type LayersResult } from './analyzer/results/layersResult.js';
import { stepsResultOf, type StepsResult } from './analyzer/results/steps.js';
import { kernelsResultOf, type KernelsResult } from './analyzer/results/kernels.js';
import { buildPerfettoTrace, perfettoJson, type PerfettoTrace, type TraceEvent } from './analyzer/results/perfetto.js';
import { buildPlanResult, type PlanResult } from './analyzer/results/plan.js';
import { buildDoctorResult, type DoctorResult } from './analyzer/results/doctor.js';
import { RECIPES } from './analyzer/capture/recapture.js';
import { buildScalingResult, type ScalingConfig, type ScalingResult } from './analyzer/results/scaling.js';
import { TOOL_VERSION } from './analyzer/results/tool.js';
import { resultShapeError } from './analyzer/results/resultShape.js';
import type { TraceSummary } from './analyzer/summary/traceSummary.js';
import { runPlanRules, runRules, sortFindings, type RunOptions } from './rules/engine.js';
import { REQUIREMENTS } from './rules/requirements.js';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLAN_RULES, RULES, SCALING_RULES } from './rules/index.js';
import type { Finding, RuleOutcome } from './rules/types.js';

export { Analysis, buildModel, readTraceInput, RULES, PLAN_RULES, SCALING_RULES, runRules, render, chartsOf, FORMATS };
export { BadInputError, NsysTpError, UsageError, GPU_SPECS, PRESETS, TOOL_VERSION };
export { layersResultOf, stepsResultOf, kernelsResultOf, perfettoJson, resolvePreset, PRESET_NAMES, closest, didYouMean };
// What a front end (the CLI) needs to check its input before it runs a command, and to word what it prints.
export { validateClassRows, dtypeBytes, gpuSpecFor, shapeFromHfConfig, SEVERITY_ORDER, checkDisabledRules, checkRuleOption, checkRuleOptions };
export { changeText, regressionsOver, exportCommand, sidecarNote, walState, RECIPES, jsonSyntaxProblem };
export type {
  AnalysisOptions, AttachResult, DoctorResult, BenchSection, Chart, Classification, ClassRow, CompareResult, DiagnoseResult, Finding, Format, GpuSpec,
  KernelsResult, LayersResult, LoadProgress, PerfettoTrace, StepsResult, TraceEvent, ModelShape, PlanOptions, PlanResult, ProgressCallback, RenderOptions, Result, ResultKind, RunOptions, ScalingResult,
  TraceModel, TraceSummary, Workload, Severity, RuleOptionOverrides,
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

/** A benchmark report to attach to: its text, and whether it is a result JSON or Markdown. */
export interface AttachTarget {
  path: string;
  text: string;
  format: 'json' | 'md';
}

/**
 * `attach`: the section for a benchmark report of the same run, and the report's new text with it. The
 * report is checked before the traces are read, so a wrong report costs no analysis.
 */
export async function attach(target: AttachTarget, paths: string[], config: AnalyseConfig = {}, hooks: RunHooks = {}): Promise<{ result: AttachResult; text: string }> {
  let replaced = false;
  if (target.format === 'json') {
    try {
      // Checked, not parsed: a report of tens of megabytes costs no object graph.
      replaced = topLevelKeys(target.text).includes(ATTACH_KEY);
    } catch (e) {
      if (!(e instanceof JsonShapeError)) throw e;
      throw new BadInputError(`${target.path}: not a benchmark result JSON object (${e.message}); for a Markdown report pass --format md`);
    }
  } else {
    try {
      replaced = attachedSection(target.text) !== null;
    } catch (e) {
      if (!(e instanceof SectionError)) throw e;
      throw new BadInputError(`${target.path}: ${e.message}`);
    }
  }
  const d = await diagnose(paths, config, hooks);
  const result = buildAttachResult(target.path, target.format, replaced, d.summary, d.findings);
  const text = target.format === 'json' ? setTopLevelMember(target.text, ATTACH_KEY, result.section) : attachMarkdown(target.text, benchMarkdown(result.section));
  return { result, text };
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

/** A rule as `nsys-tp rules` and the MCP server describe it: what it checks, its options with their kinds and defaults, what it needs. */
export interface RuleInfo {
  id: string;
  /** What it runs on: a trace (diagnose and every command that diagnoses), a TP plan, or traces at several TP degrees. */
  scope: 'trace' | 'plan' | 'scaling';
  severity: Finding['severity'];
  title: string;
  description: string;
  options: { name: string; type: string; default: number; description: string }[];
  requires: { requirement: string; without: string }[];
  /** Every message template of the rule by id (findings', fixes', places' and their parts; rules/messageFormat.ts). */
  messages: Record<string, string>;
}

interface AnyMeta {
  meta: {
    id: string; severity: Finding['severity']; title: string; description: string; options: Record<string, { type: string; default: number; description: string }>;
    requires: readonly string[]; messages: Readonly<Record<string, string>>;
  };
}

export function ruleCatalogue(): RuleInfo[] {
  const info = (scope: RuleInfo['scope']) => (r: AnyMeta): RuleInfo => ({
    id: r.meta.id, scope, severity: r.meta.severity, title: r.meta.title, description: r.meta.description,
    options: Object.entries(r.meta.options).map(([name, o]) => ({ name, type: o.type, default: o.default, description: o.description })),
    requires: r.meta.requires.map((q) => ({ requirement: q, without: REQUIREMENTS[q as keyof typeof REQUIREMENTS].missing })),
    messages: { ...r.meta.messages },
  });
  return [...(RULES as readonly AnyMeta[]).map(info('trace')), ...(PLAN_RULES as readonly AnyMeta[]).map(info('plan')), ...(SCALING_RULES as readonly AnyMeta[]).map(info('scaling'))];
}

/** The folder holding rules/<id>.md: beside the sources, or above dist/ in an installed package. */
function rulesDocDir(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'rules', 'host-bound-gaps.md'))) return join(dir, 'rules');
    dir = dirname(dir);
  }
  return null;
}

/** A rule's description and its doc (rules/<id>.md: Detects, Thresholds, Example, Fix). */
export function explainRule(id: string): RuleInfo & { doc: string } {
  const all = ruleCatalogue();
  const rule = all.find((r) => r.id === id);
  if (!rule) throw new UsageError(`unknown rule "${id}"${didYouMean(id, all.map((r) => r.id)) || ' (nsys-tp rules lists them)'}`);
  const dir = rulesDocDir();
  const file = dir && join(dir, `${id}.md`);
  // A package published without its rules/*.md (package.json "files") is a bug of nsys-tp, not of the user.
  if (!file || !existsSync(file)) throw new Error(`the doc of rule ${id} (rules/${id}.md) is missing from this installation`);
  return { ...rule, doc: readFileSync(file, 'utf8') };
}

/**
 * A saved result (`--format json`), checked to be rendered or compared again: its kind and schema
 * version, and its shape field by field where commands compute on it (a diagnosis' summary), so a
 * hand-edited or cut-short file is one line naming the first bad field, never a crash later.
 */
export function parseResult(text: string, path: string): Result {
  let r: unknown;
  try {
    r = JSON.parse(text);
  } catch {
    // Said by position, never by quoting the text; a file cut short (a copy interrupted, a disk full) says so.
    const problem = jsonSyntaxProblem(text);
    throw new BadInputError(`${path}: not a JSON result${/^the text ends/.test(problem) ? ' (cut short?)' : ''} (${problem})`);
  }
  const kinds: ResultKind[] = ['diagnose', 'layers', 'steps', 'kernels', 'compare', 'scaling', 'plan', 'attach', 'doctor'];
  const o = r as { schemaVersion?: unknown; kind?: unknown; tool?: { name?: unknown } } | null;
  if (typeof o !== 'object' || o === null || o.tool?.name !== 'nsys-tp' || !kinds.includes(o.kind as ResultKind)) {
    throw new BadInputError(`${path}: not an nsys-tp result (write one with --format json)`);
  }
  if (typeof o.schemaVersion !== 'number') {
    throw new BadInputError(`${path}: schemaVersion is ${o.schemaVersion === undefined ? 'missing' : `${JSON.stringify(o.schemaVersion)?.slice(0, 20)}, not a number`}; nsys-tp writes the number 1 there (write the result again with --format json)`);
  }
  if (o.schemaVersion !== 1) throw new BadInputError(`${path}: result schema version ${String(o.schemaVersion)}; this nsys-tp reads version 1`);
  const bad = resultShapeError(r);
  if (bad) throw new BadInputError(`${path}: not a ${String(o.kind)} result as nsys-tp writes it: ${bad.replace(/^\$\.?/, '')}`);
  return r as Result;
}

/** A saved diagnose result, for a side of `compare` (another kind is a usage mistake, said so). */
export function parseDiagnosis(text: string, path: string): DiagnoseResult {
  const r = parseResult(text, path);
  if (r.kind !== 'diagnose') throw new BadInputError(`${path}: a saved ${r.kind} result; compare takes a trace or a saved diagnose result (nsys-tp diagnose TRACE --format json -o FILE)`);
  return r;
}
