/**
 * Writing a small export that holds only some steps of a big one. Every table's schema is copied; then
 *  - GPU activity (kernels, memcpy, memset, graph executions): only the ops of the chosen steps, picked by
 *    (globalPid, correlationId, start), so other steps' ops that ran in the same time window stay out;
 *  - per-thread host events (CUDA API calls, NVTX ranges): rows of each step's thread inside that step's
 *    host range, so another rank's unrelated ranges stay out;
 *  - other timed tables (a `start` column, ns): rows overlapping the overall windows;
 *  - call-chain tables (OSRT_CALLCHAINS, ...): the chains the kept rows refer to (callchainId);
 *  - untimed tables (strings, GPUs, processes, metadata, enums) and NVTX domain/category rows: whole.
 * The result is an export nsys-tp (and sqlite3) read like the original.
 *
 * No SQL text from the input runs: its `sqlite_master` could hold anything after the first statement of a
 * CREATE (an ATTACH that writes another file, the input included). Each table is declared anew from what
 * `pragma table_info` reports (name, declared type, NOT NULL, primary key), each index from `pragma
 * index_list` / `index_xinfo` (plain column indexes only); views, triggers, virtual tables, defaults and
 * CHECK constraints are not copied.
 */
import Database from 'better-sqlite3';
import type { Db } from './open.js';
import { probeSchema } from './schema.js';
import type { SliceSpec, Window } from '../analyzer/model/sliceSpec.js';

export interface SliceStats {
  tables: number;
  rowsKept: number;
  rowsRead: number;
}

const GPU_TABLES = new Set(['CUPTI_ACTIVITY_KIND_KERNEL', 'CUPTI_ACTIVITY_KIND_MEMCPY', 'CUPTI_ACTIVITY_KIND_MEMSET', 'CUPTI_ACTIVITY_KIND_GRAPH_TRACE']);
const THREAD_TABLES = new Set(['CUPTI_ACTIVITY_KIND_RUNTIME', 'NVTX_EVENTS']);
/**
 * Tables kept whole: graph nodes are created once, at capture and instantiation, before any step, and a
 * replayed kernel is tied to its capture through them (graphCaptures.ts).
 */
const WHOLE_TABLES = new Set(['CUDA_GRAPH_NODE_EVENTS']);
/** NVTX category and domain-creation events: they name things, whenever they happened. */
const NVTX_NAMING_EVENTS = [33, 75];

function quote(id: string): string {
  return `"${id.replace(/"/g, '""')}"`;
}

/** A declared column type as nsys writes them (`INTEGER`, `TEXT`, `VARCHAR(255)`); anything else is dropped. */
const COLUMN_TYPE = /^[A-Za-z][A-Za-z0-9_]*( [A-Za-z][A-Za-z0-9_]*)*(\(\s*[+-]?\d+\s*(,\s*[+-]?\d+\s*)?\))?$/;
const COLLATIONS = new Set(['BINARY', 'NOCASE', 'RTRIM']);

interface ColumnInfo {
  name: string;
  type: string;
  notnull: number;
  pk: number;
}

/** `CREATE TABLE` for `table` of `src`, built from its pragmas, never from its SQL text. */
export function createTableSql(src: Db, table: string): string {
  const cols = src.prepare('SELECT name, type, "notnull", pk FROM pragma_table_info(?)').all(table) as ColumnInfo[];
  const defs = cols.map((c) => {
    const type = typeof c.type === 'string' && COLUMN_TYPE.test(c.type) ? ` ${c.type}` : '';
    return `${quote(c.name)}${type}${c.notnull ? ' NOT NULL' : ''}`;
  });
  const pk = cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
  if (pk.length) defs.push(`PRIMARY KEY (${pk.map((c) => quote(c.name)).join(', ')})`);
  const info = src.prepare("SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?").get(table) as { wr: number } | undefined;
  return `CREATE TABLE ${quote(table)} (${defs.join(', ')})${info?.wr && pk.length ? ' WITHOUT ROWID' : ''}`;
}

/** `CREATE INDEX` statements for the plain (column, non-partial) indexes of `table`, from its pragmas. */
export function createIndexSql(src: Db, table: string): string[] {
  const out: string[] = [];
  const list = src.prepare('SELECT name, "unique", origin, partial FROM pragma_index_list(?)').all(table) as { name: string; unique: number; origin: string; partial: number }[];
  for (const ix of list) {
    // Primary keys come with the table; partial indexes carry an SQL condition.
    if (ix.origin === 'pk' || ix.partial) continue;
    const keys = (src.prepare('SELECT cid, name, "desc", coll FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno').all(ix.name) as {
      cid: number; name: string | null; desc: number; coll: string | null;
    }[]);
    // An expression index (cid -2) holds SQL text.
    if (keys.length === 0 || keys.some((k) => k.cid < 0 || k.name === null || (k.coll !== null && !COLLATIONS.has(k.coll.toUpperCase())))) continue;
    const name = ix.origin === 'c' ? ix.name : `${table}_${ix.origin === 'u' ? 'unique' : 'index'}_${out.length + 1}`;
    const cols = keys.map((k) => `${quote(k.name!)}${k.coll && k.coll.toUpperCase() !== 'BINARY' ? ` COLLATE ${k.coll.toUpperCase()}` : ''}${k.desc ? ' DESC' : ''}`);
    out.push(`CREATE ${ix.unique ? 'UNIQUE ' : ''}INDEX ${quote(name)} ON ${quote(table)} (${cols.join(', ')})`);
  }
  return out;
}

function inWindows(ws: Window[] | undefined, s: number, e: number): boolean {
  return !!ws && ws.some((w) => s <= w.end && e >= w.start);
}

/** Copies `src` into the new database file `destPath`, keeping what `spec` selects. */
export function sliceExport(src: Db, destPath: string, spec: SliceSpec): SliceStats {
  const schema = probeSchema(src);
  const dest = new Database(destPath);
  dest.pragma('journal_mode = OFF');
  dest.pragma('synchronous = OFF');
  const stats: SliceStats = { tables: 0, rowsKept: 0, rowsRead: 0 };
  try {
    // Identifiers are quoted, types checked against a strict pattern: each statement is ours alone.
    for (const [table, cols] of schema.tables) if (cols.size) dest.prepare(createTableSql(src, table)).run();
    const timeCond = spec.windows.map(() => '(start <= ? AND coalesce(end, start) >= ?)').join(' OR ') || '0';
    const timeArgs = spec.windows.flatMap((w) => [w.end, w.start]);
    const chains = new Set<unknown>();
    const isChainTable = (t: string) => /CALLCHAINS$/.test(t) && schema.hasColumn(t, 'id');
    // Call-chain tables last: they keep what the event tables' kept rows refer to.
    const order = [...schema.tables.keys()].sort((a, b) => Number(isChainTable(a)) - Number(isChainTable(b)));
    for (const table of order) {
      const colSet = schema.tables.get(table)!;
      const cols = [...colSet];
      if (cols.length === 0) continue;
      const at = (c: string) => cols.indexOf(c);
      const timed = colSet.has('start') && !WHOLE_TABLES.has(table);
      let where = timed ? `WHERE (${timeCond})` : '';
      if (table === 'NVTX_EVENTS' && colSet.has('eventType')) where += ` OR eventType IN (${NVTX_NAMING_EVENTS.join(',')})`;
      let keep: ((row: unknown[]) => boolean) | null = null;
      if (isChainTable(table)) {
        const iId = at('id');
        keep = (r) => chains.has(r[iId]);
      } else if (GPU_TABLES.has(table) && timed && colSet.has('correlationId')) {
        const [iPid, iCorr, iStart] = [at('globalPid'), at('correlationId'), at('start')];
        keep = (r) => spec.gpuOps.has(`${iPid >= 0 ? r[iPid] ?? 0 : 0}:${r[iCorr] ?? 0}:${r[iStart]}`);
      } else if (THREAD_TABLES.has(table) && timed && colSet.has('globalTid')) {
        const [iTid, iStart, iEnd, iType] = [at('globalTid'), at('start'), at('end'), at('eventType')];
        keep = (r) =>
          (iType >= 0 && NVTX_NAMING_EVENTS.includes(r[iType] as number)) ||
          inWindows(spec.threadWindows.get(r[iTid] as number), r[iStart] as number, (r[iEnd] ?? r[iStart]) as number);
      }
      const iChain = at('callchainId');
      const insert = dest.prepare(`INSERT INTO ${quote(table)} (${cols.map(quote).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
      dest.transaction(() => {
        for (const row of src.prepare(`SELECT ${cols.map(quote).join(', ')} FROM ${quote(table)} ${where}`).raw(true).iterate(...(timed ? timeArgs : [])) as Iterable<unknown[]>) {
          if (keep && !keep(row)) continue;
          if (iChain >= 0 && row[iChain] !== null) chains.add(row[iChain]);
          insert.run(...row);
          stats.rowsKept++;
        }
      })();
      stats.rowsRead += src.prepare(`SELECT count(*) FROM ${quote(table)}`).pluck().get() as number;
      stats.tables++;
    }
    for (const [table, cols] of schema.tables) if (cols.size) for (const sql of createIndexSql(src, table)) dest.prepare(sql).run();
    dest.exec('VACUUM');
  } finally {
    dest.close();
  }
  return stats;
}
