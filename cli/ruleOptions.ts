/**
 * --rule id.option=value (repeatable) and --fail-on: per-run rule thresholds and the CI gate.
 */
import { InvalidArgumentError } from 'commander';
import type { RuleOptions } from '../rules/engine.js';
import { PLAN_RULES, RULES, SCALING_RULES } from '../rules/index.js';
import { SEVERITY_ORDER, type Finding, type Severity } from '../rules/types.js';

/**
 * Rule options are looked up as own properties only (Object.hasOwn), and kept in objects without a
 * prototype: `__proto__`, `constructor` or `toString` is an unknown option like any other, never a path
 * into Object.prototype.
 */
const bare = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;

/** commander collector: parses one `id.option=value` into the accumulated options. */
export function collectRuleOption(value: string, acc: RuleOptions = bare()): RuleOptions {
  const m = /^([a-z0-9-]+)\.([A-Za-z0-9_]+)=(.*)$/.exec(value);
  if (!m) throw new InvalidArgumentError('expected id.option=value, e.g. comm-dominant-step.threshold=0.25');
  const [, id, option, raw] = m as unknown as [string, string, string, string];
  const v = ruleOptionValue(id, option, raw, true);
  const out: RuleOptions = Object.assign(bare(), acc);
  out[id] = Object.assign(bare<number | string | boolean>(), Object.hasOwn(acc, id) ? acc[id] : {}, { [option]: v });
  return out;
}

/**
 * The value of one rule option, checked against the rule's default: a known rule, a known option, a value
 * of the option's type. `fromText` (the command line) parses numbers and booleans from their spelling.
 */
function ruleOptionValue(id: string, option: string, raw: unknown, fromText: boolean): number | string | boolean {
  const all = [...RULES, ...PLAN_RULES, ...SCALING_RULES];
  const rule = all.find((r) => r.meta.id === id);
  if (!rule) throw new InvalidArgumentError(`unknown rule "${id}" (rules: ${all.map((r) => r.meta.id).join(', ')})`);
  const def = Object.hasOwn(rule.meta.defaults, option) ? rule.meta.defaults[option] : undefined;
  if (def === undefined || (typeof def !== 'number' && typeof def !== 'boolean' && typeof def !== 'string')) {
    const known = Object.keys(rule.meta.defaults);
    throw new InvalidArgumentError(`rule ${id} has no option "${option}"${known.length ? ` (options: ${known.join(', ')})` : ' (it has no options)'}`);
  }
  if (typeof def === 'number') {
    const v = fromText && typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidArgumentError(`${id}.${option} takes a number`);
    return v;
  }
  if (typeof def === 'boolean') {
    const v = fromText ? (raw === 'true' ? true : raw === 'false' ? false : raw) : raw;
    if (typeof v !== 'boolean') throw new InvalidArgumentError(`${id}.${option} takes true or false`);
    return v;
  }
  if (typeof raw !== 'string') throw new InvalidArgumentError(`${id}.${option} takes a string`);
  return raw;
}

/** The `rules` of a config file, checked like --rule flags: { "<rule id>": { "<option>": value } }. */
export function ruleOptionsFromConfig(raw: unknown): RuleOptions {
  if (raw === undefined) return {};
  const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (!isObject(raw)) throw new InvalidArgumentError('rules must be an object of { "<rule id>": { "<option>": value } }');
  const out: RuleOptions = bare();
  const ids = [...RULES, ...PLAN_RULES, ...SCALING_RULES].map((r) => r.meta.id);
  for (const [id, opts] of Object.entries(raw)) {
    if (!ids.includes(id)) throw new InvalidArgumentError(`unknown rule ${JSON.stringify(id)} (rules: ${ids.join(', ')})`);
    if (!isObject(opts)) throw new InvalidArgumentError(`rules["${id}"] must be an object of options`);
    const o = bare<number | string | boolean>();
    for (const [option, v] of Object.entries(opts)) o[option] = ruleOptionValue(id, option, v, false);
    out[id] = o;
  }
  return out;
}

/** The `disabledRules` of a config file: a list of known rule ids. */
export function disabledRulesFromConfig(raw: unknown): string[] {
  if (raw === undefined) return [];
  const ids = [...RULES, ...PLAN_RULES, ...SCALING_RULES].map((r) => r.meta.id);
  if (!Array.isArray(raw)) throw new InvalidArgumentError('disabledRules must be a list of rule ids');
  for (const id of raw) if (typeof id !== 'string' || !ids.includes(id)) throw new InvalidArgumentError(`disabledRules: unknown rule ${JSON.stringify(id)} (rules: ${ids.join(', ')})`);
  return raw as string[];
}

/** Merges config-file options with command-line ones (the command line wins). */
export function mergeRuleOptions(config: RuleOptions, cli: RuleOptions | undefined): RuleOptions {
  const out: RuleOptions = Object.assign(bare(), config);
  for (const [id, opts] of Object.entries(cli ?? {})) out[id] = Object.assign(bare<number | string | boolean>(), Object.hasOwn(out, id) ? out[id] : {}, opts);
  return out;
}

/** Findings at or above the gate's severity. */
export function tripsGate(findings: readonly Finding[], gate: Severity | undefined): Finding[] {
  if (!gate) return [];
  return findings.filter((f) => SEVERITY_ORDER[f.severity] <= SEVERITY_ORDER[gate]);
}
