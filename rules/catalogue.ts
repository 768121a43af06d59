/**
 * The rules as `nsys-tp rules` and the MCP server list them (what each checks, its options, what it
 * needs), and a rule's doc, found on disk beside the sources or in the installed package.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../analyzer/errors.js';
import { didYouMean } from '../analyzer/text/suggest.js';
import { PLAN_RULES, RULES, SCALING_RULES } from './index.js';
import { REQUIREMENTS } from './requirements.js';
import type { Finding } from '../analyzer/contract/findings.js';

/** A rule as `nsys-tp rules` and the MCP server describe it: what it checks, its options with their kinds and defaults, what it needs. */
export interface RuleInfo {
  id: string;
  /** What it runs on: a trace (diagnose and every command that diagnoses), a TP plan, or traces at several TP degrees. */
  scope: 'trace' | 'plan' | 'scaling';
  severity: Finding['severity'];
  title: string;
  description: string;
  options: { name: string; type: string; default: number; description: string }[];
  requires: { requirement: string; without: string }[];
  /** Every message template of the rule by id (findings', fixes', places' and their parts; rules/messageFormat.ts). */
  messages: Record<string, string>;
}

interface AnyMeta {
  meta: {
    id: string; severity: Finding['severity']; title: string; description: string; options: Record<string, { type: string; default: number; description: string }>;
    requires: readonly string[]; messages: Readonly<Record<string, string>>;
  };
}

export function ruleCatalogue(): RuleInfo[] {
  const info = (scope: RuleInfo['scope']) => (r: AnyMeta): RuleInfo => ({
    id: r.meta.id, scope, severity: r.meta.severity, title: r.meta.title, description: r.meta.description,
    options: Object.entries(r.meta.options).map(([name, o]) => ({ name, type: o.type, default: o.default, description: o.description })),
    requires: r.meta.requires.map((q) => ({ requirement: q, without: REQUIREMENTS[q as keyof typeof REQUIREMENTS].missing })),
    messages: { ...r.meta.messages },
  });
  return [...(RULES as readonly AnyMeta[]).map(info('trace')), ...(PLAN_RULES as readonly AnyMeta[]).map(info('plan')), ...(SCALING_RULES as readonly AnyMeta[]).map(info('scaling'))];
}

/** The folder holding rules/<id>.md: the sources' rules/, also above dist/ in an installed package. */
function rulesDocDir(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'rules', 'host-bound-gaps.md'))) return join(dir, 'rules');
    dir = dirname(dir);
  }
  return null;
}

/** A rule's description and its doc (rules/<id>.md: Detects, Thresholds, Example, Fix). */
export function explainRule(id: string): RuleInfo & { doc: string } {
  const all = ruleCatalogue();
  const rule = all.find((r) => r.id === id);
  if (!rule) throw new UsageError(`unknown rule "${id}"${didYouMean(id, all.map((r) => r.id)) || ' (nsys-tp rules lists them)'}`);
  const dir = rulesDocDir();
  const file = dir && join(dir, `${id}.md`);
  // A package published without its rules/*.md (package.json "files") is a bug of nsys-tp, not of the user.
  if (!file || !existsSync(file)) throw new Error(`the doc of rule ${id} (rules/${id}.md) is missing from this installation`);
  return { ...rule, doc: readFileSync(file, 'utf8') };
}
