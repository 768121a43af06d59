/**
 * Broken traces for the bad-input catalogue: each is a committed sample copied into a temp folder and
 * damaged the way real files get damaged (cut short, half written, edited by hand, written by another nsys
 * or another program). `expect` says what every command must do with it; `check` what the report must say.
 */
import Database from 'better-sqlite3';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { foreignSqlite, textFile } from './fixtures.js';
import { REPO, samplePath } from './traces.js';

export type Db = Database.Database;

/** A small deterministic generator (LCG): the same seed gives the same damage everywhere. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

export const K = 'CUPTI_ACTIVITY_KIND_KERNEL';
export const RT = 'CUPTI_ACTIVITY_KIND_RUNTIME';
export const NVTX = 'NVTX_EVENTS';
export const BASE_SAMPLE = 'tp4-eager.sqlite';

/** Copies a sample to dir/name and lets `edit` change it through SQLite. */
export function editedCopy(dir: string, name: string, edit: (db: Db) => void, sample = BASE_SAMPLE): string {
  const p = join(dir, name);
  copyFileSync(samplePath(sample), p);
  const db = new Database(p);
  try {
    edit(db);
  } finally {
    db.close();
  }
  return p;
}

/** A WAL-mode export copied without its -wal file (the copy a user makes of a live database), as dir/wal-only.sqlite. */
function walOnly(dir: string): string {
  const live = editedCopy(dir, 'wal-source.sqlite', (db) => db.pragma('journal_mode = WAL'));
  const path = join(dir, 'wal-only.sqlite');
  writeFileSync(path, readFileSync(live));
  rmSync(live);
  return path;
}

/** Rebuilds a table without its constraints (NOT NULL), so rows can hold what nsys never writes. */
export function relax(db: Db, table: string): void {
  db.exec(`CREATE TABLE relaxed_tmp AS SELECT * FROM "${table}"; DROP TABLE "${table}"; ALTER TABLE relaxed_tmp RENAME TO "${table}";`);
}

/** rowids of `n` rows picked at random from `table` (where `where`). */
export function pickRows(db: Db, table: string, n: number, seed: number, where = '1'): number[] {
  const ids = db.prepare(`SELECT rowid FROM "${table}" WHERE ${where}`).pluck().all() as number[];
  const r = rng(seed);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  return ids.slice(0, n);
}

export function count(db: Db, sql: string): number {
  return db.prepare(sql).pluck().get() as number;
}

/** The sample cut to `bytes` bytes (an interrupted copy or download). */
export function truncatedCopy(dir: string, bytes: number): string {
  const p = join(dir, `cut-${bytes}.sqlite`);
  copyFileSync(samplePath(BASE_SAMPLE), p);
  truncateSync(p, bytes);
  return p;
}

export interface Made {
  path: string;
  /** What the damage amounts to (rows changed), for `check`. */
  facts?: Record<string, number>;
  /** Ends what `make` left running (a writer holding a lock). */
  release?: () => Promise<void>;
  /** Environment the commands run with (a fake nsys on PATH, a cache folder). */
  env?: Record<string, string>;
}

export interface BadTrace {
  name: string;
  /** Run as an unprivileged user (root reads whatever the permissions say). */
  asNobody?: boolean;
  /** Every command as its own process, in parallel: too heavy for one after another in the test process. */
  processes?: boolean;
  /** Its commands mostly wait (a lock, an export's time limit): every one a process, all at once. */
  waits?: boolean;
  /** Builds the file (in `dir`, a fresh temp folder) and returns its path, plus what the case measured. */
  make(dir: string): Made | Promise<Made>;
  /** error: every command exits 2 with one line matching `message`; ok: diagnose and layers exit 0. */
  expect: 'error' | 'ok';
  message?: RegExp;
  /** Files SQLite itself may leave beside the input (names matching this). */
  sideFiles?: RegExp;
  /** Checks on `diagnose --format json` of an ok case: the partial result is right, not just present. */
  check?: (json: any, facts: Record<string, number>) => void;
}

const sampleSize = () => statSync(samplePath(BASE_SAMPLE)).size;

/** Kernel rows whose short name is `name`. */
const kernelsNamed = (name: string) => `shortName IN (SELECT id FROM StringIds WHERE value = '${name}')`;

export const BAD_TRACES: BadTrace[] = [
  // The file itself.
  { name: 'zero-byte file', expect: 'error', message: /empty file/, make: (d) => ({ path: textFile(d, 'zero.sqlite', '') }) },
  {
    name: 'random bytes',
    expect: 'error',
    message: /not an SQLite file/,
    make: (d) => {
      const r = rng(7);
      return { path: textFile(d, 'random.sqlite', Buffer.from(Array.from({ length: 65536 }, () => Math.floor(r() * 256))) as any) };
    },
  },
  {
    name: 'SQLite header then random bytes',
    expect: 'error',
    message: /cannot be read as SQLite|truncated SQLite file|damaged/,
    make: (d) => {
      const r = rng(8);
      const body = Buffer.from(Array.from({ length: 65536 }, () => Math.floor(r() * 256)));
      Buffer.from('SQLite format 3\u0000', 'latin1').copy(body);
      return { path: textFile(d, 'header-random.sqlite', body as any) };
    },
  },
  ...[100, 4096, 0.25, 0.5, 0.75, -4096, -1].map((at): BadTrace => ({
    name: `truncated at ${at < 1 && at > 0 ? `${at * 100}%` : at < 0 ? `size${at}` : `${at} bytes`}`,
    expect: 'error',
    message: /truncated SQLite file/,
    make: (d) => {
      const size = sampleSize();
      return { path: truncatedCopy(d, at > 0 && at < 1 ? Math.floor(size * at) : at < 0 ? size + at : at) };
    },
  })),
  { name: 'SQLite database of another program', expect: 'error', message: /not an Nsight Systems export/, make: (d) => ({ path: foreignSqlite(d) }) },
  // Issue 23, item 7: opened before it was checked, a FIFO blocked the CLI (and the MCP server) for good.
  { name: 'a FIFO nobody writes to, as the trace', expect: 'error', message: /not a regular file \(a pipe or a device\)/, make: (d) => fifo(d, 'trace.sqlite') },

  {
    name: 'a path with spaces and unicode',
    expect: 'ok',
    make: (d) => {
      mkdirSync(join(d, 'traces ü'));
      const path = join(d, 'traces ü', 'run 1 名前 ✓.sqlite');
      copyFileSync(samplePath(BASE_SAMPLE), path);
      return { path };
    },
    check: (j) => mustMatch(j.trace.path, /traces ü\/run 1 名前 ✓\.sqlite$/),
  },

  // Tables and columns.
  {
    name: 'no GPU tables',
    expect: 'error',
    message: /no GPU activity/,
    make: (d) => ({ path: editedCopy(d, 'no-gpu.sqlite', (db) => db.exec(`DROP TABLE ${K}; DROP TABLE CUPTI_ACTIVITY_KIND_MEMCPY; DROP TABLE CUPTI_ACTIVITY_KIND_MEMSET;`)) }),
  },
  {
    name: 'no kernel table (copies and sets only)',
    expect: 'error',
    message: /memory copies and sets but no kernels \(no CUPTI_ACTIVITY_KIND_KERNEL table\).*nsys profile -t cuda/,
    make: (d) => ({ path: editedCopy(d, 'no-kernels.sqlite', (db) => db.exec(`DROP TABLE ${K}`)) }),
  },
  {
    name: 'an empty kernel table (copies and sets only)',
    expect: 'error',
    message: /but no kernels \(no usable rows in CUPTI_ACTIVITY_KIND_KERNEL\)/,
    make: (d) => ({ path: editedCopy(d, 'no-kernel-rows.sqlite', (db) => db.exec(`DELETE FROM ${K}`), 'tp4graph-decode.sqlite') }),
  },
  {
    name: 'no runtime table (kernels without launches)',
    expect: 'ok',
    make: (d) => ({ path: editedCopy(d, 'no-runtime.sqlite', (db) => db.exec(`DROP TABLE ${RT}`)) }),
    check: (j) => mustWarn(j, /no CUDA API launches in the trace/),
  },
  {
    name: 'no NVTX table',
    expect: 'ok',
    make: (d) => ({ path: editedCopy(d, 'no-nvtx.sqlite', (db) => db.exec(`DROP TABLE ${NVTX}`)) }),
    check: (j) => mustMatch(j.stepDetection.description, /gaps|graph|repeating kernel sequence/),
  },
  {
    name: 'no StringIds table',
    expect: 'ok',
    make: (d) => ({ path: editedCopy(d, 'no-strings.sqlite', (db) => db.exec('DROP TABLE StringIds')) }),
    check: (j) => mustWarn(j, /StringIds/),
  },
  {
    name: 'no metadata tables',
    expect: 'ok',
    make: (d) => ({
      path: editedCopy(d, 'no-meta.sqlite', (db) => db.exec('DROP TABLE META_DATA_EXPORT; DROP TABLE META_DATA_CAPTURE; DROP TABLE TARGET_INFO_GPU; DROP TABLE TARGET_INFO_SYSTEM_ENV; DROP TABLE PROCESSES; DROP TABLE ThreadNames')),
    }),
    check: (j) => {
      mustMatch(String(j.trace.nsysVersion), /^null$/);
      mustMatch(String(j.devices.length), /^4$/);
    },
  },
  ...(
    [
      [K, 'start'], [K, 'end'], [K, 'deviceId'], [RT, 'correlationId'], [RT, 'start'], [NVTX, 'eventType'], [NVTX, 'end'], ['StringIds', 'value'],
    ] as const
  ).map(([table, col]): BadTrace => ({
    name: `column ${table}.${col} renamed`,
    expect: 'error',
    message: new RegExp(`${table} has no column ${col}`),
    make: (d) => ({ path: editedCopy(d, `renamed-${col}.sqlite`, (db) => db.exec(`ALTER TABLE ${table} RENAME COLUMN "${col}" TO "${col}_v2"`)) }),
  })),
  {
    name: 'column shortName dropped (old exports have only demangledName)',
    expect: 'ok',
    make: (d) => ({ path: editedCopy(d, 'no-shortname.sqlite', (db) => db.exec(`ALTER TABLE ${K} DROP COLUMN shortName`)) }),
    check: (j) => mustMatch(String(j.devices[0].decode.timeNs.communication > 0), /true/),
  },

  // NULLs where nsys declares NOT NULL.
  {
    name: 'NULL kernel start, end, deviceId and names',
    expect: 'ok',
    make: (d) => {
      let n = 0;
      const path = editedCopy(d, 'nulls.sqlite', (db) => {
        relax(db, K);
        const rows = pickRows(db, K, 40, 11);
        const cols = ['start', 'end', 'deviceId', 'shortName', 'demangledName', 'streamId', 'correlationId', 'globalPid'];
        rows.forEach((id, i) => db.prepare(`UPDATE ${K} SET "${cols[i % cols.length]}" = NULL WHERE rowid = ?`).run(id));
        n = rows.filter((_, i) => i % cols.length < 3).length;
      });
      return { path, facts: { skipped: n } };
    },
    check: (j, f) => mustWarn(j, new RegExp(`${f.skipped} GPU operations? without a valid start, end or device`)),
  },
  {
    name: 'NULL runtime and NVTX fields, NULL strings and metadata',
    expect: 'ok',
    make: (d) => ({
      path: editedCopy(d, 'nulls-host.sqlite', (db) => {
        for (const t of [RT, NVTX, 'StringIds', 'META_DATA_EXPORT', 'TARGET_INFO_GPU', 'ThreadNames']) relax(db, t);
        for (const [id, i] of pickRows(db, RT, 60, 12).map((x, i) => [x, i] as const)) {
          db.prepare(`UPDATE ${RT} SET "${['start', 'end', 'nameId', 'globalTid', 'correlationId'][i % 5]}" = NULL WHERE rowid = ?`).run(id);
        }
        for (const [id, i] of pickRows(db, NVTX, 30, 13).map((x, i) => [x, i] as const)) {
          db.prepare(`UPDATE ${NVTX} SET "${['start', 'eventType', 'text', 'globalTid', 'domainId'][i % 5]}" = NULL WHERE rowid = ?`).run(id);
        }
        db.exec(`UPDATE StringIds SET value = NULL WHERE id IN (SELECT shortName FROM ${K} LIMIT 3);
          UPDATE META_DATA_EXPORT SET value = NULL; UPDATE TARGET_INFO_GPU SET name = NULL, id = NULL WHERE rowid = 1;
          UPDATE ThreadNames SET nameId = NULL;`);
      }),
    }),
  },

  // Times.
  {
    name: 'kernels that end before they start',
    expect: 'ok',
    make: (d) => {
      let n = 0;
      const path = editedCopy(d, 'backwards.sqlite', (db) => {
        const rows = pickRows(db, K, 25, 21, 'end > start');
        for (const id of rows) db.prepare(`UPDATE ${K} SET start = end, end = start WHERE rowid = ?`).run(id);
        n = rows.length;
      });
      return { path, facts: { backwards: n } };
    },
    check: (j, f) => mustWarn(j, new RegExp(`^${f.backwards} GPU operations end before they start`)),
  },
  {
    name: 'zero-length kernels',
    expect: 'ok',
    make: (d) => ({ path: editedCopy(d, 'zero-length.sqlite', (db) => db.exec(`UPDATE ${K} SET end = start WHERE ${kernelsNamed('vectorized_layer_norm_kernel')}`)) }),
    check: (j) => {
      for (const dev of j.devices) expect0(dev.decode.timeNs.norm);
    },
  },
  {
    name: 'overlapping kernels on one stream',
    expect: 'ok',
    // Every kernel starts half-way into the one before it on its stream.
    make: (d) => ({
      path: editedCopy(d, 'overlap.sqlite', (db) =>
        db.exec(`UPDATE ${K} SET start = start - (end - start) / 2 * 3, end = end + (end - start)`)),
    }),
  },
  {
    name: 'launches without kernels (half the kernels deleted)',
    expect: 'ok',
    make: (d) => ({ path: editedCopy(d, 'half-kernels.sqlite', (db) => db.exec(`DELETE FROM ${K} WHERE rowid IN (${pickRows(db, K, 752, 31).join(',')})`)) }),
  },
  {
    name: 'kernels without launches (launch correlation ids lost)',
    expect: 'ok',
    make: (d) => {
      let n = 0;
      const path = editedCopy(d, 'no-launch.sqlite', (db) => {
        n = count(db, `SELECT count(*) FROM ${K} WHERE ${kernelsNamed('elementwise_kernel')}`);
        db.exec(`UPDATE ${K} SET correlationId = correlationId + 100000000 WHERE ${kernelsNamed('elementwise_kernel')}`);
      });
      return { path, facts: { unlaunched: n } };
    },
    check: (j, f) => mustWarn(j, new RegExp(`^${f.unlaunched} of \\d+ GPU operations have no launching API call`)),
  },
  {
    name: 'NVTX ranges without an end',
    expect: 'ok',
    make: (d) => {
      let n = 0;
      const path = editedCopy(d, 'open-ranges.sqlite', (db) => {
        n = count(db, `SELECT count(*) FROM ${NVTX} WHERE text = 'decode 3' OR text LIKE 'layer%'`);
        db.exec(`UPDATE ${NVTX} SET end = NULL WHERE text = 'decode 3' OR text LIKE 'layer%'`);
      });
      return { path, facts: { open: n } };
    },
    check: (j, f) => mustWarn(j, new RegExp(`^${f.open} NVTX ranges never ended`)),
  },
  {
    name: 'huge and negative timestamps',
    expect: 'ok',
    make: (d) => ({
      path: editedCopy(d, 'huge.sqlite', (db) => {
        const rows = pickRows(db, K, 6, 41);
        const vals = ['9223372036854775807', '-9223372036854775808', '-5', '4611686018427387904', '0', '1e300'];
        rows.forEach((id, i) => db.exec(`UPDATE ${K} SET ${i % 2 ? 'end' : 'start'} = ${vals[i]} WHERE rowid = ${id}`));
      }),
    }),
  },
  {
    name: 'text where numbers belong',
    expect: 'ok',
    make: (d) => ({
      path: editedCopy(d, 'text-values.sqlite', (db) => {
        const rows = pickRows(db, K, 8, 42);
        const cols = ['start', 'end', 'deviceId', 'streamId', 'correlationId', 'globalPid', 'shortName', 'graphNodeId'];
        rows.forEach((id, i) => db.prepare(`UPDATE ${K} SET "${cols[i]}" = ? WHERE rowid = ?`).run(i % 2 ? 'x\u0000y' : '12abc', id));
        db.prepare(`UPDATE ${NVTX} SET start = 'soon' WHERE rowid IN (${pickRows(db, NVTX, 5, 43).join(',')})`).run();
        db.prepare(`UPDATE ${RT} SET globalTid = 'main' WHERE rowid IN (${pickRows(db, RT, 5, 44).join(',')})`).run();
      }),
    }),
  },
  {
    name: 'a 10 MB kernel name',
    expect: 'ok',
    make: (d) => ({
      path: editedCopy(d, 'long-name.sqlite', (db) => {
        const name = `void cutlass::Kernel2<${'cutlass_80_tensorop_s16816gemm_'.repeat(Math.ceil(10_000_000 / 31))}>(Params)`;
        db.prepare(`UPDATE StringIds SET value = ? WHERE id IN (SELECT shortName FROM ${K} WHERE ${kernelsNamed('splitKreduce_kernel')} LIMIT 1)`).run(name);
        db.prepare(`UPDATE StringIds SET value = ? WHERE id IN (SELECT demangledName FROM ${K} WHERE ${kernelsNamed('splitKreduce_kernel')} LIMIT 1)`).run(name);
      }),
    }),
  },

  // A trace still being written.
  {
    name: 'a write transaction in progress (another process holds the lock)',
    expect: 'error',
    waits: true,
    message: /locked by another program/,
    make: async (d) => {
      const path = editedCopy(d, 'locked.sqlite', () => {});
      return { path, release: await holdWriteLock(path) };
    },
  },
  {
    name: 'a copy with a hot journal (the writer died mid-transaction)',
    expect: 'error',
    message: /journal/,
    make: (d) => {
      const live = editedCopy(d, 'live.sqlite', () => {});
      const writer = new Database(live);
      writer.pragma('cache_size = 2');
      writer.exec('BEGIN');
      writer.exec(`DELETE FROM ${K}; DELETE FROM ${RT};`);
      // Pages have spilled into the file and the journal holds their old content: copy both, as a
      // backup tool would mid-write.
      const path = join(d, 'hot.sqlite');
      writeFileSync(path, readFileSync(live));
      writeFileSync(`${path}-journal`, readFileSync(`${live}-journal`));
      writer.exec('ROLLBACK');
      writer.close();
      return { path };
    },
  },
  {
    name: 'a WAL-mode copy whose last commit is still in the -wal file',
    expect: 'ok',
    // SQLite reads the commit from the -wal file; it keeps its shared-memory index in a -shm file beside it.
    sideFiles: /-shm$/,
    make: (d) => {
      const live = editedCopy(d, 'wal-live.sqlite', () => {});
      const writer = new Database(live);
      writer.pragma('journal_mode = WAL');
      writer.pragma('wal_autocheckpoint = 0');
      writer.exec("UPDATE META_DATA_EXPORT SET value = '2099.1.1' WHERE name = 'EXPORT_PRODUCT_VERSION'");
      const path = join(d, 'wal.sqlite');
      writeFileSync(path, readFileSync(live));
      writeFileSync(`${path}-wal`, readFileSync(`${live}-wal`));
      writer.close();
      return { path };
    },
    check: (j) => mustMatch(j.trace.nsysVersion, /^2099\.1\.1$/),
  },

  // Ids as SQLite allows them, not as nsys writes them (issue 18.3, 18.5).
  {
    name: 'rowids with gaps beyond 2^62 and below zero',
    expect: 'ok',
    make: (d) => ({
      path: editedCopy(d, 'rowid-gaps.sqlite', (db) => db.exec(`
        UPDATE ${K} SET rowid = rowid + 4611686018427387904 WHERE rowid > 100;
        UPDATE CUPTI_ACTIVITY_KIND_MEMSET SET rowid = -9223372036854775808 WHERE rowid = (SELECT min(rowid) FROM CUPTI_ACTIVITY_KIND_MEMSET);
        UPDATE ${NVTX} SET rowid = -rowid WHERE rowid % 3 = 0;`)),
    }),
    // Every row is still read: the numbers are the unedited sample's.
    check: (j) => mustMatch(String(j.devices.map((x: any) => x.steps.decode.count)), /^2,2,2,2$/),
  },
  {
    name: 'device ids beyond 2^31',
    expect: 'ok',
    make: (d) => ({
      path: editedCopy(d, 'device-ids.sqlite', (db) => {
        for (const t of [K, 'CUPTI_ACTIVITY_KIND_MEMCPY', 'CUPTI_ACTIVITY_KIND_MEMSET']) {
          db.exec(`UPDATE ${t} SET deviceId = CASE deviceId WHEN 1 THEN 2147483648 WHEN 2 THEN 4294967297 WHEN 3 THEN 1099511627776 ELSE deviceId END`);
        }
      }),
    }),
    // Kept exact: four devices, none wrapped or merged.
    check: (j) => mustMatch(String(j.devices.map((x: any) => x.deviceId)), /^0,2147483648,4294967297,1099511627776$/),
  },
];

/** An edit that needs SQLite's defensive mode off (better-sqlite3 turns it on): writing sqlite_master. */
function editSchema(db: Db, edit: () => void): void {
  db.unsafeMode(true);
  db.pragma('writable_schema = ON');
  edit();
  db.pragma('writable_schema = OFF');
  db.unsafeMode(false);
}

/** A view that never ends: a recursive CTE counting up without a bound, shaped like `columns`. */
const endless = (columns: string) => `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT ${columns} FROM n`;

/** Names whose characters break formats: lone surrogates, noncharacters, C0 controls, NUL, invalid UTF-8. */
export const BREAKING_TEXT = ['\udfff', 'x', '\ud800', 'x', '\udbff\udfff', '\ufffe', '\uffff', '\ufdd0', '\u0000', '\u0001', '\u0008', '\u000b', '\u000c', '\u001f', '\u007f', '\u0085', '\u2028'];

/** Traces a crafted file uses to reach past its own contents (SQL in its schema, views, virtual tables). */
export const CRAFTED_TRACES: BadTrace[] = [
  {
    name: 'schema SQL that attaches and writes other files, the input among them',
    expect: 'ok',
    // The text after a CREATE TABLE's first statement is never parsed by SQLite on open; a program that
    // runs sqlite_master's text (as slice did) runs all of it.
    make: (d) => {
      const path = join(d, 'attach.sqlite');
      const other = join(d, 'attached-by-the-trace.db');
      editedCopy(d, 'attach.sqlite', (db) => {
        const sql = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'StringIds'").pluck().get() as string;
        const tail = `; ATTACH '${other}' AS e; CREATE TABLE e.pwned(x); ATTACH '${path}' AS v; UPDATE v.META_DATA_EXPORT SET value = 'pwned'`;
        editSchema(db, () => db.prepare("UPDATE sqlite_master SET sql = ? WHERE name = 'StringIds'").run(sql + tail));
      });
      return { path };
    },
    check: (j) => mustMatch(String(j.trace.nsysVersion), /^2025/),
  },
  {
    name: 'triggers and an index on an expression in the schema',
    expect: 'ok',
    make: (d) => ({
      path: editedCopy(d, 'triggers.sqlite', (db) =>
        db.exec(`CREATE TABLE log(x); CREATE TRIGGER t1 AFTER INSERT ON StringIds BEGIN INSERT INTO log VALUES (new.value); END;
          CREATE TRIGGER t2 BEFORE INSERT ON ${K} BEGIN SELECT RAISE(ABORT, 'no'); END;
          CREATE INDEX ix_expr ON StringIds (lower(value)); CREATE INDEX ix_part ON ${K} (start) WHERE end > start;`)),
    }),
  },
  ...(
    [
      ['StringIds', 'i AS id, printf(\'%d\', i) AS value'],
      ['META_DATA_EXPORT', "'EXPORT_PRODUCT_VERSION' AS name, printf('%.*c', i, 'x') AS value"],
      ['NVTX_PAYLOAD_SCHEMA_ENTRIES', 'i AS schemaId, i AS idx, 0 AS flags, 1 AS type, \'x\' AS name, i AS offset'],
      ['TARGET_INFO_GPU', 'i AS id, \'GPU\' AS name, 0 AS busLocation'],
      ['ThreadNames', 'i AS nameId, i AS globalTid, 0 AS priority'],
    ] as const
  ).map(([table, cols]): BadTrace => ({
    name: `${table} is an endless recursive view`,
    expect: 'error',
    message: new RegExp(`${table} is a view, not a table`),
    make: (d) => ({ path: editedCopy(d, `view-${table}.sqlite`, (db) => db.exec(`DROP TABLE IF EXISTS ${table}; CREATE VIEW ${table} AS ${endless(cols)}`)) }),
  })),
  {
    name: 'the kernel table is a view (a cross join that multiplies its rows)',
    expect: 'error',
    message: /CUPTI_ACTIVITY_KIND_KERNEL is a view, not a table/,
    make: (d) => ({
      path: editedCopy(d, 'view-kernels.sqlite', (db) => db.exec(`ALTER TABLE ${K} RENAME TO k0; CREATE VIEW ${K} AS SELECT a.* FROM k0 a, k0 b, k0 c`)),
    }),
  },
  {
    name: 'StringIds is a virtual table (FTS5)',
    expect: 'error',
    message: /StringIds is a virtual table, not a table/,
    make: (d) => ({
      path: editedCopy(d, 'vtab.sqlite', (db) =>
        db.exec('ALTER TABLE StringIds RENAME TO s0; CREATE VIRTUAL TABLE StringIds USING fts5(id, value); INSERT INTO StringIds SELECT id, value FROM s0;')),
    }),
  },
  {
    name: 'an endless view under a name nsys never uses (never read)',
    expect: 'ok',
    make: (d) => ({ path: editedCopy(d, 'view-other.sqlite', (db) => db.exec(`CREATE VIEW my_notes AS ${endless('i')}; CREATE VIEW "my kernels" AS SELECT * FROM ${K}`)) }),
  },
  {
    name: 'computed columns that would allocate 900 MB per row when read',
    expect: 'ok',
    make: (d) => ({
      path: editedCopy(d, 'generated.sqlite', (db) =>
        db.exec(`ALTER TABLE StringIds ADD COLUMN big BLOB GENERATED ALWAYS AS (zeroblob(900000000)) VIRTUAL;
          ALTER TABLE ${K} ADD COLUMN big BLOB GENERATED ALWAYS AS (zeroblob(900000000)) VIRTUAL;`)),
    }),
  },
  {
    name: 'a declared type that carries SQL (CHECK, DEFAULT, COLLATE text in the column types)',
    expect: 'ok',
    make: (d) => ({
      path: editedCopy(d, 'odd-types.sqlite', (db) =>
        db.exec(`CREATE TABLE odd ("a""b" INTEGER CHECK (1) DEFAULT (randomblob(5)), c "TEXT); DROP TABLE StringIds; --" COLLATE NOCASE, d VARCHAR(255));
          INSERT INTO odd VALUES (1, 'x', 'y');`)),
    }),
  },
  {
    name: 'names of a million characters shaped to make a pattern backtrack (runs of letters, colons, spaces, brackets, escapes)',
    expect: 'ok',
    processes: true,
    make: (d) => ({
      path: editedCopy(d, 'long-shapes.sqlite', (db) => {
        const shapes = [
          `${'a'.repeat(1e6)}!`, `x${':'.repeat(1e6)}!`, `k${' '.repeat(1e6)}x`, `${'k<'.repeat(3e5)}>`, `${'('.repeat(3e5)}x)`,
          '\u001b]'.repeat(3e5), `void f<${'int, '.repeat(2e5)}>(${'a '.repeat(2e5)}`, `${'\t'.repeat(1e6)}const`,
        ];
        shapes.forEach((name, i) => db.prepare('UPDATE NVTX_EVENTS SET text = ? WHERE text = ?').run(name, `layer ${i}`));
        for (const n of [2, 3]) db.prepare('UPDATE NVTX_EVENTS SET text = ? WHERE text = ?').run(`${shapes[n]} decode ${n}`, `decode ${n}`);
        const kernels = ['nvjet%', 'cudnn%', '%elementwise%', '%layer_norm%', '%splitK%', 'ncclDevKernel%', '%reduce%', '%'];
        kernels.forEach((like, i) => db.prepare("UPDATE StringIds SET value = ? WHERE id IN (SELECT id FROM StringIds WHERE value LIKE ? LIMIT 1)").run(shapes[i], like));
        db.prepare('UPDATE TARGET_INFO_GPU SET name = ?').run(shapes[2]);
      }),
    }),
  },
  {
    name: 'a WAL-mode export without its -wal file (nothing may appear beside it)',
    expect: 'ok',
    make: (d) => ({ path: walOnly(d) }),
  },
  // Issue 23, item 9: the private copy of a WAL-mode export went to TMPDIR only ("internal error" when bad).
  ...([['missing', (d: string) => join(d, '..', 'no such folder')], ['a file', (d: string) => textFile(join(d, '..'), 'tmp-is-a-file', 'x')]] as const).map(([what, tmp]): BadTrace => ({
    name: `a WAL-mode export without its -wal file, TMPDIR ${what} (the copy goes elsewhere)`,
    expect: 'ok',
    make: (d) => ({ path: walOnly(d), env: { TMPDIR: tmp(d) } }),
  })),
  {
    name: 'names with characters that break formats (lone surrogates, noncharacters, controls, invalid UTF-8)',
    expect: 'ok',
    make: (d) => ({
      path: editedCopy(d, 'breaking-text.sqlite', (db) => {
        const junk = BREAKING_TEXT.join('');
        for (const n of [2, 3]) db.prepare('UPDATE NVTX_EVENTS SET text = ? WHERE text = ?').run(`${junk} decode ${n}`, `decode ${n}`);
        db.prepare("UPDATE NVTX_EVENTS SET text = ? WHERE text = 'layer 3'").run(`${junk} layer 3`);
        // Bytes no UTF-8 decoder accepts: a surrogate's encoding, an overlong NUL, stray continuation bytes.
        db.exec("UPDATE NVTX_EVENTS SET text = CAST(X'EDA080C080FFFE80' AS TEXT) || ' layer 4' WHERE text = 'layer 4'");
        db.prepare("UPDATE StringIds SET value = ? || value WHERE value LIKE 'cudnn_generated_fort_native_sdpa%'").run(junk);
        db.exec("UPDATE StringIds SET value = CAST(X'EDBFBFEFBFBE01' AS TEXT) || value WHERE value LIKE 'nvjet%'");
        db.prepare('UPDATE TARGET_INFO_GPU SET name = ?').run(`H100 ${junk}`);
      }),
    }),
  },
];

/**
 * Starts another process that opens `path`, begins an exclusive write transaction and keeps it open (as a
 * writer mid-export does). POSIX locks belong to a process and any close() of the file in that process drops
 * them, so the lock cannot live in the test's own process, which hashes the file.
 */
export async function holdWriteLock(path: string): Promise<() => Promise<void>> {
  const code = `const D = require('better-sqlite3'); const db = new D(process.argv[1]);
    db.pragma('journal_mode = MEMORY'); db.exec('BEGIN EXCLUSIVE'); db.exec('DELETE FROM ${K} WHERE rowid % 2 = 0');
    process.stdout.write('locked\\n');
    process.stdin.on('data', () => {}); process.stdin.on('end', () => { db.exec('ROLLBACK'); db.close(); process.exit(0); });`;
  const child = spawn(process.execPath, ['-e', code, path], { cwd: REPO, stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (c) => reject(new Error(`lock holder exited (${c})`)));
  });
  return () =>
    new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.stdin.end();
    });
}

function expect0(v: number): void {
  if (v !== 0) throw new Error(`expected 0, got ${v}`);
}
function mustMatch(s: string, re: RegExp): void {
  if (!re.test(s)) throw new Error(`${JSON.stringify(s.slice(0, 300))} does not match ${re}`);
}
function mustWarn(j: any, re: RegExp): void {
  if (!j.warnings.some((w: string) => re.test(w))) throw new Error(`no warning matches ${re}: ${JSON.stringify(j.warnings)}`);
}

/** A bad file of some other kind (model config, nsys-tp config, stdin): its bytes, or a path to make. */
export interface BadFile {
  name: string;
  make(dir: string): string;
  expect: 'error' | 'ok';
  message?: RegExp;
}

const LLAMA_CONFIG = {
  _name_or_path: 'meta-llama/Llama-3.3-70B-Instruct', hidden_size: 8192, intermediate_size: 28672, num_attention_heads: 64,
  num_key_value_heads: 8, num_hidden_layers: 80, vocab_size: 128256, torch_dtype: 'bfloat16',
};
const PASSWD = 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n';
const CREDENTIALS = { aws_access_key_id: 'AKIAEXAMPLE', aws_secret_access_key: 'wJalrXUtnFEMI/EXAMPLEKEY' };
const json = (d: string, name: string, v: unknown) => textFile(d, name, typeof v === 'string' ? v : JSON.stringify(v));
const randomBytes = (seed: number, n: number) => {
  const r = rng(seed);
  return Buffer.from(Array.from({ length: n }, () => Math.floor(r() * 256)));
};

/** Model configs (`--model config.json`). */
export const BAD_MODELS: BadFile[] = [
  { name: 'zero-byte config', expect: 'error', message: /not a JSON config/, make: (d) => json(d, 'config.json', '') },
  { name: 'random bytes', expect: 'error', message: /not a JSON config/, make: (d) => textFile(d, 'config.json', randomBytes(3, 4096) as any) },
  { name: 'truncated JSON', expect: 'error', message: /not a JSON config/, make: (d) => json(d, 'config.json', JSON.stringify(LLAMA_CONFIG).slice(0, 60)) },
  { name: 'JSON null', expect: 'error', message: /not a JSON object/, make: (d) => json(d, 'config.json', 'null') },
  { name: 'JSON array', expect: 'error', message: /no positive number "hidden_size"/, make: (d) => json(d, 'config.json', [1, 2]) },
  { name: 'a missing field', expect: 'error', message: /no positive number "num_hidden_layers"/, make: (d) => json(d, 'config.json', { ...LLAMA_CONFIG, num_hidden_layers: undefined }) },
  { name: 'strings for numbers', expect: 'error', message: /no positive number "hidden_size"/, make: (d) => json(d, 'config.json', { ...LLAMA_CONFIG, hidden_size: '8192' }) },
  { name: 'zero and negative sizes', expect: 'error', message: /no positive number/, make: (d) => json(d, 'config.json', { ...LLAMA_CONFIG, num_attention_heads: 0, num_key_value_heads: -8 }) },
  { name: 'an unknown dtype', expect: 'error', message: /unknown dtype/, make: (d) => json(d, 'config.json', { ...LLAMA_CONFIG, torch_dtype: 'float4\u001b[31m' }) },
  { name: 'fractional sizes', expect: 'error', message: /not a whole number/, make: (d) => json(d, 'config.json', { ...LLAMA_CONFIG, num_attention_heads: 64.5, num_hidden_layers: 0.5 }) },
  { name: 'a size beyond doubles (1e400)', expect: 'error', message: /no positive number "hidden_size"/, make: (d) => json(d, 'config.json', `${JSON.stringify(LLAMA_CONFIG).slice(0, -1)},"hidden_size":1e400}`) },
  { name: 'astronomical sizes', expect: 'ok', make: (d) => json(d, 'config.json', { ...LLAMA_CONFIG, hidden_size: 2 ** 40, num_hidden_layers: 1e12, vocab_size: 2 ** 52 }) },
  { name: 'a hostile model name', expect: 'ok', make: (d) => json(d, 'config.json', { ...LLAMA_CONFIG, _name_or_path: '<script>alert(1)</script>\u001b]8;;http://x\u0007| `x` \u202e' }) },
  { name: 'a 3 MB model name', expect: 'ok', make: (d) => json(d, 'config.json', { ...LLAMA_CONFIG, _name_or_path: 'm'.repeat(3_000_000) }) },
  { name: 'a 10 MB config', expect: 'error', message: /10 MiB, larger than the 4 MiB this file may have/, make: (d) => json(d, 'config.json', { ...LLAMA_CONFIG, _name_or_path: 'm'.repeat(10_000_000) }) },
  { name: 'a folder', expect: 'error', message: /is a folder, not a file/, make: (d) => join(d) },
  { name: 'a path that does not exist', expect: 'error', message: /neither a preset/, make: (d) => join(d, 'nope', 'config.json') },
  { name: 'an empty name', expect: 'error', message: /neither a preset/, make: () => '' },
  { name: 'a path with spaces and unicode', expect: 'ok', make: (d) => json(d, 'my config ü 名前.json', LLAMA_CONFIG) },
  // Issue 23, item 4: a file given by mistake is not quoted back (JSON.parse's message shows its start).
  { name: 'a file that is not JSON (a passwd file): not quoted back', expect: 'error', message: /not a JSON config \(expected a value at line 1, column 1\)\n$/, make: (d) => textFile(d, 'passwd', PASSWD) },
  { name: 'a credentials JSON: its keys not named', expect: 'error', message: /^(?![\s\S]*aws_)[\s\S]*no positive number "hidden_size"/, make: (d) => json(d, 'credentials.json', CREDENTIALS) },
];

/** nsys-tp config files (`--config`). */
export const BAD_CONFIGS: BadFile[] = [
  { name: 'zero-byte config', expect: 'error', message: /cannot read config/, make: (d) => json(d, 'nsys-tp.json', '') },
  { name: 'random bytes', expect: 'error', message: /cannot read config/, make: (d) => textFile(d, 'nsys-tp.json', randomBytes(4, 4096) as any) },
  { name: 'a JSON array', expect: 'error', message: /must be a JSON object/, make: (d) => json(d, 'nsys-tp.json', []) },
  { name: 'kernelClasses not a list', expect: 'error', message: /kernelClasses/, make: (d) => json(d, 'nsys-tp.json', { kernelClasses: { gemm: 'x' } }) },
  { name: 'a bad regular expression', expect: 'error', message: /pattern|regular expression/, make: (d) => json(d, 'nsys-tp.json', { kernelClasses: [{ class: 'gemm', pattern: '(unclosed' }] }) },
  { name: 'an unknown class', expect: 'error', message: /class/, make: (d) => json(d, 'nsys-tp.json', { kernelClasses: [{ class: 'warp-drive', pattern: 'x' }] }) },
  { name: 'rules not an object', expect: 'error', message: /rules/, make: (d) => json(d, 'nsys-tp.json', { rules: 'strict' }) },
  { name: 'a rule option of the wrong type', expect: 'error', message: /comm-dominant-step/, make: (d) => json(d, 'nsys-tp.json', { rules: { 'comm-dominant-step': { threshold: 'high' } } }) },
  { name: 'disabledRules not a list', expect: 'error', message: /disabledRules/, make: (d) => json(d, 'nsys-tp.json', { disabledRules: 'sync-in-step' }) },
  { name: 'a folder', expect: 'error', message: /is a folder, not a file/, make: (d) => d },
  { name: 'a path that does not exist', expect: 'error', message: /cannot read \(ENOENT: no such file\)/, make: (d) => join(d, 'nope.json') },
  { name: 'a misspelt top-level key', expect: 'error', message: /unknown key "kernelclasses" \(known: kernelClasses, rules, disabledRules\)/, make: (d) => json(d, 'nsys-tp.json', { kernelclasses: [] }) },
  { name: 'a __proto__ key at the top', expect: 'error', message: /unknown key "__proto__"/, make: (d) => json(d, 'nsys-tp.json', '{"__proto__": {"rules": {}}}') },
  { name: 'a __proto__ rule', expect: 'error', message: /unknown rule "__proto__"/, make: (d) => json(d, 'nsys-tp.json', '{"rules": {"__proto__": {}}}') },
  { name: 'a __proto__ rule option', expect: 'error', message: /has no option "__proto__"/, make: (d) => json(d, 'nsys-tp.json', '{"rules": {"comm-dominant-step": {"__proto__": {"threshold": 0}}}}') },
  { name: 'a constructor rule option', expect: 'error', message: /has no option "constructor"/, make: (d) => json(d, 'nsys-tp.json', { rules: { 'comm-dominant-step': { constructor: 1 } } }) },
  { name: 'a toString rule', expect: 'error', message: /unknown rule "toString"/, make: (d) => json(d, 'nsys-tp.json', { rules: { toString: { x: 1 } } }) },
  { name: 'a __proto__ key in a kernel class row', expect: 'error', message: /kernelClasses\[0\]: unknown key "__proto__"/, make: (d) => json(d, 'nsys-tp.json', '{"kernelClasses": [{"class": "gemm", "pattern": "x", "__proto__": {"on": "demangled"}}]}') },
  { name: 'a pattern flag that makes matching stateful (g)', expect: 'error', message: /flags "g": only i, m and s/, make: (d) => json(d, 'nsys-tp.json', { kernelClasses: [{ class: 'gemm', pattern: 'x', flags: 'g' }] }) },
  { name: 'a byte-order mark before the JSON', expect: 'ok', make: (d) => json(d, 'nsys-tp.json', '\ufeff{"kernelClasses": []}') },
  { name: 'a path with spaces and unicode', expect: 'ok', make: (d) => json(d, 'my conf ü 名前.json', { kernelClasses: [{ class: 'gemm', pattern: '^nvjet_' }] }) },
  // Issue 23, item 4: neither the text nor the keys of a file given by mistake are repeated.
  { name: 'a file that is not JSON (a passwd file): not quoted back', expect: 'error', message: /cannot read config \(not JSON: expected a value at line 1, column 1\)\n$/, make: (d) => textFile(d, 'passwd', PASSWD) },
  { name: 'a credentials JSON: its keys not named', expect: 'error', message: /^(?![\s\S]*aws_)[\s\S]*unknown key \(not named here\)/, make: (d) => json(d, 'credentials.json', CREDENTIALS) },
];

/** Kernel names piped into `classify`. */
export const BAD_STDIN: BadFile[] = [
  { name: 'nothing', expect: 'ok', make: (d) => textFile(d, 'in.txt', '') },
  { name: 'random bytes', expect: 'ok', make: (d) => textFile(d, 'in.txt', randomBytes(5, 65536) as any) },
  { name: 'invalid UTF-8 and NUL bytes', expect: 'ok', make: (d) => textFile(d, 'in.txt', Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a, 0xc3, 0x28, 0x0a]) as any) },
  { name: 'a 10 MB line', expect: 'ok', make: (d) => textFile(d, 'in.txt', `ncclDevKernel_${'x'.repeat(10_000_000)}\nampere_sgemm_128x64_nn\n`) },
  { name: 'terminal escapes and markup', expect: 'ok', make: (d) => textFile(d, 'in.txt', 'evil\u001b[2J\u001b]8;;http://x\u0007link\u0007\u009b31m<script>\r\n') },
];

/** A trace the user may not read. */
export const UNREADABLE: BadTrace = {
  name: 'a trace the user may not read (permission denied)',
  expect: 'error',
  message: /permission denied/,
  asNobody: true,
  make: (d) => {
    const path = editedCopy(d, 'secret.sqlite', () => {});
    chmodSync(path, 0o000);
    return { path, release: async () => chmodSync(path, 0o644) };
  },
};

/** An `nsys` on PATH that does `script` (sh), in a folder beside the case's input folder. */
function fakeNsys(d: string, script: string): Record<string, string> {
  const bin = join(d, '..', 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'nsys'), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  return { PATH: `${bin}:${process.env.PATH}`, XDG_CACHE_HOME: join(d, '..', 'cache'), NSYS_TP_CACHE: '' };
}
const report = (d: string) => textFile(d, 'run 1.nsys-rep', 'not really a report, the fake nsys does not care');
const EXPORTS = `out=""; while [ $# -gt 0 ]; do [ "$1" = "--output" ] && out="$2"; shift; done; cp "${samplePath(BASE_SAMPLE)}" "$out"`;

/** `.nsys-rep` reports, exported by an `nsys` that works, hangs, fails, or must not be needed. */
export const REPORTS: BadTrace[] = [
  {
    name: '.nsys-rep: nsys exports it (into the cache folder, not beside it)',
    expect: 'ok',
    make: (d) => ({ path: report(d), env: fakeNsys(d, EXPORTS) }),
  },
  {
    name: '.nsys-rep: a fresh .sqlite beside it is used (nsys never runs)',
    expect: 'ok',
    make: (d) => {
      const path = report(d);
      utimesSync(path, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
      copyFileSync(samplePath(BASE_SAMPLE), join(d, 'run 1.sqlite'));
      return { path, env: fakeNsys(d, 'echo "nsys must not run" >&2; exit 1') };
    },
  },
  {
    name: '.nsys-rep: nsys never returns (stopped after NSYS_TP_EXPORT_TIMEOUT)',
    expect: 'error',
    waits: true,
    message: /nsys export did not finish within 2\.0 s and was stopped; set NSYS_TP_EXPORT_TIMEOUT/,
    make: (d) => ({ path: report(d), env: { ...fakeNsys(d, 'exec sleep 1000'), NSYS_TP_EXPORT_TIMEOUT: '2' } }),
  },
  {
    name: '.nsys-rep: nsys fails',
    expect: 'error',
    message: /nsys export failed \(the report is damaged\)/,
    make: (d) => ({ path: report(d), env: fakeNsys(d, 'echo "the report is damaged" >&2; exit 1') }),
  },
  {
    name: '.nsys-rep: nsys succeeds but writes nothing',
    expect: 'error',
    message: /nsys export finished but wrote no/,
    make: (d) => ({ path: report(d), env: fakeNsys(d, 'exit 0') }),
  },
  // Issue 23, item 10: Node's recursive mkdir never returns under /proc.
  {
    name: '.nsys-rep: NSYS_TP_CACHE under /proc (refused, no hang)',
    expect: 'error',
    message: /\/proc\/self\/nsys-tp: cannot create the export cache folder \(ENOENT/,
    make: (d) => ({ path: report(d), env: { ...fakeNsys(d, EXPORTS), NSYS_TP_CACHE: '/proc/self/nsys-tp' } }),
  },
  {
    name: '.nsys-rep: HOME is /proc (refused, no hang)',
    expect: 'error',
    message: /\/proc\/\.cache\/nsys-tp: cannot create the export cache folder/,
    make: (d) => ({ path: report(d), env: { ...fakeNsys(d, EXPORTS), NSYS_TP_CACHE: '', XDG_CACHE_HOME: '', HOME: '/proc' } }),
  },
  {
    name: '.nsys-rep: NSYS_TP_EXPORT_TIMEOUT is not a number',
    expect: 'error',
    message: /NSYS_TP_EXPORT_TIMEOUT=soon: expected a number of seconds/,
    make: (d) => ({ path: report(d), env: { ...fakeNsys(d, EXPORTS), NSYS_TP_EXPORT_TIMEOUT: 'soon' } }),
  },
];

/** A side input that is not a plain file: a FIFO (with or without a writer), a device, a huge file. */
export interface SideFile {
  name: string;
  expect: 'error' | 'ok';
  message?: RegExp;
  make(dir: string): Made | Promise<Made>;
}

/** A FIFO at dir/name; with `content`, a writer process feeds it once (as `<(cmd)` does), after `delayMs`. */
export function fifo(dir: string, name: string, content?: string, delayMs = 0): Made {
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  if (content === undefined) return { path };
  // One writer per reader: every command of the row list opens it once, so keep writing until told to stop.
  // Each open for writing waits for a reader; the pause after each write lets that reader see the end.
  const code = `const fs = require('fs'); const [p, text, delay] = process.argv.slice(1);
    setTimeout(function loop() { fs.writeFileSync(p, text); setTimeout(loop, 300); }, Number(delay));`;
  const child = spawn(process.execPath, ['-e', code, path, content, String(delayMs)], { stdio: 'ignore' });
  return {
    path,
    release: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

/** A symlink dir/name to a device, so the case's folder (not /dev) is the one watched. */
const device = (dir: string, name: string, dev: string): Made => {
  const path = join(dir, name);
  symlinkSync(dev, path);
  return { path };
};

/** Side inputs of every kind that is not a regular file, for a command reading `what` (config JSON text). */
export function sideFiles(good: string, refused: RegExp): SideFile[] {
  return [
    { name: 'a FIFO nobody writes to', expect: 'error', message: /a pipe that nothing was written to for 1 s/, make: (d) => fifo(d, 'fifo.json') },
    { name: 'a FIFO with a writer (process substitution)', expect: 'ok', make: (d) => fifo(d, 'fifo.json', good, 200) },
    { name: '/dev/zero', expect: 'error', message: refused, make: (d) => device(d, 'zero.json', '/dev/zero') },
    { name: '/dev/urandom', expect: 'error', message: refused, make: (d) => device(d, 'urandom.json', '/dev/urandom') },
    { name: '/dev/null (empty)', expect: 'error', message: /JSON|config/, make: (d) => device(d, 'null.json', '/dev/null') },
    { name: 'a 5 MB file', expect: 'error', message: /larger than the 4 MiB/, make: (d) => ({ path: textFile(d, 'huge.json', `{"x": "${'y'.repeat(5_000_000)}"}`) }) },
  ];
}

/** Benchmark results for attach, which rewrites its report in place. */
export const BAD_REPORTS: SideFile[] = [
  { name: 'a FIFO', expect: 'error', message: /not a regular file/, make: (d) => fifo(d, 'bench.json') },
  { name: 'a FIFO with a writer', expect: 'error', message: /not a regular file/, make: (d) => fifo(d, 'bench.json', '{"a": 1}') },
  { name: '/dev/zero', expect: 'error', message: /not a regular file/, make: (d) => device(d, 'bench.json', '/dev/zero') },
  { name: '/dev/null', expect: 'error', message: /not a regular file/, make: (d) => device(d, 'bench.json', '/dev/null') },
  { name: 'a symlink to stdout', expect: 'error', message: /not a regular file/, make: (d) => device(d, 'bench.json', '/proc/self/fd/1') },
];

/** Benchmark results whose JSON attach must refuse to edit (attach --format json only: Markdown is appended to). */
export const BAD_REPORT_JSON: SideFile[] = [
  {
    name: 'duplicate top-level keys',
    expect: 'error',
    message: /the key "duration" appears twice at the top level/,
    make: (d) => ({ path: textFile(d, 'bench.json', '{"duration": 61.2, "completed": 200, "duration": 99}\n') }),
  },
  {
    name: 'duplicate nsysTp sections',
    expect: 'error',
    message: /the key "nsysTp" appears twice/,
    make: (d) => ({ path: textFile(d, 'bench.json', '{"duration": 61.2, "nsysTp": {}, "nsysTp": {"old": true}}\n') }),
  },
];

/**
 * Patterns that backtrack catastrophically on long names (`(a+)+$` on 30 000 `a`s and a `!`), and the
 * features that have no linear-time form. Each either runs in linear time or is refused with the reason.
 */
export const BAD_PATTERNS: { name: string; pattern: string; flags?: string; expect: 'ok' | 'error'; message?: RegExp }[] = [
  { name: 'nested +', pattern: '(a+)+$', expect: 'ok' },
  { name: 'overlapping alternatives', pattern: '(a|aa)+$', expect: 'ok' },
  { name: 'nested *', pattern: '(a*)*$', expect: 'ok' },
  { name: 'optional inside +', pattern: '(a|a?)+b', expect: 'ok' },
  { name: 'words and spaces', pattern: '(\\w+\\s?)+$', expect: 'ok' },
  { name: 'adjacent pluses', pattern: '(a+a+)+b', expect: 'ok' },
  { name: 'counted repetition over 16', pattern: '(.*a){20}!$', expect: 'ok' },
  { name: 'case-insensitive nested +', pattern: '^(A+)+$', flags: 'i', expect: 'ok' },
  { name: 'case-insensitive class with a counted repetition', pattern: '([a-z]{1,64})+[0-9]$', flags: 'i', expect: 'ok' },
  { name: 'a look-ahead', pattern: '(?=(a+))+b', expect: 'error', message: /look-ahead.*needs backtracking/ },
  { name: 'a look-behind', pattern: '(?<=a+)b', expect: 'error', message: /look-behind/ },
  { name: 'a back-reference', pattern: '(a+)+\\1b', expect: 'error', message: /back-reference/ },
  { name: 'a huge count', pattern: '(a{1,5000})+b', expect: 'error', message: /counted repetition of more than 1000/ },
  { name: 'a 5000-character pattern', pattern: 'a'.repeat(5000), expect: 'error', message: /longer than 4096 characters/ },
];

/** Names that make those patterns backtrack: NVTX ranges and kernel names of 30 000 `a`s and a `!`. */
export function longNamesTrace(dir: string): string {
  return editedCopy(dir, 'long-names.sqlite', (db) => {
    const name = `${'a'.repeat(30_000)}!`;
    for (const n of [2, 3]) db.prepare('UPDATE NVTX_EVENTS SET text = ? WHERE text = ?').run(`${name} decode ${n}`, `decode ${n}`);
    db.prepare("UPDATE NVTX_EVENTS SET text = ? WHERE text LIKE 'layer%'").run(name);
    db.prepare("UPDATE StringIds SET value = ? WHERE value LIKE 'nvjet%'").run(name);
  });
}

/** Command-line options that must be refused like any unknown one (`args` gets a config file when `config` is set). */
export const BAD_OPTIONS: { name: string; args: (input: string) => string[]; config?: string; message: RegExp }[] = [
  { name: "--from ''", args: () => ['--from', ''], message: /--from.*expected a number of seconds/ },
  { name: "--to '   '", args: () => ['--to', '   '], message: /--to.*expected a number of seconds/ },
  { name: '--from soon', args: () => ['--from', 'soon'], message: /expected a number of seconds/ },
  { name: '--rule id.__proto__=1', args: () => ['--rule', 'comm-dominant-step.__proto__=1'], message: /has no option "__proto__"/ },
  { name: '--rule id.constructor=1', args: () => ['--rule', 'comm-dominant-step.constructor=1'], message: /has no option "constructor"/ },
  { name: '--rule id.toString=x', args: () => ['--rule', 'straggler-rank.toString=x'], message: /has no option "toString"/ },
  { name: '--rule id.hasOwnProperty=1', args: () => ['--rule', 'comm-dominant-step.hasOwnProperty=1'], message: /has no option "hasOwnProperty"/ },
  { name: '--rule __proto__.x=1', args: () => ['--rule', '__proto__.x=1'], message: /expected id.option=value|unknown rule/ },
  { name: "--config ''", args: () => ['--config', ''], message: /--config: an empty file name/ },
  { name: "--gap-ms ''", args: () => ['--gap-ms', ''], message: /expected a positive number/ },
  { name: "--batch ' ' with --model", args: () => ['--model', 'llama-3.3-70b', '--batch', ' '], message: /expected a positive number/ },
  { name: "--model ''", args: () => ['--model', '', '--batch', '8'], message: /neither a preset/ },
  { name: 'a config with a __proto__ key', args: (c) => ['--config', c], config: '{"__proto__": {"disabledRules": ["straggler-rank"]}}', message: /unknown key "__proto__"/ },
  { name: 'a config with a constructor rule', args: (c) => ['--config', c], config: '{"rules": {"constructor": {}}}', message: /unknown rule "constructor"/ },
];

/** What classify's stdin may be besides text: a folder, an endless device. */
export const STDIN_FILES: SideFile[] = [
  { name: 'a folder (classify < /)', expect: 'error', message: /stdin is a folder/, make: (d) => ({ path: d }) },
  { name: '/dev/zero (one endless line)', expect: 'error', message: /a line longer than 16 MiB/, make: (d) => device(d, 'zero', '/dev/zero') },
  { name: '/dev/null (nothing)', expect: 'ok', make: (d) => device(d, 'null', '/dev/null') },
];

/**
 * Markdown reports whose nsys-tp markers are not one whole section attach wrote (issue 23, item 2):
 * replacing from a begin marker to the next end marker would eat the user's text; refused, left as is.
 */
export const BAD_REPORT_MD: SideFile[] = [
  {
    name: 'a begin marker without its end',
    expect: 'error',
    message: /markers are not one section attach wrote \(begin on line 3\)/,
    make: (d) => ({ path: textFile(d, 'bench.md', '# Run\n\n<!-- nsys-tp:begin -->\nthe user\'s notes, which must survive\n') }),
  },
  {
    name: 'two begin markers, then an end',
    expect: 'error',
    message: /begin on line 1, begin on line 3, end on line 5/,
    make: (d) => ({ path: textFile(d, 'bench.md', '<!-- nsys-tp:begin -->\nnotes\n<!-- nsys-tp:begin -->\nold\n<!-- nsys-tp:end -->\n') }),
  },
  {
    name: 'an end marker before the begin',
    expect: 'error',
    message: /end on line 1, begin on line 2/,
    make: (d) => ({ path: textFile(d, 'bench.md', '<!-- nsys-tp:end -->\n<!-- nsys-tp:begin -->\n') }),
  },
];

/** A saved diagnose result of a sample, written once per test run, to damage. */
let savedText: string | null = null;
export function savedDiagnosis(): any {
  if (savedText === null) {
    const r = spawnSyncCli(['diagnose', samplePath('tp4graph-decode.sqlite'), '--format', 'json']);
    savedText = r;
  }
  return JSON.parse(savedText);
}
function spawnSyncCli(args: string[]): string {
  return execFileSync(process.execPath, [join(REPO, 'dist/cli/main.js'), ...args], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20, env: { ...process.env, NSYS_TP_DEBUG: '' } });
}

const savedWith = (d: string, edit: (j: any) => void): string => {
  const j = savedDiagnosis();
  edit(j);
  return textFile(d, 'saved.json', JSON.stringify(j, null, 2));
};

/** The text of a saved result with the summary's first phase's spanNs spelt as `raw` (JSON.stringify cannot write 1e309). */
const savedWithSpan = (d: string, raw: string): string => {
  const t = JSON.stringify(savedDiagnosis(), null, 2);
  const at = t.indexOf('"spanNs"', t.indexOf('"summary"'));
  return textFile(d, 'saved.json', t.slice(0, at) + `"spanNs": ${raw}` + t.slice(t.indexOf(',', at)));
};

/** Saved diagnose results with values no measurement has (issue 23, item 6): bad input, exit 2, never a verdict. */
export const BAD_SAVED_RESULTS: SideFile[] = [
  {
    name: 'negative step times',
    expect: 'error',
    message: /summary\.phases\[0\]\.stepTimesNs\[0\]: -\d+ is not a positive time/,
    make: (d) => ({ path: savedWith(d, (j) => (j.summary.phases[0].stepTimesNs = j.summary.phases[0].stepTimesNs.map((x: number) => -x))) }),
  },
  {
    name: 'zero step times',
    expect: 'error',
    message: /stepTimesNs\[0\]: 0 is not a positive time/,
    make: (d) => ({ path: savedWith(d, (j) => (j.summary.phases[0].stepTimesNs = j.summary.phases[0].stepTimesNs.map(() => 0))) }),
  },
  {
    name: 'a zero median step',
    expect: 'error',
    message: /stepTime\.medianNs: 0 is not a positive time/,
    make: (d) => ({ path: savedWith(d, (j) => (j.summary.phases[0].stepTime.medianNs = 0)) }),
  },
  {
    name: 'a share above 1',
    expect: 'error',
    message: /commShare: 3 is not a share between 0 and 1/,
    make: (d) => ({ path: savedWith(d, (j) => (j.summary.phases[0].commShare = 3)) }),
  },
  {
    name: 'schemaVersion as a string',
    expect: 'error',
    message: /schemaVersion is "1", not a number; nsys-tp writes the number 1/,
    make: (d) => ({ path: savedWith(d, (j) => (j.schemaVersion = '1')) }),
  },
  {
    name: 'a number beyond doubles (1e309)',
    expect: 'error',
    message: /summary\.phases\[0\]\.spanNs: expected a number, found a number beyond what a double holds/,
    make: (d) => ({ path: savedWithSpan(d, '1e309') }),
  },
  {
    name: 'a result cut short: said by position, not quoted',
    expect: 'error',
    message: /not a JSON result \(cut short\?\) \(the text ends where .* should be\)/,
    make: (d) => ({ path: textFile(d, 'saved.json', JSON.stringify(savedDiagnosis(), null, 2).slice(0, 5000)) }),
  },
];
