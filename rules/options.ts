/**
 * Rule options as users give them (`--rule id.option=value`, a config file's "rules", a library call):
 * checked against the rules' typed schemas here, in the core, so every caller gets the same checks and
 * the same messages. Keys are looked up as own properties only: `__proto__` or `toString` is an unknown
 * option like any other.
 */
import { UsageError } from '../analyzer/errors.js';
import { didYouMean } from '../analyzer/text/suggest.js';
import type { OptionSchema, OptionSpec, RuleMeta } from './types.js';

/** Per rule id, per option: values as given (numbers from JSON or a library, strings from a command line). */
export type RuleOptionOverrides = Record<string, Record<string, unknown>>;

interface HasMeta {
  meta: RuleMeta<OptionSchema, string>;
}

const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

function parse(spec: OptionSpec, label: string, raw: unknown, fromText: boolean): number {
  const v = fromText && typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new UsageError(`${label} takes a number`);
  switch (spec.type) {
    case 'ratio':
      if (v < 0 || v > 1) {
        const asPercent = v > 1 && v <= 100 ? `; for ${v}% write ${v / 100}` : '';
        throw new UsageError(`${label} is a fraction between 0 and 1 (${spec.default} means ${spec.default * 100}%), not ${v}${asPercent}`);
      }
      return v;
    case 'count':
      if (!Number.isInteger(v) || v < 0) throw new UsageError(`${label} takes a whole number`);
      return v;
    default:
      if (v < 0) throw new UsageError(`${label} takes a number of at least 0`);
      return v;
  }
}

/**
 * One option value, checked: a known rule, a known option, a value of the option's kind. `fromText` (a
 * command line) parses numbers from their spelling.
 */
export function checkRuleOption(rules: readonly HasMeta[], id: string, option: string, raw: unknown, fromText: boolean): number {
  const rule = rules.find((r) => r.meta.id === id);
  if (!rule) {
    const ids = rules.map((r) => r.meta.id);
    const hint = didYouMean(id, ids);
    throw new UsageError(`unknown rule "${id}"${hint || ` (rules: ${ids.join(', ')}; nsys-tp rules lists them)`}`);
  }
  const schema = rule.meta.options;
  if (!own(schema, option)) {
    const known = Object.keys(schema);
    const hint = didYouMean(option, known);
    throw new UsageError(`rule ${id} has no option "${option}"${hint || (known.length ? ` (options: ${known.join(', ')})` : ' (it has no options)')}`);
  }
  return parse(schema[option]!, `${id}.${option}`, raw, fromText);
}

/** Every override checked (see checkRuleOption); returns them as numbers, in null-prototype objects. */
export function checkRuleOptions(rules: readonly HasMeta[], overrides: RuleOptionOverrides, fromText = false): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = Object.create(null);
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    throw new UsageError('rules must be an object of { "<rule id>": { "<option>": value } }');
  }
  for (const id of Object.keys(overrides)) {
    const opts = overrides[id];
    if (!rules.some((r) => r.meta.id === id)) {
      const ids = rules.map((r) => r.meta.id);
      throw new UsageError(`unknown rule ${JSON.stringify(id)}${didYouMean(id, ids) || ` (rules: ${ids.join(', ')})`}`);
    }
    if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) {
      throw new UsageError(`rules["${id}"] must be an object of options`);
    }
    out[id] = Object.create(null);
    for (const option of Object.keys(opts)) out[id]![option] = checkRuleOption(rules, id, option, (opts as Record<string, unknown>)[option], fromText);
  }
  return out;
}

/** A list of rule ids to leave out, each checked. */
export function checkDisabledRules(rules: readonly HasMeta[], raw: unknown): string[] {
  const ids = rules.map((r) => r.meta.id);
  if (!Array.isArray(raw)) throw new UsageError('disabledRules must be a list of rule ids');
  for (const id of raw) {
    if (typeof id !== 'string' || !ids.includes(id)) throw new UsageError(`disabledRules: unknown rule ${JSON.stringify(id)}${(typeof id === 'string' && didYouMean(id, ids)) || ` (rules: ${ids.join(', ')})`}`);
  }
  return raw as string[];
}

/** The values a rule runs with: its defaults, overridden by the user's. */
export function optionValues(schema: OptionSchema, given: Record<string, number> | undefined): Record<string, number> {
  const out: Record<string, number> = Object.create(null);
  for (const k of Object.keys(schema)) out[k] = given && own(given, k) ? given[k]! : schema[k]!.default;
  return out;
}
