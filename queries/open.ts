/**
 * Opening a trace file: decides what the file is before SQLite sees it, so every kind of wrong input gets
 * a message that says what it is and what to do, and opens real exports read-only.
 *
 * A trace is untrusted input: its schema is SQL text someone else wrote. Nothing here (or anywhere in
 * nsys-tp) runs SQL taken from a trace; the connection refuses writes (`query_only`), trusts no function
 * or virtual table the schema names (`trusted_schema = OFF`), checks cell sizes as it reads
 * (`cell_size_check`), loads no extension, and reads only real tables: a view or a virtual table standing
 * where nsys writes a table is refused (a view can compute without end: a recursive CTE).
 */
import { closeSync, constants, existsSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import Database from 'better-sqlite3';
import { TraceError } from './errors.js';

export type Db = Database.Database;

const SQLITE_MAGIC = 'SQLite format 3\u0000';
const BUSY_TIMEOUT_MS = 1000;

/** Why a file cannot be opened, in the words of its errno. */
const OPEN_ERRORS: Record<string, string> = {
  EACCES: 'permission denied (EACCES): you may not read this file',
  EPERM: 'not permitted (EPERM)',
  ELOOP: 'too many symbolic links (ELOOP)',
  ENAMETOOLONG: 'file name too long (ENAMETOOLONG)',
  EIO: 'input/output error (EIO): a failing disk or network file system?',
};

function openError(path: string, e: unknown): TraceError {
  const code = String((e as NodeJS.ErrnoException).code ?? '');
  const err = new TraceError(`${path}: cannot read (${OPEN_ERRORS[code] ?? (code || (e as Error).message)})`);
  if (UNREACHABLE.includes(code)) err.unreachable = path;
  return err;
}

/** Errnos that say a file is missing or out of reach. */
const UNREACHABLE = ['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM', 'ELOOP'];

/**
 * The first `n` bytes of a regular file. Opened non-blocking and checked on the open descriptor: a FIFO
 * would block an ordinary open until someone writes to it (freezing the CLI, or a whole MCP server), and
 * a file swapped for one after a stat is caught here too.
 */
function readHead(path: string, n: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw openError(path, e);
  }
  try {
    if (!fstatSync(fd).isFile()) throw new TraceError(`${path}: not a regular file (a pipe or a device); nsys-tp reads an SQLite export file`);
    const buf = Buffer.alloc(n);
    const got = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got);
  } catch (e) {
    if (e instanceof TraceError) throw e;
    throw openError(path, e);
  } finally {
    closeSync(fd);
  }
}

/** The exact command that turns a report into what nsys-tp reads. */
export function exportCommand(reportPath: string): string {
  const out = reportPath.replace(/\.nsys-rep$/i, '') + '.sqlite';
  return `nsys export --type sqlite --output ${JSON.stringify(out)} ${JSON.stringify(reportPath)}`;
}

/** Checks the file itself (exists, regular, non-empty, SQLite) and names the common wrong inputs. */
export function checkTraceFile(path: string): void {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw Object.assign(new TraceError(`${path}: no such file`), { unreachable: path });
    throw openError(path, e);
  }
  if (st.isDirectory()) throw new TraceError(`${path}: is a directory, expected an nsys SQLite export (.sqlite)`);
  if (!st.isFile()) throw new TraceError(`${path}: not a regular file (a pipe or a device); nsys-tp reads an SQLite export file`);
  const ext = extname(path).toLowerCase();
  if (ext === '.qdstrm') {
    throw new TraceError(
      `${path}: a .qdstrm is an unfinished capture; import it with QdstrmImporter (in the Nsight Systems host folder) ` +
        `to get a .nsys-rep, then: ${exportCommand(path.replace(/\.qdstrm$/i, '.nsys-rep'))}`,
    );
  }
  if (st.size === 0) throw new TraceError(`${path}: empty file (0 bytes); was the export interrupted?`);
  const head = readHead(path, 100);
  const magic = head.subarray(0, 16).toString('latin1');
  if (magic !== SQLITE_MAGIC) {
    if (ext === '.nsys-rep') throw new TraceError(`${path}: an Nsight Systems report, not its SQLite export; run: ${exportCommand(path)}`);
    const packed = compressedAs(head);
    if (packed) {
      const out = path.replace(packed.ext, '');
      throw new TraceError(`${path}: ${packed.name}-compressed; decompress it first: ${packed.command} ${JSON.stringify(path)} (writes ${JSON.stringify(out === path ? `${path}.out` : out)}), then run nsys-tp on that`);
    }
    if (head.length < 16 && SQLITE_MAGIC.startsWith(magic))
      throw new TraceError(`${path}: truncated SQLite file (${st.size} bytes)`);
    throw new TraceError(`${path}: not an SQLite file; nsys-tp reads the output of: nsys export --type sqlite`);
  }
  if (st.size < 512) throw new TraceError(`${path}: truncated SQLite file (${st.size} bytes)`);
  const expected = headerFileSize(head);
  if (expected !== null && st.size < expected) {
    throw new TraceError(`${path}: truncated SQLite file (${st.size} of ${expected} bytes); was the copy or the export cut short?`);
  }
}

/** Compressed files by their magic bytes (an export shared as trace.sqlite.xz), with the command that unpacks one beside itself. */
function compressedAs(h: Buffer): { name: string; ext: RegExp; command: string } | null {
  const starts = (...bytes: number[]) => bytes.every((x, i) => h[i] === x);
  if (starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return { name: 'xz', ext: /\.xz$/i, command: 'xz -dk' };
  if (starts(0x1f, 0x8b)) return { name: 'gzip', ext: /\.gz$/i, command: 'gzip -dk' };
  if (starts(0x28, 0xb5, 0x2f, 0xfd)) return { name: 'zstd', ext: /\.zst$/i, command: 'zstd -d' };
  if (starts(0x42, 0x5a, 0x68)) return { name: 'bzip2', ext: /\.bz2$/i, command: 'bzip2 -dk' };
  return null;
}

/**
 * File size the SQLite header promises (page size x page count), or null when the header does not vouch
 * for its page count (written by a version that does not keep it, or an unfinished write).
 * SQLite itself reads a cut file without complaint until a query touches a missing page.
 */
function headerFileSize(h: Buffer): number | null {
  if (h.length < 100) return null;
  const raw = h.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  const pages = h.readUInt32BE(28);
  const counterValid = h.readUInt32BE(92) === h.readUInt32BE(24);
  if (pages === 0 || !counterValid || pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) return null;
  return pageSize * pages;
}

/** The file is in WAL mode (header bytes 18-19, read and write versions, are 2). */
function isWalMode(path: string): boolean {
  const h = readHead(path, 20);
  return h.length >= 20 && h[18] === 2 && h[19] === 2;
}

/**
 * How SQLite will read the file: `sidecars` for a WAL-mode export with a `-wal` file beside it (SQLite
 * reads the commits it holds and keeps its index in a `-shm` file, creating it when missing); `no-wal`
 * for a WAL-mode export without one: nothing in a WAL to read, yet SQLite would create empty `-wal` and
 * `-shm` files beside it to find that out (the CLI reads such a file through a private copy, inputs.ts).
 */
export function walState(path: string): 'none' | 'no-wal' | 'sidecars' {
  if (!isWalMode(path)) return 'none';
  return existsSync(`${path}-wal`) ? 'sidecars' : 'no-wal';
}

/** What the user should know about how the file is read (a line for stderr), or null. */
export function sidecarNote(path: string): string | null {
  try {
    return walState(path) === 'sidecars'
      ? `${path} is in WAL mode with a -wal file beside it: SQLite reads its last commits from ${path}-wal and keeps an index in ${path}-shm`
      : null;
  } catch {
    return null;
  }
}

/**
 * Names nsys gives its tables: a view or virtual table under one of these stands in for data nsys wrote,
 * and reading it would run the SQL someone put in the file.
 */
const NSYS_TABLE = /^(CUPTI_|NVTX_|OSRT_|CUDA_|CUDNN_|CUBLAS_|NCCL_|MPI_|OPENMP_|OPENACC_|OPENGL_|VULKAN_|DX1|GPU_|SCHED_|SAMPLING_|COMPOSITE_|TARGET_INFO_|META_DATA_|ENUM_|NV_|UNIFIED_MEMORY_|DIAGNOSTIC_|PROFILER_OVERHEAD|ANALYSIS_DETAILS|StringIds$|ThreadNames$|ProcessStreams$|PROCESSES$|SCHEMA_VERSION$|EXPORT_META_DATA$)/;

/** Throws when a view or a virtual table takes the place of a table nsys writes. */
function refuseStandIns(db: Db, path: string): void {
  const rows = db.prepare("SELECT name, type FROM pragma_table_list WHERE schema = 'main' AND type IN ('view', 'virtual')").all() as { name: string; type: string }[];
  const bad = rows.filter((r) => NSYS_TABLE.test(r.name));
  if (bad.length === 0) return;
  const what = bad.slice(0, 3).map((r) => `${r.name} is a ${r.type === 'view' ? 'view' : 'virtual table'}`).join(', ');
  throw new TraceError(
    `${path}: ${what}${bad.length > 3 ? ` (and ${bad.length - 3} more)` : ''}, not a table: nsys writes tables only, so the file was edited or made by another program; nsys-tp runs no SQL from a trace`,
  );
}

/**
 * Opens an nsys SQLite export read-only. Nothing is ever written to the file: no indexes, no tables, no
 * journal. (SQLite itself adds `-wal` / `-shm` files beside a WAL-mode file: see walState.)
 */
export function openTraceDb(path: string): Db {
  checkTraceFile(path);
  let db: Db;
  try {
    // A file being written is locked for moments at a time; an export still running will not finish within
    // a wait worth making, so give up soon with a message instead.
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  } catch (e) {
    throw new TraceError(`${path}: cannot be read as SQLite (${sqliteReason(e)})`);
  }
  try {
    db.pragma('query_only = ON');
    db.pragma('trusted_schema = OFF');
    db.pragma('cell_size_check = ON');
    // Reading the schema is the first real read: a damaged file fails here.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    refuseStandIns(db, path);
  } catch (e) {
    db.close();
    if (e instanceof TraceError) throw e;
    throw new TraceError(`${path}: cannot be read as SQLite (${sqliteReason(e)})`);
  }
  return db;
}

/** SQLite's own words, or what they mean for a trace file where SQLite's are misleading. */
const REASONS: Record<string, string> = {
  SQLITE_BUSY: 'locked by another program: is an export or a copy still writing it? Try again once it has finished',
  SQLITE_READONLY_ROLLBACK: 'a hot journal lies beside it (the program writing it stopped mid-write); export it again, or let sqlite3 roll the journal back on a copy',
  SQLITE_CORRUPT: 'damaged: database disk image is malformed',
  SQLITE_NOTADB: 'not a database, though it starts like one',
  SQLITE_NOMEM: 'out of memory reading it',
};

export function sqliteReason(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  const known = typeof code === 'string' ? REASONS[code] ?? REASONS[code.replace(/_[A-Z]+$/, '')] : undefined;
  if (known) return known;
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0]!.slice(0, 200);
}
