/**
 * Broken traces for the bad-input catalogue: each is a committed sample copied into a temp folder and
 * damaged the way real files get damaged (cut short, half written, edited by hand, written by another nsys
 * or another program). `expect` says what every command must do with it; `check` what the report must say.
 */
import Database from 'better-sqlite3';
import { copyFileSync, mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
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
}

export interface BadTrace {
  name: string;
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
    expect: 'ok',
    make: (d) => ({ path: editedCopy(d, 'no-kernels.sqlite', (db) => db.exec(`DROP TABLE ${K}`)) }),
    check: (j) => {
      for (const dev of j.devices) for (const c of ['gemm', 'attention', 'communication']) expect0(dev.decode?.timeNs?.[c] ?? 0);
    },
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
    check: (j) => mustMatch(j.stepDetection.description, /gaps|graph/),
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
  { name: 'a 10 MB model name', expect: 'ok', make: (d) => json(d, 'config.json', { ...LLAMA_CONFIG, _name_or_path: 'm'.repeat(10_000_000) }) },
  { name: 'a folder', expect: 'error', message: /not a JSON config/, make: (d) => join(d) },
  { name: 'a path that does not exist', expect: 'error', message: /neither a preset/, make: (d) => join(d, 'nope', 'config.json') },
  { name: 'a path with spaces and unicode', expect: 'ok', make: (d) => json(d, 'my config ü 名前.json', LLAMA_CONFIG) },
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
  { name: 'a folder', expect: 'error', message: /cannot read config/, make: (d) => d },
  { name: 'a path that does not exist', expect: 'error', message: /cannot read config/, make: (d) => join(d, 'nope.json') },
  { name: 'a path with spaces and unicode', expect: 'ok', make: (d) => json(d, 'my conf ü 名前.json', { kernelClasses: [{ class: 'gemm', pattern: '^nvjet_' }] }) },
];

/** Kernel names piped into `classify`. */
export const BAD_STDIN: BadFile[] = [
  { name: 'nothing', expect: 'ok', make: (d) => textFile(d, 'in.txt', '') },
  { name: 'random bytes', expect: 'ok', make: (d) => textFile(d, 'in.txt', randomBytes(5, 65536) as any) },
  { name: 'invalid UTF-8 and NUL bytes', expect: 'ok', make: (d) => textFile(d, 'in.txt', Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a, 0xc3, 0x28, 0x0a]) as any) },
  { name: 'a 10 MB line', expect: 'ok', make: (d) => textFile(d, 'in.txt', `ncclDevKernel_${'x'.repeat(10_000_000)}\nampere_sgemm_128x64_nn\n`) },
  { name: 'terminal escapes and markup', expect: 'ok', make: (d) => textFile(d, 'in.txt', 'evil\u001b[2J\u001b]8;;http://x\u0007link\u0007\u009b31m<script>\r\n') },
];
