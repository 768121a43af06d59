/**
 * --rule id.option=value (repeatable) and --fail-on: per-run rule thresholds and the CI gate.
 */
import { InvalidArgumentError } from 'commander';
import type { RuleOptions } from '../rules/engine.js';
import { PLAN_RULES, RULES, SCALING_RULES } from '../rules/index.js';
import { SEVERITY_ORDER, type Finding, type Severity } from '../rules/types.js';

/** commander collector: parses one `id.option=value` into the accumulated options. */
export function collectRuleOption(value: string, acc: RuleOptions = {}): RuleOptions {
  const m = /^([a-z0-9-]+)\.([A-Za-z0-9_]+)=(.*)$/.exec(value);
  if (!m) throw new InvalidArgumentError('expected id.option=value, e.g. comm-dominant-step.threshold=0.25');
  const [, id, option, raw] = m as unknown as [string, string, string, string];
  const all = [...RULES, ...PLAN_RULES, ...SCALING_RULES];
  const rule = all.find((r) => r.meta.id === id);
  if (!rule) throw new InvalidArgumentError(`unknown rule "${id}" (rules: ${all.map((r) => r.meta.id).join(', ')})`);
  const def = rule.meta.defaults[option];
  if (def === undefined) {
    const known = Object.keys(rule.meta.defaults);
    throw new InvalidArgumentError(`rule ${id} has no option "${option}"${known.length ? ` (options: ${known.join(', ')})` : ' (it has no options)'}`);
  }
  let v: number | string | boolean = raw;
  if (typeof def === 'number') {
    v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v)) throw new InvalidArgumentError(`${id}.${option} takes a number`);
  } else if (typeof def === 'boolean') {
    if (raw !== 'true' && raw !== 'false') throw new InvalidArgumentError(`${id}.${option} takes true or false`);
    v = raw === 'true';
  }
  return { ...acc, [id]: { ...(acc[id] ?? {}), [option]: v } };
}

/** Merges config-file options with command-line ones (the command line wins). */
export function mergeRuleOptions(config: RuleOptions, cli: RuleOptions | undefined): RuleOptions {
  const out: RuleOptions = { ...config };
  for (const [id, opts] of Object.entries(cli ?? {})) out[id] = { ...(out[id] ?? {}), ...opts };
  return out;
}

/** Findings at or above the gate's severity. */
export function tripsGate(findings: readonly Finding[], gate: Severity | undefined): Finding[] {
  if (!gate) return [];
  return findings.filter((f) => SEVERITY_ORDER[f.severity] <= SEVERITY_ORDER[gate]);
}
