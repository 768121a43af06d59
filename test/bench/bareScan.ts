/**
 * The bare scan: what reading a trace costs SQLite and better-sqlite3 alone, the floor nsys-tp is measured
 * against. One pass over each table nsys-tp reads per event, selecting the same columns of the same rows
 * (SQLite does the same filtering), iterated in raw mode and dropped. Written independently of queries/:
 *   kernels, memcpy, memset, graph executions: every row;
 *   CUDA API calls: launch APIs, APIs kept as host calls, and calls of 20 µs or more;
 *   OS runtime calls of 20 µs or more (nsys-tp also restricts them to the launching threads);
 *   NVTX ranges (push/pop, start/end), with their payload column.
 * Run as a child process: `node bareScan.js FILE...` (several files one after the other) prints {rows}.
 */
import Database from 'better-sqlite3';

const LAUNCH_GLOBS = ['cuda*Launch*', 'cu*Launch*', 'cuda*Memcpy*', 'cuMemcpy*', 'cuda*Memset*', 'cuMemset*'];
const KEPT_GLOBS = ['*Synchronize*', 'cuLibraryLoad*', 'cuModuleLoad*', 'cudaMalloc*', 'cudaFree*'];

export function bareScanSql(db: Database.Database): string[] {
  const cols = (t: string) => new Set(db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(t) as string[]);
  const has = (t: string) => cols(t).size > 0;
  const out: string[] = [];
  const gpu = 'start, end, deviceId, streamId, correlationId, globalPid';
  if (has('CUPTI_ACTIVITY_KIND_KERNEL')) out.push(`SELECT ${gpu}, shortName, demangledName, graphNodeId FROM CUPTI_ACTIVITY_KIND_KERNEL`);
  if (has('CUPTI_ACTIVITY_KIND_MEMCPY')) out.push(`SELECT ${gpu}, bytes, copyKind FROM CUPTI_ACTIVITY_KIND_MEMCPY`);
  if (has('CUPTI_ACTIVITY_KIND_MEMSET')) out.push(`SELECT ${gpu}, bytes FROM CUPTI_ACTIVITY_KIND_MEMSET`);
  if (has('CUPTI_ACTIVITY_KIND_GRAPH_TRACE')) out.push(`SELECT ${gpu}, graphId, graphExecId FROM CUPTI_ACTIVITY_KIND_GRAPH_TRACE`);
  if (has('CUPTI_ACTIVITY_KIND_RUNTIME')) {
    const globs = [...LAUNCH_GLOBS, ...KEPT_GLOBS];
    const ids = db.prepare(`SELECT id FROM StringIds WHERE ${globs.map(() => 'value GLOB ?').join(' OR ')}`).pluck().all(...globs) as number[];
    out.push(`SELECT start, end, globalTid, correlationId, nameId FROM CUPTI_ACTIVITY_KIND_RUNTIME WHERE nameId IN (${ids.join(',')}) OR end - start >= 20000`);
  }
  if (has('OSRT_API')) out.push('SELECT start, end, globalTid, nameId FROM OSRT_API WHERE end - start >= 20000');
  const nvtx = cols('NVTX_EVENTS');
  if (nvtx.size) {
    const c = ['start', 'end', 'globalTid', 'domainId', 'text', 'textId', 'binaryData'].filter((x) => nvtx.has(x));
    out.push(`SELECT ${c.join(', ')} FROM NVTX_EVENTS WHERE eventType IN (59, 60, 70)`);
  }
  return out;
}

export function bareScan(path: string): number {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  let rows = 0;
  for (const sql of bareScanSql(db)) {
    for (const _row of db.prepare(sql).raw(true).iterate()) rows++;
  }
  db.close();
  return rows;
}

if (process.argv[1]?.endsWith('bareScan.js')) {
  let rows = 0;
  for (const f of process.argv.slice(2)) rows += bareScan(f);
  process.stdout.write(JSON.stringify({ rows }) + '\n');
}
