/**
 * The JSON contract: every kind of result nsys-tp writes (`--format json`, the MCP tools), as one zod
 * schema each, from which the result types are inferred and saved results are checked (parseResult,
 * render) and the MCP tools' output schemas are made. Reading checks what the commands compute on field
 * by field (a diagnosis' summary: compare, scaling and attach read it) and every kind's top level; the
 * members no command computes on are typed by their own schemas (diagnosis.ts, views.ts, reports.ts; the
 * analyses' types where an analysis defines the part) and only checked to be present (`typed`) or not at
 * all (`unchecked`), so an edit deep inside one breaks only its rendering.
 */
import { z } from 'zod';
import type { Comparison } from './comparison.js';
import type { ScalingOptions, ScalingRow, TpRecommendation } from './scaling.js';
import type { StepTimeline } from './timeline.js';
import type { ModelShape, TpPlanRow } from './plan.js';
import { PHASES, STEP_SOURCES } from './vocabulary.js';
import type { TraceSummary } from './summary.js';
import { SEVERITIES } from '../severity.js';
import type { Finding, RuleNotRun, SupersededFinding } from './findings.js';
import { type BenchSection, type CaptureGaps, DOCTOR_VERDICTS, type DoctorFact, type doctorTraceSchema, type recaptureSchema, type worldSchema } from './reports.js';
import type { CollectivesResult, DeviceResult, RegimeResult, RooflineRow, StepDetection, TraceInfo } from './diagnosis.js';
import type { LayerAcross, PhaseKernelsResult, StepRowResult } from './views.js';
import type { LayerResult } from './layers.js';
import { arr, bool, count, measure, measurePos, nonNeg, num, obj, oneOf, pos, reads, record, share, str, tpDegree, typed, unchecked, firstMismatch } from './checks.js';

/** The kinds of result, one per command that returns one. */
export const RESULT_KINDS = ['diagnose', 'layers', 'steps', 'kernels', 'compare', 'scaling', 'plan', 'attach', 'doctor'] as const;
export type ResultKind = (typeof RESULT_KINDS)[number];

/** The benchmark reports attach writes into: a result JSON (a member added) or Markdown (a section appended). */
export const REPORT_FORMATS = ['json', 'md'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const severity = oneOf(SEVERITIES);
const phase = oneOf(PHASES);

export const toolSchema = obj({ name: z.literal('nsys-tp'), version: str });
/** What every result starts with: its schema version, its kind and the tool that wrote it. */
const frame = <K extends ResultKind>(kind: K) => ({ schemaVersion: z.literal(1), kind: z.literal(kind), tool: toolSchema });

const phaseProfile = obj({
  phase,
  stepTimesNs: arr(pos),
  stepTime: obj({ count, medianNs: measurePos, p10Ns: measurePos, p90Ns: measurePos }),
  gpus: count, stepsPerGpu: nonNeg, opsPerStep: nonNeg, classNs: record(nonNeg), spanNs: nonNeg,
  commShare: share, exposedCommShare: share, idleShare: share, graphShare: share,
  comm: obj({ transferNs: nonNeg, waitNs: nonNeg }).nullable(),
  layers: arr(obj({ name: str, spanNs: num, parts: record(num) })),
  collectives: arr(obj({ op: str, bytes: num.nullable(), perStep: num, transferMedianNs: num, waitShare: num, skewMedianNs: num, busGBps: num.nullable() })),
});

/** What compare, scaling and attach read of a diagnosis (analyzer/summary/traceSummary.ts), checked in full. */
export const traceSummarySchema = reads<TraceSummary>({
  paths: arr(str), nsysVersion: str.nullable(), stepSource: oneOf(STEP_SOURCES), stepDetection: str, stepTimes: str, tp: tpDegree,
  gpus: arr(obj({ name: str, count })), runtime: str, commandLine: str.nullable(), settings: record(str), layers: num.nullable(),
  phases: arr(phaseProfile),
  findings: arr(obj({ rule: str, severity, phase: str.nullable(), deviceId: num.nullable(), message: str, recommendation: str })),
  warnings: arr(str),
});

const finding = reads<Finding>({ rule: str, severity, message: str, recommendation: str, evidence: typed<Finding['evidence']>() });
const device = obj({ deviceId: num, label: str });

/** The traces a result is of. */
const traceOfDiagnosis = reads<TraceInfo>({ path: str, paths: arr(str) });
const stepDetection = reads<StepDetection>({ source: str, description: str });
const layerResult = reads<LayerResult>({ methods: typed<LayerResult['methods']>(), phases: arr(typed<LayerResult['phases'][number]>()) });

export const diagnoseResultSchema = obj({
  ...frame('diagnose'),
  trace: traceOfDiagnosis,
  stepDetection,
  devices: arr(reads<DeviceResult>({ deviceId: num, label: str, steps: typed<DeviceResult['steps']>() })),
  collectives: reads<CollectivesResult>({ count: num, sizeClasses: arr(typed<CollectivesResult['sizeClasses'][number]>()), devices: arr(typed<CollectivesResult['devices'][number]>()) }),
  /** Achieved FLOP/s and HBM bandwidth per GPU and phase; present with --model and --batch. */
  roofline: unchecked<RooflineRow[] | null>(),
  findings: arr(finding),
  warnings: arr(str),
  /** Rules that did not run on this trace, and why (a missing --model, no collectives). */
  notRun: arr(reads<RuleNotRun>({ rule: str, reason: str })),
  /** Findings another finding explains better (supersededBy names its rule): not findings, but a comparison says where one went. */
  superseded: unchecked<SupersededFinding[]>(),
  layers: layerResult,
  /** Every step across the GPUs, outliers marked: span, time per class, transfer and waiting, idle, the late rank. */
  stepRows: unchecked<StepRowResult[]>(),
  /** Per phase, the kernels behind the class times over the steady steps: overall, per class, inside the layers. */
  kernels: unchecked<PhaseKernelsResult[]>(),
  /** One step on every GPU, op by op (the timeline chart); null without steps. */
  timeline: unchecked<StepTimeline | null>(),
  /** What compare, scaling and attach read of this trace. */
  summary: traceSummarySchema,
  /** The capture's gaps, as `doctor` finds them (the header names them); absent in results saved before it. */
  capture: unchecked<CaptureGaps>().optional(),
  /** Runs of steps at another speed than the steady ones (analyzer/steps/regimes.ts), not in the phases' numbers. */
  regimes: unchecked<RegimeResult[]>().optional(),
});
export type DiagnoseResult = z.infer<typeof diagnoseResultSchema>;

/** What the views of a diagnosis (layers, steps, kernels) keep of it. */
const view = { trace: traceOfDiagnosis, stepDetection: unchecked<StepDetection>() };

export const layersResultSchema = obj({
  ...frame('layers'), ...view,
  layers: layerResult,
  /** The GPU shown in full (`--device N`); null: the summary across ranks. */
  device: unchecked<{ deviceId: number; label: string } | null>(),
  acrossRanks: unchecked<LayerAcross[]>(),
  warnings: arr(str),
  /** Findings about why layers cannot be seen (graph-kernels-hidden). */
  notes: arr(finding),
});
export type LayersResult = z.infer<typeof layersResultSchema>;

export const stepsResultSchema = obj({
  ...frame('steps'), ...view,
  /** The GPU shown (`--device N`); null: every GPU, each row's times their mean. */
  device: unchecked<{ deviceId: number; label: string } | null>(),
  gpus: unchecked<number>(),
  rows: arr(reads<StepRowResult>({ name: str, phase, steady: bool, startNs: num, spanNs: num, times: record(num) })),
  warnings: arr(str),
});
export type StepsResult = z.infer<typeof stepsResultSchema>;

export const kernelsResultSchema = obj({
  ...frame('kernels'), ...view,
  phases: arr(reads<PhaseKernelsResult>({ phase, top: arr(typed<PhaseKernelsResult['top'][number]>()), byClass: arr(typed<PhaseKernelsResult['byClass'][number]>()) })),
  warnings: arr(str),
});
export type KernelsResult = z.infer<typeof kernelsResultSchema>;

export const compareResultSchema = obj({
  ...frame('compare'),
  base: typed<Comparison['base']>(), new: typed<Comparison['new']>(), setup: unchecked<Comparison['setup']>(),
  phases: arr(typed<Comparison['phases'][number]>()), collectives: unchecked<Comparison['collectives']>(),
  findings: typed<Comparison['findings']>(), verdict: typed<Comparison['verdict']>(), warnings: unchecked<Comparison['warnings']>(),
});
export type CompareResult = z.infer<typeof compareResultSchema>;

export const scalingResultSchema = obj({
  ...frame('scaling'),
  options: unchecked<ScalingOptions>(),
  rows: arr(typed<ScalingRow>()),
  /** The per-GPU throughput trap, for decode: the fastest replica is not the cheapest token. */
  trap: unchecked<string | null>(),
  recommendation: unchecked<TpRecommendation | null>(),
  findings: arr(finding),
  notRun: unchecked<RuleNotRun[]>(),
  warnings: unchecked<string[]>(),
});
export type ScalingResult = z.infer<typeof scalingResultSchema>;

export const planResultSchema = obj({
  ...frame('plan'),
  model: unchecked<ModelShape>(),
  gpu: unchecked<string>(),
  batch: unchecked<number>(),
  context: unchecked<number | null>(),
  memoryUtilization: unchecked<number>(),
  plans: arr(typed<TpPlanRow>()),
  findings: arr(finding),
});
export type PlanResult = z.infer<typeof planResultSchema>;

export const attachResultSchema = obj({
  ...frame('attach'),
  /** The benchmark report the section goes into, and in which form. */
  report: unchecked<string>(),
  format: unchecked<ReportFormat>(),
  /** Whether the report already had a section, now replaced. */
  replaced: unchecked<boolean>(),
  section: unchecked<BenchSection>(),
  findings: arr(finding),
});
export type AttachResult = z.infer<typeof attachResultSchema>;

export const doctorResultSchema = obj({
  ...frame('doctor'),
  trace: reads<z.infer<typeof doctorTraceSchema>>({ path: str, paths: arr(str) }),
  verdict: oneOf(DOCTOR_VERDICTS),
  /** 0 complete, 1 usable with gaps, 2 not a TP capture nsys-tp can diagnose. */
  exitCode: num as unknown as z.ZodType<0 | 1 | 2>,
  verdictReason: str,
  world: reads<z.infer<typeof worldSchema>>({
    declared: num.nullable(), found: num, missing: num, sources: arr(obj({ source: str, ranks: num, evidence: str })),
  }),
  facts: arr(reads<DoctorFact>({
    id: str, title: str, status: oneOf(['ok', 'gap', 'info']), statement: str, evidence: str, cost: str.nullable(), rulesNotRun: arr(str),
    fixes: arr(obj({ where: str, flag: str, note: str })),
  })),
  recapture: reads<z.infer<typeof recaptureSchema>>({ runtime: str, name: str, profileTemplate: str, profile: str, export: str, notes: arr(str), fixes: arr(typed<z.infer<typeof recaptureSchema>['fixes'][number]>()), exportOnly: bool }),
});
export type DoctorResult = z.infer<typeof doctorResultSchema>;

/** Each kind's schema. */
export const RESULT_SCHEMAS = {
  diagnose: diagnoseResultSchema, layers: layersResultSchema, steps: stepsResultSchema, kernels: kernelsResultSchema, compare: compareResultSchema,
  scaling: scalingResultSchema, plan: planResultSchema, attach: attachResultSchema, doctor: doctorResultSchema,
} satisfies Record<ResultKind, z.ZodType>;

/**
 * Null when `v` has the shape of a result of its kind (as nsys-tp writes it); else the first mismatch,
 * by its path (`summary.phases[0].stepTimesNs[3]: expected a number, found a string`).
 */
export function resultProblem(v: unknown): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return firstMismatch(obj({}), v);
  const kind = (v as { kind?: unknown }).kind;
  if (!RESULT_KINDS.includes(kind as ResultKind)) return `kind: unknown result kind ${JSON.stringify(kind)?.slice(0, 40)}`;
  return firstMismatch(RESULT_SCHEMAS[kind as ResultKind], v);
}

export type Result = DiagnoseResult | LayersResult | StepsResult | KernelsResult | CompareResult | ScalingResult | PlanResult | AttachResult | DoctorResult;
