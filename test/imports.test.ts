/**
 * The layers of docs/architecture.md §2 and what each may import: every import of every source file is
 * checked against the table, so a forbidden arrow fails here, named with its file and line.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './support/traces.js';

type Layer = 'readers' | 'model' | 'analyses' | 'rules' | 'results' | 'renderers' | 'runner' | 'cli';

function layerOf(file: string): Layer | null {
  if (file === 'index.ts' || file.startsWith('runner/')) return 'runner';
  if (file.startsWith('queries/')) return 'readers';
  if (file.startsWith('cli/')) return 'cli';
  if (file.startsWith('rules/')) return 'rules';
  if (file.startsWith('analyzer/model/')) return 'model';
  if (file.startsWith('analyzer/results/') || file.startsWith('analyzer/contract/') || file.startsWith('analyzer/export/')) return 'results';
  if (file.startsWith('analyzer/report/')) return 'renderers';
  if (file.startsWith('analyzer/')) return 'analyses';
  return null;
}

/** Shared leaves every layer may use: the error taxonomy, severities, number spellings. */
const LEAVES = new Set(['analyzer/errors.ts', 'analyzer/severity.ts']);
const isLeaf = (f: string) => LEAVES.has(f) || f.startsWith('analyzer/text/') || f.startsWith('analyzer/util/');

/** What each layer may import (besides itself and the leaves); `types` are allowed for type-only imports. */
const ALLOWED: Record<Layer, { values: Layer[]; types: Layer[] }> = {
  readers: { values: [], types: ['model'] },
  model: { values: [], types: [] },
  analyses: { values: ['model'], types: [] },
  rules: { values: ['analyses', 'model'], types: [] },
  results: { values: ['analyses', 'model', 'rules'], types: [] },
  renderers: { values: ['results'], types: ['analyses', 'model', 'rules'] },
  runner: { values: ['readers', 'model', 'analyses', 'rules', 'results', 'renderers'], types: [] },
  cli: { values: ['runner'], types: ['readers', 'model', 'analyses', 'rules', 'results', 'renderers'] },
};

/** Modules of another layer a layer may also use by value, and why. */
const EXCEPTIONS: Record<string, string> = {
  // The renderers name the kernel classes (table rows, chart colours) and the phases in the order the analyses define them.
  'renderers -> analyzer/classify/kernelClasses.ts': 'class names',
  'renderers -> analyzer/breakdown/timeParts.ts': 'time parts',
  // The CLI escapes what it prints itself (its own one-line messages) like the renderers do.
  'cli -> analyzer/report/format.ts': 'escaping',
};

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(REPO, dir))) {
    const p = join(dir, e);
    if (statSync(join(REPO, p)).isDirectory()) out.push(...sources(p));
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

interface Arrow {
  from: string;
  to: string;
  line: number;
  typeOnly: boolean;
}

function arrows(file: string): Arrow[] {
  const text = readFileSync(join(REPO, file), 'utf8');
  const out: Arrow[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (const m of text.matchAll(re)) {
    const spec = m[3] ?? m[4]!;
    if (!spec.startsWith('.')) continue;
    const to = relative(REPO, resolve(REPO, dirname(file), spec)).replace(/\.js$/, '.ts');
    out.push({ from: file, to, line: text.slice(0, m.index).split('\n').length, typeOnly: !!m[2] });
  }
  return out;
}

describe('imports follow the layers of docs/architecture.md §2', () => {
  const files = ['index.ts', ...['queries', 'analyzer', 'rules', 'cli', 'runner'].flatMap(sources)];
  it('every source file belongs to a layer', () => {
    expect(files.filter((f) => layerOf(f) === null)).toEqual([]);
  });
  it('no import crosses a layer boundary the table forbids', () => {
    const bad: string[] = [];
    for (const f of files) {
      const from = layerOf(f)!;
      for (const a of arrows(f)) {
        const to = layerOf(a.to);
        if (to === null || to === from || isLeaf(a.to)) continue;
        const rule = ALLOWED[from];
        if (rule.values.includes(to) || (a.typeOnly && rule.types.includes(to))) continue;
        if (EXCEPTIONS[`${from} -> ${a.to}`]) continue;
        bad.push(`${a.from}:${a.line}: ${from} → ${to} (${a.to}${a.typeOnly ? ', type' : ''})`);
      }
    }
    expect(bad).toEqual([]);
  });
  it('the layers have no import cycles between files', () => {
    const graph = new Map(files.map((f) => [f, arrows(f).filter((a) => !a.typeOnly).map((a) => a.to)]));
    const cycles: string[] = [];
    const state = new Map<string, number>();
    const visit = (f: string, path: string[]) => {
      if (state.get(f) === 2) return;
      if (state.get(f) === 1) {
        cycles.push([...path.slice(path.indexOf(f)), f].join(' → '));
        return;
      }
      state.set(f, 1);
      for (const t of graph.get(f) ?? []) visit(t, [...path, f]);
      state.set(f, 2);
    };
    for (const f of files) visit(f, []);
    expect(cycles).toEqual([]);
  });
});
