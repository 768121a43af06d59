/**
 * NVTX ranges and domains.
 *
 * Table read: NVTX_EVENTS (start, end, eventType, globalTid, domainId, text, textId), StringIds.
 * eventType: 59 push/pop range, 60 start/end range, 70 NVTXT push/pop range, 75 domain creation (text =
 * domain name). The text is inline in `text` or registered in StringIds through `textId` (both occur).
 * Units: start / end on the session clock; a range whose end was never recorded has end NULL.
 */
import type { Db } from './open.js';
import type { ColumnSpec } from './columnar.js';
import { requireColumns, type Schema } from './schema.js';

export const NVTX_TABLE = 'NVTX_EVENTS';
const T = NVTX_TABLE;
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
 * start, end, globalTid, domainId, textId (the StringIds id of a registered text, where there is no
 * inline text), and the inline text. The text id is returned as is, not looked up per row: the reader
 * resolves the few distinct ids once (through strings.ts, which reads them as text like the inline text).
 */
export function nvtxRangeSpec(s: Schema): ColumnSpec | null {
  if (!s.has(T)) return null;
  requireColumns(s, T, ['start', 'end', 'eventType', 'globalTid']);
  const inline = s.hasColumn(T, 'text');
  const textId = s.hasColumn(T, 'textId') && s.hasColumn('StringIds', 'value') ? (inline ? 'CASE WHEN n.text IS NULL THEN n.textId END' : 'n.textId') : 'NULL';
  return {
    table: `${T} n`,
    numbers: ['n.start', 'n.end', 'coalesce(n.globalTid, 0)', s.hasColumn(T, 'domainId') ? 'coalesce(n.domainId, 0)' : '0', textId],
    text: inline ? 'CAST(n.text AS TEXT)' : undefined,
    where: `n.eventType IN (${NVTX_RANGE_TYPES.join(',')}) AND n.start IS NOT NULL`,
  };
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
