/**
 * NVTX ranges and domains.
 *
 * Table read: NVTX_EVENTS (start, end, eventType, globalTid, domainId, text, textId), StringIds.
 * eventType: 59 push/pop range, 60 start/end range, 70 NVTXT push/pop range, 75 domain creation (text =
 * domain name). The text is inline in `text` or registered in StringIds through `textId` (both occur).
 * Units: start_ns / end_ns on the session clock; a range whose end was never recorded has end NULL and
 * is returned with end_ns = -1.
 */
import type { Db } from './open.js';
import { pages } from './scan.js';
import { requireColumns, type Schema } from './schema.js';

/** start_ns, end_ns (-1 if open), globalTid, domainId, text (inline), textId (StringIds id, when not inline) */
export type NvtxRangeRow = [number, number, number, number, string | null, number | null];

const T = 'NVTX_EVENTS';
export const NVTX_RANGE_TYPES = [59, 60, 70];
const DOMAIN_CREATE = 75;

function textExpr(s: Schema): string {
  // CAST: a damaged file can hold a BLOB or a number where the text goes (see strings.ts).
  const inline = s.hasColumn(T, 'text') ? 'CAST(n.text AS TEXT)' : 'NULL';
  return s.hasColumn(T, 'textId') && s.hasColumn('StringIds', 'value')
    ? `coalesce(${inline}, (SELECT CAST(value AS TEXT) FROM StringIds WHERE id = n.textId))`
    : inline;
}

/**
 * The text id is returned as is, not looked up per row: the caller resolves the few distinct ids once
 * (through strings.ts, which reads them as text like the inline text here).
 */
export function nvtxRangesSql(s: Schema): string {
  const textId = s.hasColumn(T, 'textId') && s.hasColumn('StringIds', 'value') ? 'n.textId' : 'NULL';
  return `SELECT n.start, coalesce(n.end, -1), coalesce(n.globalTid, 0), ${s.hasColumn(T, 'domainId') ? 'coalesce(n.domainId, 0)' : '0'},
    ${s.hasColumn(T, 'text') ? 'CAST(n.text AS TEXT)' : 'NULL'}, ${textId}
  FROM ${T} n WHERE n.rowid BETWEEN ? AND ? AND n.eventType IN (${NVTX_RANGE_TYPES.join(',')}) AND n.start IS NOT NULL`;
}

export function nvtxRangePages(db: Db, s: Schema, scanned?: (n: number) => void): Iterable<NvtxRangeRow[]> {
  if (!s.has(T)) return [];
  requireColumns(s, T, ['start', 'end', 'eventType', 'globalTid']);
  return pages<NvtxRangeRow>(db, T, nvtxRangesSql(s), scanned);
}

/** domainId → domain name (NCCL, MPI, ...); domain 0 is the default domain and has no row. */
export function nvtxDomains(db: Db, s: Schema): Map<number, string> {
  const out = new Map<number, string>();
  if (!s.has(T) || !s.hasColumn(T, 'domainId') || !s.hasColumn(T, 'eventType')) return out;
  const sql = `SELECT n.domainId, ${textExpr(s)} FROM ${T} n WHERE n.eventType = ${DOMAIN_CREATE}`;
  for (const [id, name] of db.prepare(sql).raw(true).iterate() as Iterable<[number, string | null]>) {
    if (name) out.set(id, name);
  }
  return out;
}
