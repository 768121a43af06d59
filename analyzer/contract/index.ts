/**
 * The JSON contract of nsys-tp's results: the schemas and the types inferred from them (results.ts), the
 * tool that wrote a result (tool.ts), and the vocabulary its enums take, each list written once
 * (vocabulary.ts: step sources, phases, kernel classes, time parts; severities are a leaf, analyzer/severity.ts).
 */
export * from './results.js';
export { TOOL, TOOL_VERSION, type Tool } from './tool.js';
export * from './vocabulary.js';
export { SEVERITIES, type Severity } from '../severity.js';
// The parts' types; their schemas stay inside the contract (each kind's schema holds them).
export type { BetweenResult, CollectivesResult, DeviceResult, PhaseResult, RegimeResult, RooflineRow, SizeClassResult, StepDetection, StepStats, TraceInfo } from './diagnosis.js';
export type { KernelRowResult, LayerAcross, LayerAcrossRow, PhaseKernelsResult, Range, StepRowResult, StepTimes } from './views.js';
export type { BenchPhase, BenchSection, CaptureGaps, CaptureRuntime, DeclaredSize, DoctorFact, DoctorVerdict, FactId, Fix, Lack } from './reports.js';
export { DOCTOR_VERDICTS } from './reports.js';
export type { CollectiveProfile, CommSplit, FindingRef, LayerProfile, PhaseProfile, StepSample, TraceSummary } from './summary.js';
export type {
  CollectiveComparison, CollectiveStats, ComparedFinding, Comparison, FindingsDiff, LayerComparison, LayerDelta, PhaseComparison, PhaseSide, SetupDiff,
  SideInfo, StepShift, ValueChange, Verdict,
} from './comparison.js';
export type { ScalingOptions, ScalingPhase, ScalingRow, TpFit, TpRecommendation } from './scaling.js';
export type { ModelShape, ShardedDim, TpPlanRow } from './plan.js';
export type { StepTimeline, TimelineLane, TimelineOps } from './timeline.js';
export type { LayerPhaseResult, LayerResult, LayerRow, OutlierLayer, Spread } from './layers.js';
export type { Finding, RuleNotRun, SupersededFinding, TimelineLocation } from './findings.js';
