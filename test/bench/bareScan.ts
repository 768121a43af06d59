/**
 * The bare scan: what reading a trace costs SQLite and better-sqlite3 when every row crosses into
 * JavaScript, one pass over each table nsys-tp reads per event, selecting the same columns of the same
 * rows (SQLite does the same filtering), iterated in raw mode and dropped, in one thread. Written
 * independently of queries/:
 *   kernels, memcpy, memset, graph executions: every row;
 *   CUDA API calls: launch APIs, APIs kept as host calls, and calls of 20 µs or more;
 *   OS runtime calls of 20 µs or more;
 *   NVTX ranges (push/pop, start/end), with their payload column.
 * Run as a child process: `node bareScan.js FILE...` (several files one after the other) prints {rows}.
 * floor.ts runs the same queries with SQLite aggregating every column instead: no row reaches JavaScript.
 */
import Database from 'better-sqlite3';

const LAUNCH_GLOBS = ['cuda*Launch*', 'cu*Launch*', 'cuda*Memcpy*', 'cuMemcpy*', 'cuda*Memset*', 'cuMemset*'];
const KEPT_GLOBS = ['*Synchronize*', 'cuLibraryLoad*', 'cuModuleLoad*', 'cudaMalloc*', 'cudaFree*'];

export interface ScanQuery {
  /** Comma-separated column list, as selected. */
  columns: string[];
  /** Those that hold text or blobs. */
  text: string[];
  from: string;
  where: string;
}

export function scanQueries(db: Database.Database): ScanQuery[] {
  const cols = (t: string) => new Set(db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(t) as string[]);
  const has = (t: string) => cols(t).size > 0;
  const out: ScanQuery[] = [];
  const gpu = ['start', 'end', 'deviceId', 'streamId', 'correlationId', 'globalPid'];
  const q = (from: string, columns: string[], where = '1', text: string[] = []) => out.push({ from, columns, where, text });
  if (has('CUPTI_ACTIVITY_KIND_KERNEL')) q('CUPTI_ACTIVITY_KIND_KERNEL', [...gpu, 'shortName', 'demangledName', 'graphNodeId']);
  if (has('CUPTI_ACTIVITY_KIND_MEMCPY')) q('CUPTI_ACTIVITY_KIND_MEMCPY', [...gpu, 'bytes', 'copyKind']);
  if (has('CUPTI_ACTIVITY_KIND_MEMSET')) q('CUPTI_ACTIVITY_KIND_MEMSET', [...gpu, 'bytes']);
  if (has('CUPTI_ACTIVITY_KIND_GRAPH_TRACE')) q('CUPTI_ACTIVITY_KIND_GRAPH_TRACE', [...gpu, 'graphId']);
  if (has('CUPTI_ACTIVITY_KIND_RUNTIME')) {
    const globs = [...LAUNCH_GLOBS, ...KEPT_GLOBS];
    const ids = db.prepare(`SELECT id FROM StringIds WHERE ${globs.map(() => 'value GLOB ?').join(' OR ')}`).pluck().all(...globs) as number[];
    q('CUPTI_ACTIVITY_KIND_RUNTIME', ['start', 'end', 'globalTid', 'correlationId', 'nameId'], `nameId IN (${ids.join(',')}) OR end - start >= 20000`);
  }
  if (has('OSRT_API')) q('OSRT_API', ['start', 'end', 'globalTid', 'nameId'], 'end - start >= 20000');
  const nvtx = cols('NVTX_EVENTS');
  if (nvtx.size) {
    const c = ['start', 'end', 'globalTid', 'domainId', 'text', 'textId', 'binaryData'].filter((x) => nvtx.has(x));
    q('NVTX_EVENTS', c, 'eventType IN (59, 60, 70)', c.filter((x) => x === 'text' || x === 'binaryData'));
  }
  return out;
}

export const selectSql = (q: ScanQuery) => `SELECT ${q.columns.join(', ')} FROM ${q.from} WHERE ${q.where}`;

export function bareScan(path: string): number {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  let rows = 0;
  for (const q of scanQueries(db)) {
    for (const _row of db.prepare(selectSql(q)).raw(true).iterate()) rows++;
  }
  db.close();
  return rows;
}

if (process.argv[1]?.endsWith('bareScan.js')) {
  let rows = 0;
  for (const f of process.argv.slice(2)) rows += bareScan(f);
  process.stdout.write(JSON.stringify({ rows }) + '\n');
}
