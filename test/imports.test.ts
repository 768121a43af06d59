/**
 * The layers of docs/layers.json (described in docs/architecture.md §2) and what each may import: every
 * import of every source file is checked against that file, so a forbidden arrow fails here, named with its
 * file and line; and the document's table is the one the file makes.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './support/traces.js';
import { LAYER_FILE, LAYERS, layerOf, layerTable, TABLE_END, TABLE_START } from './support/layers.js';

const EXCEPTIONS = new Set(LAYERS.exceptions.map((e) => `${e.from} -> ${e.to}`));
const RULES = new Map(LAYERS.layers.map((l) => [l.id, l]));

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

describe(`imports follow the layers of ${LAYER_FILE} (docs/architecture.md §2)`, () => {
  const files = ['index.ts', ...['queries', 'analyzer', 'rules', 'cli', 'runner'].flatMap(sources)];
  it('every source file belongs to a layer', () => {
    expect(files.filter((f) => layerOf(f) === null)).toEqual([]);
  });
  it('the layer file is whole: every layer named in it exists, every path holds a source file, every exception is used', () => {
    const ids = LAYERS.layers.map((l) => l.id);
    expect(new Set(ids).size).toBe(ids.length);
    const named = LAYERS.layers.flatMap((l) => [...l.imports, ...l.typeImports, ...LAYERS.exceptions.map((e) => e.from)]);
    expect(named.filter((id) => !ids.includes(id))).toEqual([]);
    const paths = [...LAYERS.leaves.paths, ...LAYERS.layers.flatMap((l) => l.paths)];
    expect(paths.filter((p) => !files.some((f) => (p.endsWith('/') ? f.startsWith(p) : f === p)))).toEqual([]);
    const used = new Set(files.flatMap((f) => arrows(f).map((a) => `${layerOf(f)} -> ${a.to}`)));
    expect([...EXCEPTIONS].filter((e) => !used.has(e))).toEqual([]);
  });
  it('the table of docs/architecture.md §2 is the one the layer file makes', () => {
    const doc = readFileSync(join(REPO, 'docs/architecture.md'), 'utf8');
    const at = doc.indexOf(TABLE_START);
    const end = doc.indexOf(TABLE_END);
    expect(at, `docs/architecture.md has no ${TABLE_START}`).toBeGreaterThan(0);
    expect(doc.slice(at + TABLE_START.length, end).trim()).toBe(layerTable());
  });
  it('no import crosses a layer boundary the table forbids', () => {
    const bad: string[] = [];
    for (const f of files) {
      const from = layerOf(f)!;
      for (const a of arrows(f)) {
        const to = layerOf(a.to);
        if (to === null || to === from || to === 'leaf') continue;
        const rule = RULES.get(from) ?? { imports: [], typeImports: [] }; // a leaf imports leaves only
        if (rule.imports.includes(to) || (a.typeOnly && rule.typeImports.includes(to))) continue;
        if (EXCEPTIONS.has(`${from} -> ${a.to}`)) continue;
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
