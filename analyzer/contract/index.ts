/**
 * The JSON contract of nsys-tp's results: the schemas and the types inferred from them (results.ts), the
 * tool that wrote a result (tool.ts), and the vocabulary its enums take, each list written once where it
 * is defined (step sources, phases, kernel classes, severities).
 */
export * from './results.js';
export { TOOL, TOOL_VERSION, type Tool } from './tool.js';
export { PHASE_ORDER, PHASES, STEP_SOURCES, type Phase, type StepSource } from '../steps/types.js';
export { KERNEL_CLASSES, TIME_CLASSES, type KernelClass, type TimeClass } from '../classify/kernelClasses.js';
export { SEVERITIES, type Severity } from '../severity.js';
// The parts' types; their schemas stay inside the contract (each kind's schema holds them).
export type { BetweenResult, CollectivesResult, DeviceResult, PhaseResult, RegimeResult, RooflineRow, SizeClassResult, StepDetection, StepStats, TraceInfo } from './diagnosis.js';
export type { KernelRowResult, LayerAcross, LayerAcrossRow, PhaseKernelsResult, Range, StepRowResult } from './views.js';
export type { BenchPhase, BenchSection, CaptureGaps, DoctorFact, DoctorVerdict } from './reports.js';
export { DOCTOR_VERDICTS } from './reports.js';
