/**
 * docs/layers.json, the one description of the layers: test/imports.test.ts checks the imports against it
 * and the table of docs/architecture.md §2 against `layerTable`, which makes that table from it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './traces.js';

export interface LayerSpec {
  id: string;
  /** How the document names it (default: the id). */
  name?: string;
  /** Folders (ending in /) and files it holds; the longest matching prefix decides a file's layer. */
  paths: string[];
  /** The document's "where", when the paths alone would mislead (a prefix others narrow). */
  where?: string;
  does: string;
  imports: string[];
  typeImports: string[];
}

export interface LayerFile {
  leaves: { paths: string[]; does: string };
  layers: LayerSpec[];
  exceptions: { from: string; to: string; why: string }[];
}

export const LAYER_FILE = 'docs/layers.json';
export const LAYERS: LayerFile = JSON.parse(readFileSync(join(REPO, LAYER_FILE), 'utf8'));

const matches = (file: string, path: string) => (path.endsWith('/') ? file.startsWith(path) : file === path);

/** The layer a source file belongs to, 'leaf' for the shared leaves, null for a file no layer holds. */
export function layerOf(file: string): string | null {
  let best: { id: string; length: number } | null = null;
  const consider = (id: string, paths: string[]) => {
    for (const p of paths) if (matches(file, p) && (!best || p.length > best.length)) best = { id, length: p.length };
  };
  consider('leaf', LAYERS.leaves.paths);
  for (const l of LAYERS.layers) consider(l.id, l.paths);
  return (best as { id: string } | null)?.id ?? null;
}

const code = (p: string) => `\`${p}\``;
const nameOf = (id: string) => LAYERS.layers.find((l) => l.id === id)?.name ?? id;
const list = (ids: string[]) => (ids.length ? ids.map(nameOf).join(', ') : '—');

/** The Markdown docs/architecture.md §2 holds between its `<!-- layers -->` markers. */
export function layerTable(): string {
  const rows = LAYERS.layers.map((l) => `| ${l.name ?? l.id} | ${l.where ?? l.paths.map(code).join(', ')} | ${l.does} | ${list(l.imports)} | ${list(l.typeImports)} |`);
  return [
    '| layer | where | what it does | may import | may also import types of |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    `Every layer may import its own files and the leaves (${LAYERS.leaves.paths.map(code).join(', ')}): ${LAYERS.leaves.does}. The exceptions, each with its reason:`,
    '',
    ...LAYERS.exceptions.map((e) => `- ${nameOf(e.from)} → ${code(e.to)}: ${e.why}.`),
  ].join('\n');
}

export const TABLE_START = '<!-- layers: made from docs/layers.json; test/imports.test.ts checks it -->';
export const TABLE_END = '<!-- /layers -->';
