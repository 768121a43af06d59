/**
 * The JSON contract: every kind of result nsys-tp writes (`--format json`, the MCP tools), as one zod
 * schema each, composed of the schemas of its parts (summary.ts, comparison.ts, scaling.ts, plan.ts,
 * layers.ts, timeline.ts, findings.ts, diagnosis.ts, views.ts, reports.ts), from which the result types
 * are inferred, saved results are checked (parseResult, render) and the MCP tools' output schemas are
 * made. Reading checks every field of every part: a hand-edited or broken result is one line naming its
 * first bad field, never a renderer's crash or a wrong table; fields a newer version adds are allowed.
 * test/contract.goldens.test.ts reads every result the golden outputs pin through this check.
 */
import { z } from 'zod';
import { arr, bool, firstMismatch, num, obj, oneOf, str } from './checks.js';
import { comparisonShape } from './comparison.js';
import { collectivesResultSchema, deviceResultSchema, regimeResultSchema, rooflineRowSchema, stepDetectionSchema, traceInfoSchema } from './diagnosis.js';
import { findingSchema, ruleNotRunSchema, supersededFindingSchema } from './findings.js';
import { layerResultSchema } from './layers.js';
import { modelShapeSchema, tpPlanRowSchema } from './plan.js';
import { benchSectionSchema, captureGapsSchema, DOCTOR_VERDICTS, doctorFactSchema, doctorTraceSchema, recaptureSchema, worldSchema } from './reports.js';
import { scalingOptionsSchema, scalingRowSchema, tpRecommendationSchema } from './scaling.js';
import { traceSummarySchema } from './summary.js';
import { stepTimelineSchema } from './timeline.js';
import { layerAcrossSchema, phaseKernelsResultSchema, stepRowResultSchema } from './views.js';

export { traceSummarySchema };

/** The kinds of result, one per command that returns one. */
export const RESULT_KINDS = ['diagnose', 'layers', 'steps', 'kernels', 'compare', 'scaling', 'plan', 'attach', 'doctor'] as const;
export type ResultKind = (typeof RESULT_KINDS)[number];

/** The benchmark reports attach writes into: a result JSON (a member added) or Markdown (a section appended). */
export const REPORT_FORMATS = ['json', 'md'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const toolSchema = obj({ name: z.literal('nsys-tp'), version: str });
/** What every result starts with: its schema version, its kind and the tool that wrote it. */
const frame = <K extends ResultKind>(kind: K) => ({ schemaVersion: z.literal(1), kind: z.literal(kind), tool: toolSchema });

const finding = findingSchema;
const device = obj({ deviceId: num, label: str });

export const diagnoseResultSchema = obj({
  ...frame('diagnose'),
  /** The traces a result is of. */
  trace: traceInfoSchema,
  stepDetection: stepDetectionSchema,
  devices: arr(deviceResultSchema),
  collectives: collectivesResultSchema,
  /** Achieved FLOP/s and HBM bandwidth per GPU and phase; present with --model and --batch. */
  roofline: arr(rooflineRowSchema).nullable(),
  findings: arr(finding),
  warnings: arr(str),
  /** Rules that did not run on this trace, and why (a missing --model, no collectives). */
  notRun: arr(ruleNotRunSchema),
  /** Findings another finding explains better (supersededBy names its rule): not findings, but a comparison says where one went; absent in results saved before they were kept. */
  superseded: arr(supersededFindingSchema).optional(),
  layers: layerResultSchema,
  /** Every step across the GPUs, outliers marked: span, time per class, transfer and waiting, idle, the late rank. */
  stepRows: arr(stepRowResultSchema),
  /** Per phase, the kernels behind the class times over the steady steps: overall, per class, inside the layers. */
  kernels: arr(phaseKernelsResultSchema),
  /** One step on every GPU, op by op (the timeline chart); null without steps. */
  timeline: stepTimelineSchema.nullable(),
  /** What compare, scaling and attach read of this trace. */
  summary: traceSummarySchema,
  /** The capture's gaps, as `doctor` finds them (the header names them); absent in results saved before it. */
  capture: captureGapsSchema.optional(),
  /** Runs of steps at another speed than the steady ones (analyzer/steps/regimes.ts), not in the phases' numbers. */
  regimes: arr(regimeResultSchema).optional(),
});
export type DiagnoseResult = z.infer<typeof diagnoseResultSchema>;

/** What the views of a diagnosis (layers, steps, kernels) keep of it. */
const view = { trace: traceInfoSchema, stepDetection: stepDetectionSchema };

export const layersResultSchema = obj({
  ...frame('layers'), ...view,
  layers: layerResultSchema,
  /** The GPU shown in full (`--device N`); null: the summary across ranks. */
  device: device.nullable(),
  acrossRanks: arr(layerAcrossSchema),
  warnings: arr(str),
  /** Findings about why layers cannot be seen (graph-kernels-hidden). */
  notes: arr(finding),
});
export type LayersResult = z.infer<typeof layersResultSchema>;

export const stepsResultSchema = obj({
  ...frame('steps'), ...view,
  /** The GPU shown (`--device N`); null: every GPU, each row's times their mean. */
  device: device.nullable(),
  gpus: num,
  rows: arr(stepRowResultSchema),
  warnings: arr(str),
});
export type StepsResult = z.infer<typeof stepsResultSchema>;

export const kernelsResultSchema = obj({
  ...frame('kernels'), ...view,
  phases: arr(phaseKernelsResultSchema),
  warnings: arr(str),
});
export type KernelsResult = z.infer<typeof kernelsResultSchema>;

export const compareResultSchema = obj({
  ...frame('compare'),
  ...comparisonShape,
});
export type CompareResult = z.infer<typeof compareResultSchema>;

export const scalingResultSchema = obj({
  ...frame('scaling'),
  options: scalingOptionsSchema,
  rows: arr(scalingRowSchema),
  /** The per-GPU throughput trap, for decode: the fastest replica is not the cheapest token. */
  trap: str.nullable(),
  recommendation: tpRecommendationSchema.nullable(),
  findings: arr(finding),
  notRun: arr(ruleNotRunSchema),
  warnings: arr(str),
});
export type ScalingResult = z.infer<typeof scalingResultSchema>;

export const planResultSchema = obj({
  ...frame('plan'),
  model: modelShapeSchema,
  gpu: str,
  batch: num,
  context: num.nullable(),
  memoryUtilization: num,
  plans: arr(tpPlanRowSchema),
  findings: arr(finding),
});
export type PlanResult = z.infer<typeof planResultSchema>;

export const attachResultSchema = obj({
  ...frame('attach'),
  /** The benchmark report the section goes into, and in which form. */
  report: str,
  format: oneOf(REPORT_FORMATS),
  /** Whether the report already had a section, now replaced. */
  replaced: bool,
  section: benchSectionSchema,
  findings: arr(finding),
});
export type AttachResult = z.infer<typeof attachResultSchema>;

export const doctorResultSchema = obj({
  ...frame('doctor'),
  trace: doctorTraceSchema,
  verdict: oneOf(DOCTOR_VERDICTS),
  /** 0 complete, 1 usable with gaps, 2 not a TP capture nsys-tp can diagnose. */
  exitCode: num as unknown as z.ZodType<0 | 1 | 2>,
  verdictReason: str,
  world: worldSchema,
  facts: arr(doctorFactSchema),
  recapture: recaptureSchema,
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
