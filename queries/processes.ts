/**
 * Processes and thread names.
 *
 * Tables read: PROCESSES (globalPid, pid, name), ThreadNames (nameId, globalTid), StringIds.
 * Ids: globalPid / globalTid are nsys global ids; the OS pid is in PROCESSES.pid, the OS tid is
 * globalTid & 0xFFFFFF.
 */
import type { Db } from './open.js';
import type { Schema } from './schema.js';

export interface ProcessRow { globalPid: number; pid: number; name: string }
export interface ThreadNameRow { globalTid: number; name: string }

export function processRows(db: Db, s: Schema): ProcessRow[] {
  if (!s.hasColumn('PROCESSES', 'globalPid') || !s.hasColumn('PROCESSES', 'pid')) return [];
  const name = s.hasColumn('PROCESSES', 'name') ? 'CAST(name AS TEXT)' : "''";
  return (db.prepare(`SELECT globalPid, pid, ${name} FROM PROCESSES WHERE globalPid IS NOT NULL`).raw(true).all() as [number, number, string | null][])
    .map(([globalPid, pid, n]) => ({ globalPid, pid, name: n ?? '' }));
}

export function threadNameRows(db: Db, s: Schema): ThreadNameRow[] {
  if (!s.hasColumn('ThreadNames', 'globalTid') || !s.hasColumn('ThreadNames', 'nameId') || !s.hasColumn('StringIds', 'value')) return [];
  return (db.prepare(`SELECT t.globalTid, CAST(s.value AS TEXT) FROM ThreadNames t JOIN StringIds s ON s.id = t.nameId`).raw(true).all() as [number, string | null][])
    .map(([globalTid, n]) => ({ globalTid, name: n ?? '' }));
}
