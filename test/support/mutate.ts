/**
 * A mutation fuzzer's damage: a committed sample copied and corrupted by a seeded sequence of edits, the
 * kinds a bad disk, a half-finished export, a buggy converter or a hand edit make: rows deleted or
 * duplicated, values in GPU op / launch / NVTX / string / payload columns set to NULL, negative, huge,
 * fractional, swapped, text or bytes, tables and columns dropped, and bytes of the file flipped. The same
 * seed gives the same file, so a failure is replayed from its seed alone.
 */
import Database from 'better-sqlite3';
import { closeSync, copyFileSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { BREAKING_TEXT, relax, rng, type Db } from './broken.js';
import { hostile } from './hostile.js';
import { samplePath } from './traces.js';

export const FUZZ_SAMPLES = [
  'tp4-eager.sqlite', 'tp4graph-decode.sqlite', 'tp4graphg-decode.sqlite', 'tp2graph-blobs-prefill.sqlite', 'tp4sp.sqlite', 'tp4nop2p.sqlite', 'tp4tree-decode.sqlite',
];

/** The columns each table's values are drawn from (those the queries read). */
const COLUMNS: Record<string, string[]> = {
  CUPTI_ACTIVITY_KIND_KERNEL: ['start', 'end', 'deviceId', 'streamId', 'correlationId', 'globalPid', 'shortName', 'demangledName', 'graphNodeId'],
  CUPTI_ACTIVITY_KIND_RUNTIME: ['start', 'end', 'globalTid', 'correlationId', 'nameId'],
  NVTX_EVENTS: ['start', 'end', 'eventType', 'globalTid', 'text', 'textId', 'domainId', 'binaryData'],
  CUPTI_ACTIVITY_KIND_MEMCPY: ['start', 'end', 'deviceId', 'streamId', 'correlationId', 'globalPid', 'bytes', 'copyKind'],
  CUPTI_ACTIVITY_KIND_MEMSET: ['start', 'end', 'deviceId', 'correlationId', 'bytes'],
  CUPTI_ACTIVITY_KIND_GRAPH_TRACE: ['start', 'end', 'deviceId', 'correlationId', 'graphId'],
  StringIds: ['id', 'value'],
  NVTX_PAYLOAD_SCHEMA_ENTRIES: ['schemaId', 'name', 'offset'],
  TARGET_INFO_GPU: ['id', 'name', 'memoryBandwidth', 'smCount'],
  TARGET_INFO_SESSION_START_TIME: ['utcEpochNs'],
  META_DATA_CAPTURE: ['name', 'value'],
  ThreadNames: ['nameId', 'globalTid'],
  PROCESSES: ['globalPid', 'pid', 'name'],
};
const TABLES = Object.keys(COLUMNS);

export interface Mutant {
  path: string;
  sample: string;
  /** What was done, in order: enough to see what a failing case holds. */
  edits: string[];
  /** A file the trace's own SQL would create if anything ran it: must never appear. */
  trap: string;
}

/** Character runs that make a backtracking pattern take quadratic or worse time, and text that breaks formats. */
const SHAPES = [
  (n: number) => `${'a'.repeat(n)}!`, (n: number) => `k${' '.repeat(n)}x`, (n: number) => `${'k<'.repeat(n / 2)}>`, (n: number) => `x${':'.repeat(n)}!`,
  (n: number) => `${'\t'.repeat(n)}const`, () => BREAKING_TEXT.join(''), () => `\udfff${BREAKING_TEXT.join('x')}\ud800`,
];

/**
 * Edits a crafted file makes rather than a damaged one: a table swapped for an endless recursive view,
 * SQL appended to a table's CREATE text (an ATTACH that would create `trap`), a computed column that
 * allocates when read, the WAL-mode flag without a -wal file.
 */
function craft(db: Db, table: string, r: () => number, trap: string): string {
  const kind = Math.floor(r() * 3);
  const cols = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(table) as string[];
  if (kind === 0) {
    const list = cols.map((c) => `i AS "${c.replace(/"/g, '""')}"`).join(', ') || 'i';
    db.exec(`DROP TABLE "${table}"; CREATE VIEW "${table}" AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT ${list} FROM n`);
    return `replace ${table} by an endless recursive view`;
  }
  if (kind === 1) {
    const sql = db.prepare("SELECT sql FROM sqlite_master WHERE name = ?").pluck().get(table) as string;
    db.unsafeMode(true);
    db.pragma('writable_schema = ON');
    db.prepare('UPDATE sqlite_master SET sql = ? WHERE name = ?').run(`${sql}; ATTACH '${trap}' AS t; CREATE TABLE t.x(y)`, table);
    db.pragma('writable_schema = OFF');
    db.unsafeMode(false);
    return `append an ATTACH to the CREATE text of ${table}`;
  }
  db.exec(`ALTER TABLE "${table}" ADD COLUMN big_${Math.floor(r() * 1000)} BLOB GENERATED ALWAYS AS (zeroblob(900000000)) VIRTUAL`);
  return `add a computed column to ${table} that allocates 900 MB when read`;
}

export function mutatedExport(dir: string, seed: number): Mutant {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const sample = pick(FUZZ_SAMPLES);
  const path = join(dir, `fuzz-${seed}.sqlite`);
  const trap = join(dir, `fuzz-${seed}-trap.db`);
  copyFileSync(samplePath(sample), path);
  const edits: string[] = [];
  const db = new Database(path);
  db.pragma('journal_mode = OFF');
  const relaxed = new Set<string>();
  const has = (t: string) => (db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(t) as number) > 0;
  const cols = (t: string) => db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(t) as string[];
  const rowids = (t: string, fraction: number) => {
    const ids = db.prepare(`SELECT rowid FROM "${t}"`).pluck().all() as number[];
    return ids.filter(() => r() < fraction);
  };
  try {
    const n = 1 + Math.floor(r() * 4);
    for (let k = 0; k < n; k++) {
      const table = pick(TABLES);
      if (!has(table)) continue;
      const kind = r();
      try {
        if (kind < 0.2) {
          const ids = rowids(table, r() < 0.5 ? 0.05 : r());
          db.exec(`DELETE FROM "${table}" WHERE rowid IN (${ids.join(',')})`);
          edits.push(`delete ${ids.length} rows of ${table}`);
        } else if (kind < 0.27) {
          const ids = rowids(table, 0.1);
          if (!relaxed.has(table)) (relax(db, table), relaxed.add(table));
          db.exec(`INSERT INTO "${table}" SELECT * FROM "${table}" WHERE rowid IN (${ids.join(',')})`);
          edits.push(`duplicate ${ids.length} rows of ${table}`);
        } else if (kind < 0.3) {
          edits.push(craft(db, table, r, trap));
        } else if (kind < 0.85) {
          const col = pick(COLUMNS[table]!.filter((c) => cols(table).includes(c)));
          if (!col) continue;
          if (!relaxed.has(table)) (relax(db, table), relaxed.add(table));
          const ids = rowids(table, r() < 0.6 ? 0.02 : r());
          const how = setValues(db, table, col, ids, r);
          edits.push(`${how} in ${ids.length} rows of ${table}.${col}`);
        } else if (kind < 0.9) {
          db.exec(`DROP TABLE "${table}"`);
          edits.push(`drop table ${table}`);
        } else if (kind < 0.95) {
          const col = pick(cols(table));
          db.exec(`ALTER TABLE "${table}" DROP COLUMN "${col}"`);
          edits.push(`drop column ${table}.${col}`);
        } else {
          const col = pick(cols(table));
          db.exec(`ALTER TABLE "${table}" RENAME COLUMN "${col}" TO "${col}_x"`);
          edits.push(`rename column ${table}.${col}`);
        }
      } catch (e) {
        edits.push(`(edit on ${table} refused by SQLite: ${(e as Error).message.slice(0, 60)})`);
      }
    }
  } finally {
    db.close();
  }
  if (r() < 0.05) edits.push(walFlag(path));
  if (edits.length === 0 || r() < 0.3) edits.push(flipBytes(path, r));
  return { path, sample, edits, trap };
}

/** Sets `col` of the given rows to one kind of bad value; returns what it did. */
function setValues(db: Db, table: string, col: string, ids: number[], r: () => number): string {
  const kinds = ['NULL', 'negative', 'huge', 'zero', 'fraction', 'text', 'hostile text', 'bytes', 'shifted', 'swapped start/end', 'another row\'s value', 'long shaped text'];
  const kind = kinds[Math.floor(r() * kinds.length)]!;
  const update = db.prepare(`UPDATE "${table}" SET "${col}" = ? WHERE rowid = ?`);
  if (kind === 'swapped start/end' && col !== 'start' && col !== 'end') return setValues(db, table, col, ids, r);
  if (kind === 'swapped start/end') {
    db.exec(`UPDATE "${table}" SET start = end, end = start WHERE rowid IN (${ids.join(',')})`);
    return kind;
  }
  if (kind === 'shifted') {
    db.exec(`UPDATE "${table}" SET "${col}" = "${col}" + ${Math.floor((r() - 0.5) * 2e9)} WHERE rowid IN (${ids.join(',')}) AND typeof("${col}") = 'integer'`);
    return kind;
  }
  if (kind === 'another row\'s value') {
    const vals = db.prepare(`SELECT "${col}" FROM "${table}" LIMIT 50`).pluck().all();
    for (const id of ids) update.run(vals[Math.floor(r() * vals.length)] ?? null, id);
    return kind;
  }
  const value = (): unknown => {
    switch (kind) {
      case 'NULL': return null;
      case 'negative': return -Math.floor(r() * 2 ** 40) - 1;
      case 'huge': return [2 ** 53 + 1, 9.2e18, 1e308, 2 ** 62, 4294967296][Math.floor(r() * 5)];
      case 'zero': return 0;
      case 'fraction': return r() * 1e9;
      case 'text': return ['', '12abc', 'NaN', '-', ' 5', 'x'.repeat(1 + Math.floor(r() * 5000))][Math.floor(r() * 6)];
      case 'hostile text': return hostile('HXfuzz');
      case 'long shaped text': return SHAPES[Math.floor(r() * SHAPES.length)]!(Math.floor(r() * 400_000));
      default: return Buffer.from(Array.from({ length: Math.floor(r() * 64) }, () => Math.floor(r() * 256)));
    }
  };
  for (const id of ids) update.run(value(), id);
  return kind;
}

/** Marks the file as WAL mode (header bytes 18-19) with no -wal file beside it. */
function walFlag(path: string): string {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Buffer.from([2, 2]), 0, 2, 18);
  } finally {
    closeSync(fd);
  }
  return 'mark as WAL mode without a -wal file';
}

/** Flips 1-40 random bytes of the file (rarely in the 100-byte header); returns what it did. */
function flipBytes(path: string, r: () => number): string {
  const size = statSync(path).size;
  const n = 1 + Math.floor(r() * 40);
  const fd = openSync(path, 'r+');
  const b = Buffer.alloc(1);
  try {
    for (let i = 0; i < n; i++) {
      const at = r() < 0.05 ? Math.floor(r() * 100) : 100 + Math.floor(r() * (size - 100));
      readSync(fd, b, 0, 1, at);
      b[0] = b[0]! ^ (1 << Math.floor(r() * 8));
      writeSync(fd, b, 0, 1, at);
    }
  } finally {
    closeSync(fd);
  }
  return `flip ${n} bytes`;
}
