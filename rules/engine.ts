/**
 * Runs rules: checks the user's options against each rule's schema, runs the rules whose requirements
 * are met and lists the others as not run (with why), applies each rule's severity, renders its messages
 * from the reported data (rules/messageFormat.ts, the one place words are filled in), and turns a rule
 * that throws into an error finding while the others still run.
 */
import type { Analysis } from '../analyzer/analysis.js';
import { checkRuleOptions, optionValues, type RuleOptionOverrides } from './options.js';
import { missingRequirement } from './requirements.js';
import { PLAN_RULES, RULES, SCALING_RULES } from './index.js';
import { SEVERITY_ORDER, type PlanInput, type PlanRule, type Rule, type RuleOf, type RuleOutcome, type RuleReport, type ScalingRule } from './types.js';
import type { Finding, SupersededFinding } from '../analyzer/contract/findings.js';
import type { Phase } from '../analyzer/contract/vocabulary.js';
import type { ScalingRow } from '../analyzer/contract/scaling.js';
import { formatText, renderedData, type Messages } from './messageFormat.js';

export interface RunOptions {
  /** Per-rule option values, keyed by rule id (checked against each rule's schema). */
  options?: RuleOptionOverrides;
  /** Rule ids to skip. */
  disabled?: readonly string[];
}

type AnyRule<I> = RuleOf<I, any, any, any>;

const ALL_RULES: readonly AnyRule<never>[] = [...RULES, ...PLAN_RULES, ...SCALING_RULES];

/** What the engine says for a rule that threw: the one finding no rule reports. */
const ENGINE_MESSAGES: Messages<'failed' | 'failedFix'> = {
  failed: 'rule {rule} failed on this trace: {error}',
  failedFix: 'The other rules ran; please report this trace so the rule can be fixed.',
};

function toFinding(rule: AnyRule<unknown>, r: RuleReport<string, unknown>): Finding {
  const { meta } = rule;
  const messages: Messages = meta.messages;
  const data = r.data as Record<string, unknown>;
  // Key order: the JSON contract's fields first, as findings have always been written.
  // A report may lower its rule's severity (a guess, a cost below the rule's threshold), never raise it.
  const severity = r.severity && SEVERITY_ORDER[r.severity] > SEVERITY_ORDER[meta.severity] ? r.severity : meta.severity;
  const head = {
    rule: meta.id,
    severity,
    message: formatText(messages, { messageId: r.messageId, data }),
    evidence: r.evidence,
    recommendation: formatText(messages, { messageId: r.fixId, data }),
  };
  const locations = (r.locations ?? []).map((l) => ({ ...l, what: formatText(messages, l.what) }));
  const impact = r.impactNs === undefined ? {} : { impactNs: r.impactNs };
  const cost = r.costShare === undefined || !Number.isFinite(r.costShare) ? {} : { costShare: r.costShare };
  // A result shows the data as filled in: its nested messages as their text.
  return { ...head, ...impact, ...cost, title: meta.title, messageId: r.messageId, data: renderedData(messages, data) as Record<string, unknown>, locations };
}

function run<I>(input: I, rules: readonly AnyRule<I>[], opts: RunOptions, missing: (rule: AnyRule<I>) => string | null): RuleOutcome {
  // Options name any rule nsys-tp has (one config serves every command); the ones for these rules apply.
  const given = checkRuleOptions([...rules, ...ALL_RULES.filter((r) => !rules.some((x) => x.meta.id === r.meta.id))], opts.options ?? {});
  const findings: Finding[] = [];
  const superseded: SupersededFinding[] = [];
  const notRun: RuleOutcome['notRun'] = [];
  for (const rule of rules) {
    if (opts.disabled?.includes(rule.meta.id)) continue;
    const why = missing(rule);
    if (why) {
      notRun.push({ rule: rule.meta.id, title: rule.meta.title, reason: why });
      continue;
    }
    try {
      for (const r of rule.check(input, optionValues(rule.meta.options, given[rule.meta.id]))) {
        if (r.supersededBy) superseded.push({ ...toFinding(rule, r), supersededBy: r.supersededBy });
        else findings.push(toFinding(rule, r));
      }
    } catch (e) {
      const data = { rule: rule.meta.id, error: e instanceof Error ? e.message : String(e) };
      findings.push({
        rule: rule.meta.id,
        severity: 'error',
        message: formatText(ENGINE_MESSAGES, { messageId: 'failed', data }),
        evidence: {},
        recommendation: formatText(ENGINE_MESSAGES, { messageId: 'failedFix', data }),
        title: rule.meta.title,
        messageId: 'failed',
        data: {},
        locations: [],
      });
    }
  }
  // A finding is superseded only by one that is shown: without it the finding stands on its own.
  const shown = new Set(findings.map((f) => f.rule));
  for (const f of superseded.filter((x) => !shown.has(x.supersededBy))) {
    const { supersededBy: _, ...own } = f;
    findings.push(own);
  }
  return { findings: sortFindings(findings), notRun, superseded: superseded.filter((x) => shown.has(x.supersededBy)) };
}

/** A phase's step (ns): the mean steady step span, median over the GPUs with steady steps in it. */
function phaseStepNs(a: Analysis, phase: string): number | null {
  const spans = a.model.devices.flatMap((d) => {
    const p = a.phase(d.index, phase as Phase);
    return p && p.steadyCount > 0 ? [p.totalSpanNs / p.steadyCount] : [];
  });
  if (spans.length === 0) return null;
  spans.sort((x, y) => x - y);
  return spans[Math.floor((spans.length - 1) / 2)]!;
}

/**
 * Each finding's cost as a share of its phase's step, where its rule did not state one: the time a fix
 * would save per step (impactNs) over the step it is about. Shares are capped at the whole.
 */
function withCost<F extends Finding>(a: Analysis, f: F): F {
  if (f.costShare !== undefined || f.impactNs === undefined || typeof f.evidence.phase !== 'string') return f;
  const step = phaseStepNs(a, f.evidence.phase);
  return step && step > 0 ? { ...f, costShare: Math.min(1, Math.max(0, f.impactNs / step)) } : f;
}

/** Rules on an analysed trace; a rule whose requirements the analysis lacks is listed as not run. */
export function runRules(analysis: Analysis, rules: readonly Rule[], opts: RunOptions = {}): RuleOutcome {
  const out = run(analysis, rules, opts, (r) => missingRequirement(analysis, r.meta.requires));
  return { ...out, findings: sortFindings(out.findings.map((f) => withCost(analysis, f))), superseded: out.superseded?.map((f) => withCost(analysis, f)) };
}

export function runPlanRules(input: PlanInput, rules: readonly PlanRule[], opts: RunOptions = {}): RuleOutcome {
  return run(input, rules, opts, () => null);
}

export function runScalingRules(rows: readonly ScalingRow[], rules: readonly ScalingRule[], opts: RunOptions = {}): RuleOutcome {
  return run(rows, rules, opts, () => null);
}

/**
 * Severity first (gates read it), then cost: within a severity the finding that costs the largest share
 * of its step comes first; findings without a measured cost follow, by the time a fix would save.
 */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || (b.costShare ?? -1) - (a.costShare ?? -1) ||
      (b.impactNs ?? 0) - (a.impactNs ?? 0) || a.rule.localeCompare(b.rule),
  );
}
