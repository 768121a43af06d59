/**
 * A page of a table as columns, aggregated by SQLite: one statement per page of rowids returns one row,
 * `count(*)` and the page's numbers as one JSON array of rows (`json_group_array(json_array(...))`),
 * which is parsed here into one typed array per column. Rows never cross into JavaScript one by one:
 * handing over a row costs better-sqlite3 an array and a value apiece (about 150 ns a value); writing the
 * JSON costs SQLite about 20 ns a value (one aggregate step per row: a json_group_array per column costs
 * half as much again, group_concat more), and reading it a few nanoseconds here.
 *
 * Values come as stored. The fast path takes what JSON writes for an integer or a NULL; anything else
 * in a page (a REAL, text or a blob where a number belongs) makes that page fall back to fetching its
 * rows (the same expressions, unaggregated), where each value is a number or NaN. Both paths give the
 * same columns. A text column is read whole with JSON.parse.
 */
import type { Db } from './open.js';

export interface ColumnSpec {
  table: string;
  /** SQL expressions read as numbers: a number where the file holds one, NaN elsewhere (NULL, text, a blob). */
  numbers: readonly string[];
  /** One SQL expression read as text ('' for NULL), or none. */
  text?: string;
  /** Rows kept besides the rowid range: an SQL condition. */
  where?: string;
}

export interface ColumnPage {
  n: number;
  /** One array per `numbers` expression; rows [0, n) are this page's. Reused by the next page. */
  num: Float64Array[];
  /** The text column's values, when the spec has one. */
  text: string[] | null;
}

export class ColumnReader {
  private readonly fast: { get(lo: bigint, hi: bigint): unknown };
  private readonly rows: { all(lo: bigint, hi: bigint): unknown[] };
  private readonly page: ColumnPage;
  /** Pages read by fetching rows (their text was not plain integers): for tests. */
  fallbacks = 0;

  constructor(db: Db, private readonly spec: ColumnSpec) {
    const where = `rowid BETWEEN ? AND ?${spec.where ? ` AND (${spec.where})` : ''}`;
    const aggs = [`json_group_array(json_array(${spec.numbers.join(', ')}))`];
    if (spec.text) aggs.push(`json_group_array(coalesce(${spec.text}, ''))`);
    this.fast = db.prepare(`SELECT count(*), ${aggs.join(', ')} FROM ${spec.table} WHERE ${where}`).raw(true) as never;
    const exprs = spec.text ? [...spec.numbers, spec.text] : [...spec.numbers];
    this.rows = db.prepare(`SELECT ${exprs.join(', ')} FROM ${spec.table} WHERE ${where}`).raw(true) as never;
    this.page = { n: 0, num: spec.numbers.map(() => new Float64Array(0)), text: spec.text ? [] : null };
  }

  /** The rows with rowids in [lo, hi], or null when there are none. */
  read(lo: bigint, hi: bigint): ColumnPage | null {
    let r: unknown[];
    try {
      r = this.fast.get(lo, hi) as unknown[];
    } catch (e) {
      // JSON holds no blobs: SQLite refuses a page with one where a value goes. Its rows are read one by one.
      if (!/JSON cannot hold BLOB/i.test(String((e as Error).message))) throw e;
      this.readRows(lo, hi);
      return this.page.n ? this.page : null;
    }
    const n = r[0] as number;
    if (n === 0) return null;
    const p = this.page;
    p.n = n;
    const k = this.spec.numbers.length;
    if (p.num[0]!.length < n) p.num = p.num.map(() => new Float64Array(Math.max(n, 2 * p.num[0]!.length)));
    let ok = parseRows(r[1], p.num, n);
    if (ok && p.text) {
      const t = r[2];
      const parts: unknown = typeof t === 'string' ? JSON.parse(t) : null;
      if (Array.isArray(parts) && parts.length === n && parts.every((x) => typeof x === 'string')) p.text = parts as string[];
      else ok = false;
    }
    if (!ok) this.readRows(lo, hi);
    return p;
  }

  private readRows(lo: bigint, hi: bigint): void {
    this.fallbacks++;
    const rows = this.rows.all(lo, hi) as unknown[][];
    const p = this.page;
    const k = this.spec.numbers.length;
    p.n = rows.length;
    if (p.num[0]!.length < rows.length) p.num = p.num.map(() => new Float64Array(rows.length));
    for (let c = 0; c < k; c++) {
      const col = p.num[c]!;
      for (let i = 0; i < rows.length; i++) {
        const v = rows[i]![c];
        col[i] = typeof v === 'number' ? v : NaN;
      }
    }
    if (p.text) p.text = rows.map((row) => (typeof row[k] === 'string' ? (row[k] as string) : ''));
  }
}

/**
 * Reads a JSON array of `n` rows, each an array of cols.length integers or nulls, as SQLite writes it
 * (`[[1,-2,null],[4,5,6]]`; a null is read as NaN), into cols[c][0, n). False when the text is anything
 * else. Values are read as parseIntegers reads them.
 */
export function parseRows(text: unknown, cols: Float64Array[], n: number): boolean {
  if (typeof text !== 'string') return false;
  const len = text.length;
  const k = cols.length;
  if (len < 2 || text.charCodeAt(0) !== 91) return false;
  let i = 1;
  for (let row = 0; row < n; row++) {
    if (row > 0) {
      if (text.charCodeAt(i) !== 44) return false;
      i++;
    }
    if (text.charCodeAt(i) !== 91) return false;
    i++;
    for (let c = 0; c < k; c++) {
      if (c > 0) {
        if (text.charCodeAt(i) !== 44) return false;
        i++;
      }
      let ch = text.charCodeAt(i);
      if (ch === 110) {
        if (text.charCodeAt(i + 1) !== 117 || text.charCodeAt(i + 2) !== 108 || text.charCodeAt(i + 3) !== 108) return false;
        cols[c]![row] = NaN;
        i += 4;
        continue;
      }
      const neg = ch === 45;
      if (neg) i++;
      const from = i;
      let v = 0;
      while (i < len && (ch = text.charCodeAt(i) - 48) >= 0 && ch <= 9) {
        v = v * 10 + ch;
        i++;
      }
      const digits = i - from;
      if (digits === 0) return false;
      if (digits > 15) v = Number(text.slice(from, i));
      cols[c]![row] = neg ? -v : v;
    }
    if (text.charCodeAt(i) !== 93) return false;
    i++;
  }
  return text.charCodeAt(i) === 93 && i === len - 1;
}

/**
 * Reads a JSON array of `n` integers and nulls as SQLite writes it (`[-12,0,null,7]`; a null is read as
 * NaN) into out[0, n). False when the text is anything else. Up to 15 digits a value is summed exactly as
 * it is read; longer ones are converted whole, which rounds as SQLite's own conversion to a double does.
 */
export function parseIntegers(text: unknown, out: Float64Array, n: number): boolean {
  if (typeof text !== 'string') return false;
  const len = text.length;
  if (len < 2 || text.charCodeAt(0) !== 91 || text.charCodeAt(len - 1) !== 93) return false;
  const last = len - 1;
  let k = 0;
  let i = 1;
  if (i === last) return n === 0;
  for (;;) {
    if (k === n) return false;
    let c = text.charCodeAt(i);
    if (c === 110) {
      // null
      if (text.charCodeAt(i + 1) !== 117 || text.charCodeAt(i + 2) !== 108 || text.charCodeAt(i + 3) !== 108) return false;
      out[k++] = NaN;
      i += 4;
    } else {
      const neg = c === 45;
      if (neg) i++;
      const from = i;
      let v = 0;
      while (i < last && (c = text.charCodeAt(i) - 48) >= 0 && c <= 9) {
        v = v * 10 + c;
        i++;
      }
      const digits = i - from;
      if (digits === 0) return false;
      if (digits > 15) v = Number(text.slice(from, i));
      out[k++] = neg ? -v : v;
    }
    if (i === last) return k === n;
    if (text.charCodeAt(i) !== 44) return false;
    i++;
  }
}
