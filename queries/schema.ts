/**
 * Schema detection. nsys creates tables lazily (a trace without memsets has no MEMSET table) and columns
 * change between versions (2022.2 / schema 2.x, 2024.x-2025.x / 3.x, 2026 / 3.25+), so every query asks
 * here first instead of assuming.
 */
import type { Db } from './open.js';

export interface Schema {
  readonly tables: ReadonlyMap<string, ReadonlySet<string>>;
  has(table: string): boolean;
  hasColumn(table: string, column: string): boolean;
}

/**
 * Reads the names and `pragma table_info` of every real table: views and virtual tables are not nsys
 * tables (nsys writes neither) and are never read, since reading one runs SQL from the file (open.ts).
 */
export function probeSchema(db: Db): Schema {
  const tables = new Map<string, Set<string>>();
  const names = db.prepare("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'").pluck().all() as string[];
  for (const name of names) {
    const cols = db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(name) as string[];
    tables.set(name, new Set(cols));
  }
  return {
    tables,
    has: (t) => tables.has(t),
    hasColumn: (t, c) => tables.get(t)?.has(c) ?? false,
  };
}

/** A table the analyses need lacks a column they read: a layout this code does not know (or an edited file). */
export class SchemaGap extends Error {}

/** Throws SchemaGap unless `table` (which must exist) has every column in `columns`. */
export function requireColumns(schema: Schema, table: string, columns: readonly string[]): void {
  const missing = columns.filter((c) => !schema.hasColumn(table, c));
  if (missing.length) {
    throw new SchemaGap(`${table} has no column ${missing.join(', ')}: an export layout nsys-tp does not know, or an edited file`);
  }
}

/** `"col"` when the table has it, else `fallback` (an SQL expression), so one query serves every version. */
export function colOr(schema: Schema, table: string, column: string, fallback: string): string {
  return schema.hasColumn(table, column) ? `"${column}"` : fallback;
}
