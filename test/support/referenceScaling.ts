/**
 * An independent computation of the `scaling` numbers in plain SQL, to check the tool against. It shares
 * no code with nsys-tp: step ranges are the NVTX `prefill` / `decode N` ranges, projected onto each GPU
 * through the runtime calls made inside them (same thread, correlationId and process); TP is the number
 * of GPUs running all-reduce kernels; the steady rule (the measured pass, from the last prefill on, less steps over 3× its GPU's lower-median step)
 * and the replica step (the k-th step on every GPU, earliest start to latest end) are redone here from
 * their definitions, and comm share comes from reference.ts's interval unions.
 */
import Database from 'better-sqlite3';
import { median, referenceSteps } from './reference.js';

export interface RefScalingPhase {
  steps: number;
  stepNs: number;
  commShare: number;
}

export interface RefScaling {
  tp: number;
  decode: RefScalingPhase;
  prefill: RefScalingPhase | null;
}

interface DeviceStep {
  rid: number;
  name: string;
  dev: number;
  start: number;
  end: number;
}

const SQL = `
WITH ranges AS (
  SELECT n.rowid AS rid, n.start AS rs, n.end AS re, n.globalTid AS tid, coalesce(n.text, s.value) AS name
  FROM NVTX_EVENTS n LEFT JOIN StringIds s ON s.id = n.textId
  WHERE n.eventType IN (59, 60) AND n.end IS NOT NULL
    AND (coalesce(n.text, s.value) = 'prefill' OR coalesce(n.text, s.value) GLOB 'decode [0-9]*')
),
gpu AS (
  SELECT start, end, deviceId, correlationId, globalPid FROM CUPTI_ACTIVITY_KIND_KERNEL
  UNION ALL SELECT start, end, deviceId, correlationId, globalPid FROM CUPTI_ACTIVITY_KIND_MEMCPY
  UNION ALL SELECT start, end, deviceId, correlationId, globalPid FROM CUPTI_ACTIVITY_KIND_MEMSET
)
SELECT r.rid, r.name, g.deviceId AS dev, min(g.start) AS start, max(g.end) AS end
FROM ranges r
JOIN CUPTI_ACTIVITY_KIND_RUNTIME rt ON rt.globalTid = r.tid AND rt.start >= r.rs AND rt.start <= r.re
JOIN gpu g ON g.correlationId = rt.correlationId AND g.globalPid = (rt.globalTid / 16777216) * 16777216
GROUP BY r.rid, g.deviceId
ORDER BY g.deviceId, min(g.start)`;

const lowerMedian = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const phaseOf = (name: string) => (name === 'prefill' ? 'prefill' : 'decode');

export function referenceScaling(path: string): RefScaling {
  const db = new Database(path, { readonly: true });
  const has = (t: string) => !!db.prepare('SELECT 1 FROM sqlite_master WHERE name = ?').get(t);
  const sql = has('CUPTI_ACTIVITY_KIND_MEMSET') ? SQL : SQL.replace(/\n\s+UNION ALL SELECT [^\n]*MEMSET/, '');
  const steps = db.prepare(sql).all() as DeviceStep[];
  const tp = (db.prepare(
    `SELECT count(DISTINCT k.deviceId) FROM CUPTI_ACTIVITY_KIND_KERNEL k JOIN StringIds s ON s.id = k.shortName WHERE s.value LIKE 'ncclDevKernel_AllReduce%'`,
  ).pluck().get() as number) || 1;
  db.close();
  const devs = [...new Set(steps.map((s) => s.dev))];
  const perDev = devs.map((d) => steps.filter((s) => s.dev === d));
  // Steady: the measured pass (from the device's last prefill on), less steps over 3x the lower median.
  const steady = new Set<DeviceStep>();
  for (const list of perDev) {
    const prefills = list.filter((s) => s.name === 'prefill').map((s) => s.start);
    const from = prefills.length ? Math.max(...prefills) : -Infinity;
    for (const phase of ['prefill', 'decode']) {
      const mine = list.filter((s) => phaseOf(s.name) === phase && s.start >= from);
      if (mine.length === 0) continue;
      const typical = lowerMedian(mine.map((s) => s.end - s.start));
      for (const s of mine) if (s.end - s.start <= 3 * typical) steady.add(s);
    }
  }
  const comm = referenceSteps(path, ['prefill', 'decode [0-9]*']);
  const phase = (p: string): RefScalingPhase | null => {
    const spans: number[] = [];
    for (let k = 0; k < perDev[0]!.length; k++) {
      const group = perDev.map((l) => l[k]!);
      if (phaseOf(group[0]!.name) !== p || !group.every((s) => steady.has(s))) continue;
      spans.push(Math.max(...group.map((s) => s.end)) - Math.min(...group.map((s) => s.start)));
    }
    if (spans.length === 0) return null;
    // Comm share of the typical GPU's mean step: each GPU's mean comm time and mean span over its steady
    // steps, averaged over the GPUs, then divided (docs/architecture.md §3).
    const mine = comm.filter((c) => phaseOf(c.name) === p && steady.has(steps.find((s) => s.rid === c.rangeId && s.dev === c.deviceId)!));
    const gpus = [...new Set(mine.map((c) => c.deviceId))];
    const meanOf = (f: (c: (typeof mine)[number]) => number) =>
      gpus.reduce((x, d) => { const ds = mine.filter((c) => c.deviceId === d); return x + ds.reduce((y, c) => y + f(c), 0) / ds.length; }, 0) / gpus.length;
    const commShare = meanOf((c) => c.ns.communication ?? 0) / meanOf((c) => c.spanNs);
    return { steps: spans.length, stepNs: median(spans), commShare };
  };
  return { tp, decode: phase('decode')!, prefill: phase('prefill') };
}
