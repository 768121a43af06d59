/**
 * The optional config file (`--config nsys-tp.json`):
 *   { "kernelClasses": [{ "class": "gemm", "pattern": "my_gemm_.*" }],
 *     "rules": { "comm-dominant-step": { "threshold": 0.25 } },
 *     "disabledRules": ["sync-in-step"] }
 * Every key is checked: a misspelt one (or `__proto__`) is refused, not ignored. Kernel-class patterns run
 * on the linear-time engine (userPattern.ts).
 */
import type { ClassRow } from '../analyzer/classify/kernelClasses.js';
import type { RuleOptionOverrides as RuleOptions } from '../rules/options.js';
import { disabledRulesFromConfig, ruleOptionsFromConfig } from './ruleOptions.js';
import { readSideText } from './sideInput.js';
import { linearPattern, PatternError } from './userPattern.js';
import { BadInputError } from '../index.js';
import { closest, jsonSyntaxProblem, validateClassRows } from '../runner/frontend.js';

export interface Config {
  kernelClasses: ClassRow[];
  rules: RuleOptions;
  disabledRules: string[];
}

/** A config is a few kilobytes; a class table for every kernel a runtime has is well under this. */
export const MAX_CONFIG_BYTES = 4 * 2 ** 20;

const CONFIG_KEYS = ['kernelClasses', 'rules', 'disabledRules'];
const ROW_KEYS = ['class', 'pattern', 'flags', 'on', 'op', 'note'];

/** Names every object has: a key spelt so is an attack on the object, named as such. */
const PROTO_KEYS = Object.getOwnPropertyNames(Object.prototype);

/**
 * Throws unless every own key of `obj` is one of `known`. An unknown key is named only when it is a
 * near miss of a known one (`kernelclasses`) or a prototype name: the file may be something else given by
 * mistake (a credentials file), whose keys are not for nsys-tp to repeat, to a terminal or to an agent.
 */
export function onlyKnownKeys(obj: object, known: readonly string[], where: string): void {
  for (const k of Object.keys(obj)) {
    if (known.includes(k)) continue;
    const named = PROTO_KEYS.includes(k) || closest(k, known) !== null;
    throw new Error(`${where}unknown key ${named ? JSON.stringify(k) : '(not named here)'} (known: ${known.join(', ')})`);
  }
}

/** Config rows with their patterns compiled for the linear-time engine. */
function linearRows(raw: unknown): ClassRow[] {
  if (Array.isArray(raw)) raw.forEach((r, i) => r && typeof r === 'object' && !Array.isArray(r) && onlyKnownKeys(r, ROW_KEYS, `kernelClasses[${i}]: `));
  const rows = validateClassRows(raw);
  return rows.map((row, i) => {
    if (row.flags !== undefined && typeof row.flags !== 'string') throw new Error(`kernelClasses[${i}].flags must be a string of flags such as "i"`);
    try {
      const p = linearPattern(row.pattern, row.flags ?? '');
      return { ...row, pattern: p.linearSource, flags: p.linearFlags };
    } catch (e) {
      if (e instanceof PatternError) throw new Error(`kernelClasses[${i}].pattern ${JSON.stringify(row.pattern.slice(0, 80))}: ${e.message}`);
      throw e;
    }
  });
}

export function loadConfig(path: string | undefined): Config {
  const empty: Config = { kernelClasses: [], rules: {}, disabledRules: [] };
  if (path === undefined) return empty;
  if (path.trim() === '') throw new BadInputError('--config: an empty file name');
  const text = readSideText(path, { what: `--config ${path}`, maxBytes: MAX_CONFIG_BYTES });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new BadInputError(`${path}: cannot read config (not JSON: ${jsonSyntaxProblem(text)})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new BadInputError(`${path}: config must be a JSON object`);
  const obj = raw as Record<string, unknown>;
  try {
    onlyKnownKeys(obj, CONFIG_KEYS, '');
    return {
      kernelClasses: obj.kernelClasses === undefined ? [] : linearRows(obj.kernelClasses),
      rules: ruleOptionsFromConfig(obj.rules),
      disabledRules: disabledRulesFromConfig(obj.disabledRules),
    };
  } catch (e) {
    throw new BadInputError(`${path}: ${(e as Error).message}`);
  }
}
