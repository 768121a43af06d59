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
export * from './diagnosis.js';
export * from './views.js';
export * from './reports.js';
