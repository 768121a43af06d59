/**
 * --rule id.option=value (repeatable), a config file's rules, and --fail-on: flags turned into the rule
 * engine's options (checked in the core, rules/options.ts) and the CI gate.
 */
import { InvalidArgumentError } from 'commander';
import { PLAN_RULES, RULES, SCALING_RULES, UsageError, type Finding } from '../index.js';
import { checkDisabledRules, checkRuleOption, checkRuleOptions, SEVERITY_ORDER, type RuleOptionOverrides, type Severity } from '../runner/frontend.js';

const ALL = [...RULES, ...PLAN_RULES, ...SCALING_RULES];

/** commander collector: parses one `id.option=value` into the accumulated options. */
export function collectRuleOption(value: string, acc: RuleOptionOverrides = {}): RuleOptionOverrides {
  const m = /^([a-z0-9-]+)\.([A-Za-z0-9_]+)=(.*)$/.exec(value);
  if (!m) throw new InvalidArgumentError('expected id.option=value, e.g. comm-dominant-step.threshold=0.25');
  const [, id, option, raw] = m as unknown as [string, string, string, string];
  let v: number;
  try {
    v = checkRuleOption(ALL, id, option, raw, true);
  } catch (e) {
    if (e instanceof UsageError) throw new InvalidArgumentError(e.message);
    throw e;
  }
  return { ...acc, [id]: { ...(acc[id] ?? {}), [option]: v } };
}

/** The `rules` of a config file, checked like --rule flags: { "<rule id>": { "<option>": value } }. */
export function ruleOptionsFromConfig(raw: unknown): RuleOptionOverrides {
  return raw === undefined ? {} : checkRuleOptions(ALL, raw as RuleOptionOverrides);
}

/** The `disabledRules` of a config file: a list of known rule ids. */
export function disabledRulesFromConfig(raw: unknown): string[] {
  return raw === undefined ? [] : checkDisabledRules(ALL, raw);
}

/** Merges config-file options with command-line ones (the command line wins). */
export function mergeRuleOptions(config: RuleOptionOverrides, cli: RuleOptionOverrides | undefined): RuleOptionOverrides {
  const out: RuleOptionOverrides = { ...config };
  for (const [id, opts] of Object.entries(cli ?? {})) out[id] = { ...(out[id] ?? {}), ...opts };
  return out;
}

/** Findings at or above the gate's severity. */
export function tripsGate<F extends Pick<Finding, 'severity' | 'rule'>>(findings: readonly F[], gate: Severity | undefined): F[] {
  if (!gate) return [];
  return findings.filter((f) => SEVERITY_ORDER[f.severity] <= SEVERITY_ORDER[gate]);
}
