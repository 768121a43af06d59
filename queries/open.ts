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
  const head = readHead(path, 16);
  if (head.toString('latin1') !== SQLITE_MAGIC) {
    if (ext === '.nsys-rep') throw new TraceError(`${path}: an Nsight Systems report, not its SQLite export; run: ${exportCommand(path)}`);
    if (head.length < 16 && SQLITE_MAGIC.startsWith(head.toString('latin1')))
      throw new TraceError(`${path}: truncated SQLite file (${st.size} bytes)`);
    throw new TraceError(`${path}: not an SQLite file; nsys-tp reads the output of: nsys export --type sqlite`);
  }
  if (st.size < 512) throw new TraceError(`${path}: truncated SQLite file (${st.size} bytes)`);
}

/**
 * Opens an nsys SQLite export read-only. Nothing is ever written to the file: no indexes, no tables, no
 * journal (`query_only` guards against our own mistakes as well).
 */
export function openTraceDb(path: string): Db {
  checkTraceFile(path);
  let db: Db;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('query_only = ON');
    // Reading the schema is the first real read: a damaged file fails here.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (e) {
    throw new TraceError(`${path}: cannot be read as SQLite (${sqliteReason(e)})`);
  }
  return db;
}

export function sqliteReason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0]!.slice(0, 200);
}
