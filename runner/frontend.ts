/**
 * What a front end (the CLI, the MCP server) needs beside the commands (index.ts): to check its input
 * before it runs one (class rows, model shapes, GPUs, rule options), and to word what it prints (the
 * close name of a misspelt one, a trace's sidecar files, the export command, a change's verdict).
 * Published as `nsys-tp/frontend`.
 */
export { validateClassRows } from '../analyzer/classify/classifier.js';
export { changeText, regressionsOver } from '../analyzer/across/compare/verdict.js';
export { GPU_SPECS, gpuSpecFor } from '../analyzer/hardware/gpuSpecs.js';
export { dtypeBytes, PRESET_NAMES, PRESETS, resolvePreset, shapeFromHfConfig } from '../analyzer/llm/modelShape.js';
export { SEVERITY_ORDER, type Severity } from '../analyzer/severity.js';
export { closest, didYouMean } from '../analyzer/text/suggest.js';
export { RECIPES } from '../analyzer/capture/recapture.js';
export { jsonSyntaxProblem } from '../analyzer/report/jsonMember.js';
export { exportCommand, sidecarNote, walState } from '../queries/open.js';
export { checkDisabledRules, checkRuleOption, checkRuleOptions, type RuleOptionOverrides } from '../rules/options.js';
