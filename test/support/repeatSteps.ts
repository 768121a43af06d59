/**
 * Makes a large, valid export from a real one by repeating its CUDA and NVTX activity in time: the benchmark's
 * input (a minute of production serving is gigabytes) and the generator's own smoke test.
 *
 * The source file is copied whole; then copy k of every row of the CUDA and NVTX event tables is appended,
 * shifted by k periods (period = the activity's extent + 1 ms, so copies never overlap), with fresh ids
 * (correlationId, eventSyncId, NVTX rangeId offset by k times the largest id + 1, so the runtime ↔ GPU join
 * stays one-to-one per copy) and fresh step numbers (`decode 3` becomes `decode 3+k·M`, M = the largest step
 * number + 1; texts registered in StringIds get new StringIds rows). Untimed tables (strings, GPUs,
 * processes, metadata) and host OS tables (OSRT) are kept once. Each copy is therefore the original trace
 * again, later: nsys-tp must find k+1 times the original's steps, with the same per-step numbers.
 */
import Database from 'better-sqlite3';
import { copyFileSync, rmSync, statSync } from 'node:fs';

/** Tables repeated per copy: everything `-t cuda,nvtx` records per event. */
export const REPEATED_TABLES = [
  'CUPTI_ACTIVITY_KIND_KERNEL', 'CUPTI_ACTIVITY_KIND_MEMCPY', 'CUPTI_ACTIVITY_KIND_MEMSET',
  'CUPTI_ACTIVITY_KIND_RUNTIME', 'CUPTI_ACTIVITY_KIND_GRAPH_TRACE', 'CUPTI_ACTIVITY_KIND_SYNCHRONIZATION',
  'CUPTI_ACTIVITY_KIND_CUDA_EVENT', 'NVTX_EVENTS',
];
/** NVTX events that name things (categories, domains) rather than happen: kept once. */
const NVTX_NAMING_EVENTS = [33, 75];
/** Step range names whose number is renumbered per copy (the ones nsys-tp auto-detects as numbered steps). */
const NUMBERED_STEP = /^(decode|generation|generate|step|iteration|iter)([ _:#]*)(\d+)$/i;
const TIME_COLUMNS = new Set(['start', 'end']);
const ID_COLUMNS = ['correlationId', 'eventSyncId', 'rangeId'];

/** Changes whenever the generated files would differ: the benchmark regenerates its cached inputs then. */
export const GENERATOR_VERSION = 1;

export interface RepeatOptions {
  /** Total number of copies in the result, the original included (>= 1). */
  copies?: number;
  /** Instead of `copies`: add copies until the file reaches this size. */
  targetBytes?: number;
  /** Shift between copies (ns); default: the activity's extent + 1 ms. Per-rank files of one run share
   *  the combined file's, so their copies line up in time. */
  periodNs?: number;
}

export interface RepeatResult {
  copies: number;
  bytes: number;
  periodNs: number;
  /** Rows of each repeated table in the result. */
  rows: Record<string, number>;
}

const q = (id: string) => `"${id.replace(/"/g, '""')}"`;

export function repeatSteps(src: string, dest: string, opt: RepeatOptions): RepeatResult {
  if (!(opt.copies !== undefined ? opt.copies >= 1 : opt.targetBytes !== undefined)) throw new Error('repeatSteps: copies >= 1 or targetBytes');
  const wanted = opt.copies ?? Infinity;
  rmSync(dest, { force: true });
  copyFileSync(src, dest);
  const db = new Database(dest);
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -262144');
    db.exec(`ATTACH DATABASE ${sqlString(src)} AS src`);
    const tables = REPEATED_TABLES.filter((t) => db.prepare('SELECT 1 FROM src.sqlite_master WHERE type = ? AND name = ?').get('table', t));
    const cols = new Map(tables.map((t) => [t, db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(t) as string[]]));
    const nvtxWhere = (t: string) => (t === 'NVTX_EVENTS' && cols.get(t)!.includes('eventType') ? `WHERE eventType NOT IN (${NVTX_NAMING_EVENTS.join(',')})` : '');

    const agg = (expr: (t: string, c: string) => string | null, fn: 'min' | 'max') => {
      let best: number | null = null;
      for (const t of tables) {
        const parts = cols.get(t)!.map((c) => expr(t, c)).filter((x): x is string => x !== null);
        for (const p of parts) {
          const v = db.prepare(`SELECT ${fn}(${p}) FROM src.${q(t)} ${nvtxWhere(t)}`).pluck().get() as number | null;
          if (v !== null && (best === null || (fn === 'min' ? v < best : v > best))) best = v;
        }
      }
      return best;
    };
    const t0 = agg((_t, c) => (c === 'start' ? 'start' : null), 'min');
    const t1 = agg((_t, c) => (c === 'start' ? `coalesce("end", start)` : null), 'max');
    if (t0 === null || t1 === null) throw new Error(`${src}: no CUDA or NVTX activity to repeat`);
    const periodNs = opt.periodNs ?? t1 - t0 + 1_000_000;
    const idStep = Object.fromEntries(ID_COLUMNS.map((c) => [c, (agg((_t, col) => (col === c ? q(c) : null), 'max') ?? 0) + 1]));

    // Step texts: inline (NVTX_EVENTS.text) or registered (textId → StringIds).
    let stepBase = 0;
    const hasNvtx = tables.includes('NVTX_EVENTS');
    const nvtxCols = cols.get('NVTX_EVENTS') ?? [];
    const registered = new Map<number, string>();
    if (hasNvtx) {
      const texts: string[] = [];
      if (nvtxCols.includes('text')) texts.push(...(db.prepare(`SELECT DISTINCT text FROM src.NVTX_EVENTS WHERE text IS NOT NULL`).pluck().all() as string[]));
      if (nvtxCols.includes('textId')) {
        for (const [id, v] of db.prepare(`SELECT DISTINCT n.textId, s.value FROM src.NVTX_EVENTS n JOIN src.StringIds s ON s.id = n.textId`).raw(true).all() as [number, string][]) {
          if (NUMBERED_STEP.test(v)) registered.set(id, v);
          texts.push(v);
        }
      }
      for (const t of texts) {
        const m = NUMBERED_STEP.exec(t);
        if (m) stepBase = Math.max(stepBase, Number(m[3]) + 1);
      }
    }
    const renumber = (text: string, k: number) => {
      const m = NUMBERED_STEP.exec(text);
      return m ? `${m[1]}${m[2]}${Number(m[3]) + k * stepBase}` : text;
    };
    let textIds = new Map<number, number>();
    db.function('repeat_text', { deterministic: true }, (text: unknown, k: unknown) =>
      typeof text === 'string' ? renumber(text, Number(k)) : text,
    );
    // Not deterministic: the id map is the current copy's.
    db.function('repeat_text_id', (id: unknown) =>
      typeof id === 'number' || typeof id === 'bigint' ? textIds.get(Number(id)) ?? id : id,
    );

    const insert = new Map<string, Database.Statement>();
    for (const t of tables) {
      const list = cols.get(t)!;
      const exprs = list.map((c) => {
        if (TIME_COLUMNS.has(c)) return `${q(c)} + :shift`;
        if (ID_COLUMNS.includes(c)) return `CASE WHEN ${q(c)} > 0 THEN ${q(c)} + :k * ${idStep[c]} ELSE ${q(c)} END`;
        if (t === 'NVTX_EVENTS' && c === 'text') return `repeat_text(text, :k)`;
        if (t === 'NVTX_EVENTS' && c === 'textId') return `repeat_text_id(textId)`;
        return q(c);
      });
      insert.set(t, db.prepare(`INSERT INTO main.${q(t)} (${list.map(q).join(', ')}) SELECT ${exprs.join(', ')} FROM src.${q(t)} ${nvtxWhere(t)}`));
    }
    const nextStringId = db.prepare('SELECT coalesce(max(id), 0) + 1 FROM main.StringIds').pluck();
    const addString = db.prepare('INSERT INTO main.StringIds (id, value) VALUES (?, ?)');
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const bytes = () => (db.pragma('page_count', { simple: true }) as number) * pageSize;

    let copies = 1;
    while (copies < wanted && (opt.targetBytes === undefined || bytes() < opt.targetBytes)) {
      const k = copies;
      db.transaction(() => {
        textIds = new Map();
        if (registered.size) {
          let id = nextStringId.get() as number;
          for (const [old, v] of registered) {
            addString.run(id, renumber(v, k));
            textIds.set(old, id++);
          }
        }
        for (const t of tables) {
          const hasTime = cols.get(t)!.some((c) => TIME_COLUMNS.has(c));
          const params: Record<string, number> = {};
          const sql = insert.get(t)!.source;
          if (hasTime) params.shift = k * periodNs;
          if (sql.includes(':k')) params.k = k;
          insert.get(t)!.run(params);
        }
      })();
      copies++;
    }
    if (db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'ANALYSIS_DETAILS'").get()) {
      const extra = (copies - 1) * periodNs;
      db.prepare('UPDATE ANALYSIS_DETAILS SET stopTime = stopTime + ?, duration = duration + ?').run(extra, extra);
    }
    const rows = Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT count(*) FROM main.${q(t)}`).pluck().get() as number]));
    db.exec('DETACH DATABASE src');
    db.close();
    return { copies, bytes: statSync(dest).size, periodNs, rows };
  } catch (e) {
    if (db.open) db.close();
    rmSync(dest, { force: true });
    throw e;
  }
}

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
