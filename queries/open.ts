/**
 * Opening a trace file: decides what the file is before SQLite sees it, so every kind of wrong input gets
 * a message that says what it is and what to do, and opens real exports read-only.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import Database from 'better-sqlite3';
import { TraceError } from './errors.js';

export type Db = Database.Database;

const SQLITE_MAGIC = 'SQLite format 3\u0000';
const BUSY_TIMEOUT_MS = 1000;

function readHead(path: string, n: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const got = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got);
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
  } catch {
    throw new TraceError(`${path}: no such file`);
  }
  if (st.isDirectory()) throw new TraceError(`${path}: is a directory, expected an nsys SQLite export (.sqlite)`);
  if (!st.isFile()) throw new TraceError(`${path}: not a regular file`);
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

/**
 * Opens an nsys SQLite export read-only. Nothing is ever written to the file: no indexes, no tables, no
 * journal (`query_only` guards against our own mistakes as well).
 */
export function openTraceDb(path: string): Db {
  checkTraceFile(path);
  let db: Db;
  try {
    // A file being written is locked for moments at a time; an export still running will not finish within
    // a wait worth making, so give up soon with a message instead.
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
    db.pragma('query_only = ON');
    // Reading the schema is the first real read: a damaged file fails here.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (e) {
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
};

export function sqliteReason(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  const known = typeof code === 'string' ? REASONS[code] ?? REASONS[code.replace(/_[A-Z]+$/, '')] : undefined;
  if (known) return known;
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0]!.slice(0, 200);
}
