/**
 * Rule docs show real output, and this keeps it true (as ESLint checks its rule docs' examples): every
 * example in rules/<id>.md is an indented block after a marker naming the command that produced it,
 *
 *     <!-- example: diagnose tp4nop2p --model samples/llama-70b-8layers.config.json --batch 8 -->
 *
 * and the block must be the start of a finding that command reports today (whitespace aside: the text
 * wraps at the terminal's width). Trace names are ../shared/traces' (`tp4`, `external/…`), `repo:NAME` is
 * test/traces/NAME; paths under samples/ are the repository's. Every rule's doc has at least one example so marked.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './support/cli.js';
import { EXTERNAL_TRACES, HAVE_TRACES, REPO, repoTrace, sharedTrace, TP_TRACES } from './support/traces.js';

const SEVERITY_WORD: Record<string, string> = { error: 'ERROR', warning: 'WARN', info: 'INFO' };
const norm = (s: string) => s.replace(/\s+/g, ' ').trim();

interface Example {
  doc: string;
  command: string[];
  text: string;
}

/** Examples of one doc: each marker and the indented block after it. */
export function examplesOf(doc: string, md: string): Example[] {
  const out: Example[] = [];
  const lines = md.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^<!-- example: (.+) -->$/.exec(lines[i]!);
    if (!m) continue;
    let j = i + 1;
    while (j < lines.length && lines[j]!.trim() === '') j++;
    const block: string[] = [];
    while (j < lines.length && (lines[j]!.startsWith('    ') || lines[j]!.trim() === '')) {
      if (lines[j]!.trim() === '' && !(lines[j + 1] ?? '').startsWith('    ')) break;
      block.push(lines[j]!);
      j++;
    }
    out.push({ doc, command: m[1]!.split(/\s+/), text: norm(block.join('\n')) });
  }
  return out;
}

const TRACES = new Set([...TP_TRACES, ...EXTERNAL_TRACES]);
const resolveArg = (x: string) => (TRACES.has(x) ? sharedTrace(x) : x.startsWith('repo:') ? repoTrace(x.slice(5)) : x.startsWith('samples/') ? join(REPO, x) : x);

/** The findings the command reports, as the text report writes them: `WARN rule: message`. */
async function findingsOf(command: string[]): Promise<string[]> {
  const [cmd, ...args] = command;
  const r = await cli([cmd!, '--format', 'json', ...args.map(resolveArg)]);
  if (r.status !== 0) throw new Error(`${command.join(' ')} failed (${r.status}): ${r.stderr}`);
  const j = JSON.parse(r.stdout);
  return (j.findings as { rule: string; severity: string; message: string }[]).map((f) => norm(`${SEVERITY_WORD[f.severity]} ${f.rule}: ${f.message}`));
}

const DOCS = readdirSync(join(REPO, 'rules')).filter((f) => f.endsWith('.md')).sort();

describe('rule docs', () => {
  it('every rule doc has an example marked with the command that made it', () => {
    const missing = DOCS.filter((d) => examplesOf(d, readFileSync(join(REPO, 'rules', d), 'utf8')).length === 0);
    expect(missing).toEqual([]);
  });
  it('the marker parser reads the block after the marker, whitespace aside', () => {
    const md = 'x\n\n<!-- example: diagnose tp4 --batch 8 -->\n\n    WARN a: b\n    c d.\n\n## Fix\n';
    expect(examplesOf('a.md', md)).toEqual([{ doc: 'a.md', command: ['diagnose', 'tp4', '--batch', '8'], text: 'WARN a: b c d.' }]);
  });
});

describe.skipIf(!HAVE_TRACES)('rule docs show what the rules report today', () => {
  for (const doc of DOCS) {
    for (const ex of examplesOf(doc, readFileSync(join(REPO, 'rules', doc), 'utf8'))) {
      it(`${doc}: ${ex.command.join(' ')}`, async () => {
        const rule = doc.replace(/\.md$/, '');
        expect(ex.text).toContain(`${rule}:`);
        const got = await findingsOf(ex.command);
        expect(got.some((f) => f.startsWith(ex.text)), `no finding starts with the doc's example; the command reports:\n${got.join('\n')}`).toBe(true);
      });
    }
  }
});
