/**
 * StringIds: nsys stores every name (kernel, API, NVTX text) once and refers to it by id.
 * Table read: StringIds(id INTEGER, value TEXT).
 * Text columns are read through CAST(... AS TEXT): a damaged file can hold a BLOB or a number there, and
 * every string the analyses get must be a string.
 */
import type { Db } from './open.js';
import { requireColumns, type Schema } from './schema.js';

/** Values of the given ids, fetched in batches so a huge StringIds table is never read whole. */
export function loadStrings(db: Db, schema: Schema, ids: Iterable<number>): Map<number, string> {
  const out = new Map<number, string>();
  if (!schema.has('StringIds')) return out;
  requireColumns(schema, 'StringIds', ['id', 'value']);
  const all = [...new Set(ids)].filter((x) => Number.isFinite(x));
  const BATCH = 500;
  for (let i = 0; i < all.length; i += BATCH) {
    const part = all.slice(i, i + BATCH);
    const sql = `SELECT id, CAST(value AS TEXT) FROM StringIds WHERE id IN (${part.map(() => '?').join(',')})`;
    for (const row of db.prepare(sql).raw(true).iterate(...part) as Iterable<[number, string | null]>) {
      out.set(row[0], row[1] ?? '');
    }
  }
  return out;
}

/** Ids of the strings matching any of the GLOB patterns (case-sensitive, as nsys writes API names). */
export function findStringIds(db: Db, schema: Schema, globs: readonly string[]): number[] {
  if (!schema.has('StringIds') || globs.length === 0) return [];
  requireColumns(schema, 'StringIds', ['id', 'value']);
  const where = globs.map(() => 'value GLOB ?').join(' OR ');
  // Ids go into other queries' SQL: only integers (a damaged table can hold anything).
  return (db.prepare(`SELECT id FROM StringIds WHERE ${where}`).pluck().all(...globs) as unknown[]).filter((x): x is number => Number.isSafeInteger(x));
}
