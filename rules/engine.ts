/**
 * Runs rules: checks the user's options against each rule's schema, runs the rules whose requirements
 * are met and lists the others as not run (with why), applies each rule's severity, renders its messages
 * from the reported data, and turns a rule that throws into an error finding while the others still run.
 */
import type { Analysis } from '../analyzer/analysis.js';
import { checkRuleOptions, optionValues, type RuleOptionOverrides } from './options.js';
import { missingRequirement } from './requirements.js';
import { PLAN_RULES, RULES, SCALING_RULES } from './index.js';
import { SEVERITY_ORDER, type Finding, type PlanInput, type PlanRule, type Rule, type RuleOf, type RuleOutcome, type RuleReport, type ScalingRule } from './types.js';
import type { ScalingRow } from '../analyzer/across/scaling/scalingTable.js';

export interface RunOptions {
  /** Per-rule option values, keyed by rule id (checked against each rule's schema). */
  options?: RuleOptionOverrides;
  /** Rule ids to skip. */
  disabled?: readonly string[];
}

type AnyRule<I> = RuleOf<I, any, any, any>;

const ALL_RULES: readonly AnyRule<never>[] = [...RULES, ...PLAN_RULES, ...SCALING_RULES];

function text(rule: AnyRule<unknown>, id: string, data: unknown): string {
  const template = rule.meta.messages[id];
  if (!template) throw new Error(`rule ${rule.meta.id} reported message "${id}", which its meta does not define`);
  return template(data);
}

function toFinding(rule: AnyRule<unknown>, r: RuleReport<string, unknown>): Finding {
  const { meta } = rule;
  // Key order: the JSON contract's fields first, as findings have always been written.
  const head = {
    rule: meta.id,
    severity: meta.severity,
    message: text(rule, r.messageId, r.data),
    evidence: r.evidence,
    recommendation: text(rule, r.fixId, r.data),
  };
  const impact = r.impactNs === undefined ? {} : { impactNs: r.impactNs };
  return { ...head, ...impact, title: meta.title, messageId: r.messageId, data: r.data as Record<string, unknown>, locations: r.locations ?? [] };
}

function run<I>(input: I, rules: readonly AnyRule<I>[], opts: RunOptions, missing: (rule: AnyRule<I>) => string | null): RuleOutcome {
  // Options name any rule nsys-tp has (one config serves every command); the ones for these rules apply.
  const given = checkRuleOptions([...rules, ...ALL_RULES.filter((r) => !rules.some((x) => x.meta.id === r.meta.id))], opts.options ?? {});
  const findings: Finding[] = [];
  const notRun: RuleOutcome['notRun'] = [];
  for (const rule of rules) {
    if (opts.disabled?.includes(rule.meta.id)) continue;
    const why = missing(rule);
    if (why) {
      notRun.push({ rule: rule.meta.id, title: rule.meta.title, reason: why });
      continue;
    }
    try {
      for (const r of rule.check(input, optionValues(rule.meta.options, given[rule.meta.id]))) findings.push(toFinding(rule, r));
    } catch (e) {
      findings.push({
        rule: rule.meta.id,
        severity: 'error',
        message: `rule ${rule.meta.id} failed on this trace: ${e instanceof Error ? e.message : String(e)}`,
        evidence: {},
        recommendation: 'The other rules ran; please report this trace so the rule can be fixed.',
        title: rule.meta.title,
        messageId: 'failed',
        data: {},
        locations: [],
      });
    }
  }
  return { findings: sortFindings(findings), notRun };
}

/** Rules on an analysed trace; a rule whose requirements the analysis lacks is listed as not run. */
export function runRules(analysis: Analysis, rules: readonly Rule[], opts: RunOptions = {}): RuleOutcome {
  return run(analysis, rules, opts, (r) => missingRequirement(analysis, r.meta.requires));
}

export function runPlanRules(input: PlanInput, rules: readonly PlanRule[], opts: RunOptions = {}): RuleOutcome {
  return run(input, rules, opts, () => null);
}

export function runScalingRules(rows: readonly ScalingRow[], rules: readonly ScalingRule[], opts: RunOptions = {}): RuleOutcome {
  return run(rows, rules, opts, () => null);
}

/** Severity first, then the time a fix would save. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || (b.impactNs ?? 0) - (a.impactNs ?? 0) || a.rule.localeCompare(b.rule),
  );
}
