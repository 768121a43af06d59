/**
 * The rule contract (ESLint / Lighthouse style): a rule is meta + check; a finding is what it reports.
 */
import type { Analysis } from '../analyzer/analysis.js';
import type { ModelShape } from '../analyzer/llm/modelShape.js';
import type { TpPlanRow } from '../analyzer/plan/tpPlan.js';
import type { ScalingRow } from '../analyzer/scaling/scalingTable.js';

export type Severity = 'info' | 'warning' | 'error';
export const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export interface Finding {
  rule: string;
  severity: Severity;
  /** One sentence: what was measured and what it means. */
  message: string;
  /** The numbers behind the message: device ids, steps, time ranges (ns), kernel names. */
  evidence: Record<string, unknown>;
  recommendation: string;
  /** Time the fix could save per step (ns), where computable; findings with more impact sort first. */
  impactNs?: number;
}

export interface RuleMeta {
  id: string;
  severity: Severity;
  title: string;
  description: string;
  /** Thresholds and other options, overridable per run. */
  defaults: Record<string, number | string | boolean>;
  /** Analysis artifacts the rule reads (documentation, and to skip rules whose inputs are missing). */
  requires: string[];
}

/** A rule on a TP plan (model + TP degree), run by `plan` for each TP and by `diagnose` for the trace's TP. */
export interface PlanRule {
  meta: RuleMeta;
  checkPlan(model: ModelShape, plan: TpPlanRow, options: Record<string, number | string | boolean>): Finding[];
}

export interface Rule {
  meta: RuleMeta;
  check(analysis: Analysis, options: Record<string, number | string | boolean>): Finding[];
}

/** A rule across traces of one model at several TP degrees (nsys-tp scaling): rows sorted by TP. */
export interface ScalingRule {
  meta: RuleMeta;
  checkScaling(rows: readonly ScalingRow[], options: Record<string, number | string | boolean>): Finding[];
}
