/**
 * The C floor: SQLite reading what nsys-tp reads, with no row reaching JavaScript. The bare scan's
 * queries (bareScan.ts: the same tables, columns and filters), each run as one aggregate over every
 * selected column (total() of each number, the length of each text or blob), so SQLite decodes every
 * value of every row it keeps and hands back one row per table. This is what reading costs SQLite itself,
 * in one thread; nsys-tp's wall time is measured against it. `node floor.js FILE...` prints {rows}.
 */
import Database from 'better-sqlite3';
import { scanQueries } from './bareScan.js';

export function floorScan(path: string): number {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  let rows = 0;
  for (const q of scanQueries(db)) {
    const aggs = q.columns.map((c) => (q.text.includes(c) ? `sum(length(${c}))` : `total(${c})`));
    const r = db.prepare(`SELECT count(*), ${aggs.join(', ')} FROM ${q.from} WHERE ${q.where}`).raw(true).get() as number[];
    rows += r[0]!;
  }
  db.close();
  return rows;
}

if (process.argv[1]?.endsWith('floor.js')) {
  let rows = 0;
  for (const f of process.argv.slice(2)) rows += floorScan(f);
  process.stdout.write(JSON.stringify({ rows }) + '\n');
}
