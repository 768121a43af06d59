/**
 * `nsys-tp rules` and `nsys-tp rules ID`: every rule with its severity, what it needs and its options
 * (kind and default), and one rule's doc; and the exit codes every --help lists.
 */
import type { RuleInfo } from '../index.js';
import { termSafe, wrap } from '../analyzer/report/format.js';

/** What `nsys-tp rules` prints: the list (or a rule's doc) for a reader, or the catalogue as JSON. */
export const RULES_FORMATS = ['terminal', 'json'] as const;

export const EXIT_HELP = `
Exit codes:
  0  done
  1  a gate tripped: --fail-on (a finding of that severity or worse) or --fail-on-regression;
     doctor: the capture is usable, with gaps (its report says each, what it costs and how to recapture)
  2  bad input or usage: one line on stderr saying what and, where it can, what to run;
     doctor: also a capture that is not a TP capture nsys-tp can diagnose (its report still on stdout)
  3  internal error: a bug in nsys-tp (NSYS_TP_DEBUG=1 adds the stack); please report it`;

const SCOPES: Record<RuleInfo['scope'], string> = {
  trace: 'Rules on a trace (diagnose, and every command that diagnoses: layers, steps, kernels, compare, attach, export)',
  plan: 'Plan checks (plan; diagnose with --model, for the trace\'s TP)',
  scaling: 'Across traces of one model at several TP degrees (scaling)',
};

const KIND: Record<string, string> = { ratio: 'fraction 0-1', factor: 'factor', duration: 'ns', bytes: 'bytes', count: 'count' };

function optionText(o: RuleInfo['options'][number]): string {
  return `${o.name} (${KIND[o.type] ?? o.type}, default ${o.default}): ${o.description}`;
}

export function rulesList(rules: readonly RuleInfo[], width: number): string {
  const out: string[] = [];
  for (const scope of Object.keys(SCOPES) as RuleInfo['scope'][]) {
    const mine = rules.filter((r) => r.scope === scope);
    if (mine.length === 0) continue;
    out.push('', `${SCOPES[scope]}:`);
    for (const r of mine) {
      out.push(...wrap(`  ${r.id}  ${r.severity}: ${termSafe(r.title)}`, width, '      '));
      if (r.requires.length) out.push(...wrap(`      needs: ${r.requires.map((q) => q.requirement).join(', ')}`, width, '        '));
      for (const o of r.options) out.push(...wrap(`      ${optionText(o)}`, width, '        '));
    }
  }
  out.push('', ...wrap('Change an option with --rule ID.OPTION=VALUE or a config file ({"rules": {"ID": {"OPTION": VALUE}}}); a fraction is 0.2, not 20. ' +
    'nsys-tp rules ID prints a rule\'s doc.', width, ''));
  return out.slice(1).join('\n') + '\n';
}

export function ruleText(r: RuleInfo & { doc: string }, width: number): string {
  const needs = r.requires.length ? r.requires.map((q) => `${q.requirement} (without: ${q.without})`).join('; ') : 'nothing';
  const lines = [
    ...wrap(`${r.id} · ${r.severity} · ${termSafe(r.title)}`, width, '  '),
    ...wrap(`runs on: ${SCOPES[r.scope]}`, width, '  '),
    ...wrap(`needs: ${needs}`, width, '  '),
    ...(r.options.length ? ['options (--rule ' + r.id + '.OPTION=VALUE):', ...r.options.flatMap((o) => wrap(`  ${optionText(o)}`, width, '    '))] : ['options: none']),
    '',
    r.doc.trimEnd(),
  ];
  return lines.join('\n') + '\n';
}
