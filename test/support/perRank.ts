/**
 * Per-rank reports made from a real all-ranks export (as `nsys profile -o report_%q{RANK}` would give):
 * each copy keeps one process's rows; optionally its clock is shifted and its session start moved the
 * other way, as two reports started at different moments would be.
 */
import Database from 'better-sqlite3';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';

export function splitByRank(src: string, dir: string, shiftNs: (rank: number) => number = () => 0): string[] {
  const db = new Database(src, { readonly: true });
  const pids = (db.prepare('SELECT DISTINCT globalPid, deviceId FROM CUPTI_ACTIVITY_KIND_KERNEL ORDER BY deviceId').raw(true).all() as [number, number][]);
  db.close();
  return pids.map(([pid, dev], rank) => {
    const out = join(dir, `report_${rank}.sqlite`);
    copyFileSync(src, out);
    const r = new Database(out);
    const tables = r.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    const shift = shiftNs(rank);
    for (const t of tables) {
      const cols = (r.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(t) as string[]);
      if (cols.includes('globalPid')) r.prepare(`DELETE FROM "${t}" WHERE globalPid IS NOT NULL AND globalPid != ?`).run(pid);
      else if (cols.includes('globalTid')) r.prepare(`DELETE FROM "${t}" WHERE globalTid IS NOT NULL AND globalTid / 16777216 != ? / 16777216`).run(pid);
      if (cols.includes('deviceId') && t.startsWith('CUPTI')) r.prepare(`DELETE FROM "${t}" WHERE deviceId != ?`).run(dev);
      if (shift && cols.includes('start')) r.prepare(`UPDATE "${t}" SET start = start - ?, end = CASE WHEN end IS NULL THEN NULL ELSE end - ? END`).run(shift, shift);
    }
    if (shift) r.prepare('UPDATE TARGET_INFO_SESSION_START_TIME SET utcEpochNs = utcEpochNs + ?').run(shift);
    r.close();
    return out;
  });
}
