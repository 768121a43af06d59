/**
 * An independent computation of collective instances in plain SQL: NCCL kernels numbered per (device,
 * kernel op, stream) by start time, the n-th on every device is one instance; transfer = shortest kernel,
 * wait = the rest, skew = start spread, last arriver = latest start. Shares no code with nsys-tp.
 */
import Database from 'better-sqlite3';

export interface RefInstance {
  op: string;
  stream: number;
  rn: number;
  transfer: number;
  kernel: number;
  ranks: number;
  skew: number;
  last: number;
  /** Start of the device-0 kernel's launching API call. */
  launch0: number | null;
  launchTid0: number | null;
}

export function referenceCollectives(path: string): RefInstance[] {
  const db = new Database(path, { readonly: true });
  const sql = `
WITH k AS (
  SELECT k.deviceId AS dev, k.start, k.end, k.streamId AS stream, k.correlationId AS corr, k.globalPid AS pid,
    CASE WHEN s.value LIKE '%AllReduce%' THEN 'all-reduce' WHEN s.value LIKE '%ReduceScatter%' THEN 'reduce-scatter'
         WHEN s.value LIKE '%AllGather%' THEN 'all-gather' WHEN s.value LIKE '%SendRecv%' THEN 'send-recv' ELSE 'other' END AS op
  FROM CUPTI_ACTIVITY_KIND_KERNEL k JOIN StringIds s ON s.id = k.shortName WHERE s.value LIKE 'nccl%'
),
n AS (SELECT *, row_number() OVER (PARTITION BY dev, op, stream ORDER BY start) AS rn FROM k),
inst AS (
  SELECT op, stream, rn, min(end - start) AS transfer, sum(end - start) AS kernel, count(*) AS ranks, max(start) - min(start) AS skew
  FROM n GROUP BY op, stream, rn HAVING count(*) >= 2
),
last AS (
  SELECT DISTINCT op, stream, rn, first_value(dev) OVER (PARTITION BY op, stream, rn ORDER BY start DESC) AS last FROM n
),
d0 AS (
  SELECT n.op, n.stream, n.rn, r.start AS launch, r.globalTid AS tid FROM n
  LEFT JOIN CUPTI_ACTIVITY_KIND_RUNTIME r ON r.correlationId = n.corr AND (r.globalTid / 16777216) * 16777216 = n.pid
  WHERE n.dev = 0
)
SELECT i.op, i.stream, i.rn, i.transfer, i.kernel, i.ranks, i.skew, l.last, d0.launch, d0.tid
FROM inst i JOIN last l USING (op, stream, rn) LEFT JOIN d0 USING (op, stream, rn) ORDER BY i.op, i.stream, i.rn`;
  const rows = db.prepare(sql).raw(true).all() as unknown[][];
  db.close();
  return rows.map(([op, stream, rn, transfer, kernel, ranks, skew, last, launch0, launchTid0]) => ({
    op: op as string, stream: stream as number, rn: rn as number, transfer: transfer as number, kernel: kernel as number,
    ranks: ranks as number, skew: skew as number, last: last as number, launch0: launch0 as number | null, launchTid0: launchTid0 as number | null,
  }));
}

/** Instances whose device-0 kernel was launched inside an NVTX range named `name` on the launching thread
 *  (`last`: only each thread's last such range, i.e. not the warm-up pass). */
export function inRange(path: string, refs: RefInstance[], name: string, which: 'all' | 'last' = 'all'): RefInstance[] {
  const db = new Database(path, { readonly: true });
  let ranges = db.prepare(`SELECT n.start, n.end, n.globalTid FROM NVTX_EVENTS n LEFT JOIN StringIds s ON s.id = n.textId
    WHERE coalesce(n.text, s.value) = ? AND n.end IS NOT NULL ORDER BY n.start`).raw(true).all(name) as [number, number, number][];
  if (which === 'last') ranges = ranges.filter(([s, , t]) => !ranges.some(([s2, , t2]) => t2 === t && s2 > s));
  db.close();
  return refs.filter((r) => r.launch0 !== null && ranges.some(([s, e, t]) => t === r.launchTid0 && r.launch0! >= s && r.launch0! <= e));
}
