/**
 * Runs rules over an analysis. A rule that throws becomes an error finding and the others still run;
 * options are the rule's defaults overridden by the user's (config file, then --rule flags).
 */
import type { Analysis } from '../analyzer/analysis.js';
import { SEVERITY_ORDER, type Finding, type PlanRule, type Rule, type ScalingRule } from './types.js';
import type { ModelShape } from '../analyzer/llm/modelShape.js';
import type { TpPlanRow } from '../analyzer/plan/tpPlan.js';
import type { ScalingRow } from '../analyzer/scaling/scalingTable.js';

export type RuleOptions = Record<string, Record<string, number | string | boolean>>;

export interface RunOptions {
  /** Per-rule option overrides, keyed by rule id. */
  options?: RuleOptions;
  /** Rule ids to skip. */
  disabled?: string[];
}

export function runRules(analysis: Analysis, rules: readonly Rule[], run: RunOptions = {}): Finding[] {
  return sortFindings(guarded(rules, run, (rule, options) => rule.check(analysis, options)));
}

export function runPlanRules(model: ModelShape, plan: TpPlanRow, rules: readonly PlanRule[], run: RunOptions = {}): Finding[] {
  return sortFindings(guarded(rules, run, (rule, options) => rule.checkPlan(model, plan, options)));
}

export function runScalingRules(rows: readonly ScalingRow[], rules: readonly ScalingRule[], run: RunOptions = {}): Finding[] {
  return sortFindings(guarded(rules, run, (rule, options) => rule.checkScaling(rows, options)));
}

function guarded<R extends Rule | PlanRule | ScalingRule>(rules: readonly R[], run: RunOptions, check: (rule: R, options: Record<string, number | string | boolean>) => Finding[]): Finding[] {
  const findings: Finding[] = [];
  for (const rule of rules) {
    if (run.disabled?.includes(rule.meta.id)) continue;
    const options = { ...rule.meta.defaults, ...(run.options?.[rule.meta.id] ?? {}) };
    try {
      for (const f of check(rule, options)) findings.push({ ...f, rule: rule.meta.id });
    } catch (e) {
      findings.push({
        rule: rule.meta.id,
        severity: 'error',
        message: `rule ${rule.meta.id} failed on this trace: ${e instanceof Error ? e.message : String(e)}`,
        evidence: {},
        recommendation: 'The other rules ran; please report this trace so the rule can be fixed.',
      });
    }
  }
  return findings;
}

/** Severity first, then the time a fix would save. */
export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || (b.impactNs ?? 0) - (a.impactNs ?? 0) || a.rule.localeCompare(b.rule),
  );
}
