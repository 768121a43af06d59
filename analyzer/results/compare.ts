/** The result of `compare`: two traces' comparison (analyzer/across/compare), as every format shows it. */
import { compareTraces } from '../across/compare/compareTraces.js';
import type { Comparison } from '../contract/comparison.js';
import type { TraceSummary } from '../contract/summary.js';
import { TOOL } from '../contract/tool.js';
import type { CompareResult } from '../contract/results.js';


export function buildCompareResult(base: TraceSummary, next: TraceSummary): CompareResult {
  return { schemaVersion: 1, kind: 'compare', tool: TOOL, ...compareTraces(base, next) };
}
