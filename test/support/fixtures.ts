/** Small hand-made databases and files for edge cases (never a stand-in for a real trace). */
import Database from 'better-sqlite3';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fresh temp folder, named for this test run (globalSetup.ts removes the run's folders when it ends, so
 * a failing test that cannot clean up after itself leaves nothing behind either).
 */
export function tempDir(prefix = 'nsys-tp-test-'): string {
  return mkdtempSync(join(tmpdir(), `${prefix}${process.env.NSYS_TP_TEST_RUN ?? `${process.pid}`}-`));
}

/** An SQLite database written by some other program. */
export function foreignSqlite(dir: string): string {
  const p = join(dir, 'app.sqlite');
  const db = new Database(p);
  db.exec("CREATE TABLE users (id INTEGER, name TEXT); INSERT INTO users VALUES (1, 'a')");
  db.close();
  return p;
}

/** The shape of an nsys export of a CPU-only profile: metadata and strings, no CUPTI tables. */
export function cpuOnlyExport(dir: string): string {
  const p = join(dir, 'cpu-only.sqlite');
  const db = new Database(p);
  db.exec(`CREATE TABLE StringIds (id INTEGER PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE META_DATA_EXPORT (name TEXT, value TEXT);
    INSERT INTO META_DATA_EXPORT VALUES ('EXPORT_PRODUCT_VERSION', '2025.3.2.0'), ('EXPORT_SCHEMA_VERSION', '3.20.3');
    CREATE TABLE OSRT_API (start INTEGER NOT NULL, end INTEGER NOT NULL, globalTid INTEGER, nameId INTEGER);
    INSERT INTO StringIds VALUES (1, 'read'); INSERT INTO OSRT_API VALUES (10, 20, 1, 1);`);
  db.close();
  return p;
}

export function textFile(dir: string, name: string, content: string): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}
