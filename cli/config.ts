/**
 * The optional config file (`--config nsys-tp.json`):
 *   { "kernelClasses": [{ "class": "gemm", "pattern": "my_gemm_.*" }],
 *     "rules": { "comm-dominant-step": { "threshold": 0.25 } },
 *     "disabledRules": ["sync-in-step"] }
 */
import { readFileSync } from 'node:fs';
import { validateClassRows } from '../analyzer/classify/classifier.js';
import type { ClassRow } from '../analyzer/classify/kernelClasses.js';
import { TraceError } from '../queries/errors.js';
import type { RuleOptionOverrides as RuleOptions } from '../rules/options.js';
import { disabledRulesFromConfig, ruleOptionsFromConfig } from './ruleOptions.js';

export interface Config {
  kernelClasses: ClassRow[];
  rules: RuleOptions;
  disabledRules: string[];
}

export function loadConfig(path: string | undefined): Config {
  const empty: Config = { kernelClasses: [], rules: {}, disabledRules: [] };
  if (!path) return empty;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new TraceError(`${path}: cannot read config (${(e as Error).message.split('\n')[0]})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new TraceError(`${path}: config must be a JSON object`);
  const obj = raw as Record<string, unknown>;
  try {
    return {
      kernelClasses: obj.kernelClasses === undefined ? [] : validateClassRows(obj.kernelClasses),
      rules: ruleOptionsFromConfig(obj.rules),
      disabledRules: disabledRulesFromConfig(obj.disabledRules),
    };
  } catch (e) {
    throw new TraceError(`${path}: ${(e as Error).message}`);
  }
}
