/**
 * An independent computation of the docs/architecture.md §3 step metrics in plain SQL, to check the tool against.
 * It shares no code with nsys-tp: its own join (runtime call on the range's thread, correlationId and
 * process), its own kernel classes (a CASE over the names these traces contain), interval unions by
 * the gaps-and-islands method in window functions.
 */
import Database from 'better-sqlite3';

export interface RefStep {
  rangeId: number;
  name: string;
  deviceId: number;
  spanNs: number;
  /** First op start on the device. */
  startNs: number;
  /** Union length per class, plus 'all', 'compute' and 'commOrCompute'. */
  ns: Record<string, number>;
}

const CLASS_CASE = `CASE
  WHEN name LIKE 'nccl%' THEN 'communication'
  WHEN name LIKE 'nvjet%' OR name LIKE 'splitKreduce%' OR name LIKE '%gemm%' THEN 'gemm'
  WHEN name LIKE 'cudnn%sdpa%' OR name = 'lean_reduction_kernel' OR name LIKE 'flash%' THEN 'attention'
  WHEN name LIKE '%layer_norm%' THEN 'norm'
  WHEN name LIKE '%elementwise%' THEN 'elementwise'
  WHEN name LIKE 'CatArrayBatchedCopy%' OR name LIKE '[%' THEN 'memory'
  ELSE 'other' END`;

/** Steps = NVTX ranges whose text matches the GLOB patterns (e.g. 'prefill', 'decode [0-9]*'). */
export function referenceSteps(path: string, globs: string[]): RefStep[] {
  const db = new Database(path, { readonly: true });
  const hasMemset = !!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'CUPTI_ACTIVITY_KIND_MEMSET'").get();
  const hasMemcpy = !!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'CUPTI_ACTIVITY_KIND_MEMCPY'").get();
  const hasGraph = !!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'CUPTI_ACTIVITY_KIND_GRAPH_TRACE'").get();
  const sql = `
WITH ranges AS (
  SELECT n.rowid AS rid, n.start AS rs, n.end AS re, n.globalTid AS tid, coalesce(n.text, s.value) AS name
  FROM NVTX_EVENTS n LEFT JOIN StringIds s ON s.id = n.textId
  WHERE n.eventType IN (59, 60) AND n.end IS NOT NULL AND (${globs.map(() => 'coalesce(n.text, s.value) GLOB ?').join(' OR ')})
),
gpu AS (
  SELECT k.start, k.end, k.deviceId, k.correlationId, k.globalPid, s.value AS name
    FROM CUPTI_ACTIVITY_KIND_KERNEL k JOIN StringIds s ON s.id = k.shortName
  ${hasMemcpy ? "UNION ALL SELECT start, end, deviceId, correlationId, globalPid, '[memcpy]' FROM CUPTI_ACTIVITY_KIND_MEMCPY" : ''}
  ${hasMemset ? "UNION ALL SELECT start, end, deviceId, correlationId, globalPid, '[memset]' FROM CUPTI_ACTIVITY_KIND_MEMSET" : ''}
  ${hasGraph ? "UNION ALL SELECT start, end, deviceId, correlationId, globalPid, 'graph' FROM CUPTI_ACTIVITY_KIND_GRAPH_TRACE" : ''}
),
step_ops AS (
  SELECT r.rid, r.name AS step, g.deviceId AS dev, g.start, g.end, ${CLASS_CASE.replace(/name/g, 'g.name')} AS cls
  FROM ranges r
  JOIN CUPTI_ACTIVITY_KIND_RUNTIME rt ON rt.globalTid = r.tid AND rt.start >= r.rs AND rt.start <= r.re
  JOIN gpu g ON g.correlationId = rt.correlationId AND g.globalPid = (rt.globalTid / 16777216) * 16777216
),
labelled AS (
  SELECT rid, step, dev, start, end, cls FROM step_ops
  UNION ALL SELECT rid, step, dev, start, end, 'all' FROM step_ops
  UNION ALL SELECT rid, step, dev, start, end, 'compute' FROM step_ops WHERE cls NOT IN ('communication', 'memory')
  UNION ALL SELECT rid, step, dev, start, end, 'commOrCompute' FROM step_ops WHERE cls != 'memory'
),
marked AS (
  SELECT *, max(end) OVER (PARTITION BY rid, dev, cls ORDER BY start, end ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
  FROM labelled
),
islands AS (
  SELECT *, sum(CASE WHEN prev_end IS NULL OR start > prev_end THEN 1 ELSE 0 END)
    OVER (PARTITION BY rid, dev, cls ORDER BY start, end ROWS UNBOUNDED PRECEDING) AS g
  FROM marked
),
unions AS (
  SELECT rid, step, dev, cls, sum(e - s) AS ns FROM (
    SELECT rid, step, dev, cls, g, min(start) AS s, max(end) AS e FROM islands GROUP BY rid, step, dev, cls, g
  ) GROUP BY rid, step, dev, cls
),
spans AS (SELECT rid, dev, max(end) - min(start) AS span, min(start) AS st FROM step_ops GROUP BY rid, dev)
SELECT u.rid, u.step, u.dev, sp.span, u.cls, u.ns, sp.st FROM unions u JOIN spans sp ON sp.rid = u.rid AND sp.dev = u.dev
ORDER BY u.dev, u.rid`;
  const rows = db.prepare(sql).raw(true).all(...globs) as [number, string, number, number, string, number, number][];
  db.close();
  const steps = new Map<string, RefStep>();
  for (const [rid, name, dev, span, cls, ns, st] of rows) {
    const key = `${rid}:${dev}`;
    let s = steps.get(key);
    if (!s) steps.set(key, (s = { rangeId: rid, name, deviceId: dev, spanNs: span, startNs: st, ns: {} }));
    s.ns[cls] = ns;
  }
  return [...steps.values()];
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The per-phase numbers of the JSON contract (docs/architecture.md §6) for one device, from reference steps. */
export function referencePhase(steps: RefStep[], deviceId: number, isPhase: (name: string) => boolean) {
  const all = steps.filter((s) => s.deviceId === deviceId && isPhase(s.name));
  // The measured pass: from the device's last `prefill` range on (these traces run a warm-up pass, then
  // the measured one); in it, steps more than 3x the lower median span are outliers (fast ones stay).
  const prefills = steps.filter((s) => s.deviceId === deviceId && s.name === 'prefill').map((s) => s.startNs);
  const from = prefills.length ? Math.max(...prefills) : -Infinity;
  const pass = all.filter((s) => s.startNs >= from);
  const sorted = pass.map((s) => s.spanNs).sort((a, b) => a - b);
  const typical = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const mine = pass.filter((s) => s.spanNs <= 3 * typical);
  const get = (s: RefStep, k: string) => s.ns[k] ?? 0;
  const sum = (k: string) => mine.reduce((a, s) => a + get(s, k), 0);
  const exposed = (s: RefStep) => get(s, 'commOrCompute') - get(s, 'compute');
  const withComm = mine.filter((s) => get(s, 'communication') > 0);
  const spanSum = mine.reduce((a, s) => a + s.spanNs, 0);
  const commSum = sum('communication');
  return {
    count: all.length,
    steadyCount: mine.length,
    medianNs: median(mine.map((s) => s.spanNs)),
    timeNs: Object.fromEntries(
      ['gemm', 'attention', 'communication', 'norm', 'elementwise', 'memory', 'moe', 'other'].map((c) => [c, sum(c)]).concat([['idle', mine.reduce((a, s) => a + s.spanNs - get(s, 'all'), 0)]]),
    ) as Record<string, number>,
    // Shares of the summed spans (time-weighted means over the steady steps), as docs/architecture.md §3 defines them.
    commShare: sum('communication') / spanSum,
    exposedCommShare: mine.reduce((a, s) => a + exposed(s), 0) / spanSum,
    idleShare: mine.reduce((a, s) => a + s.spanNs - get(s, 'all'), 0) / spanSum,
    overlap: commSum > 0 ? (commSum - withComm.reduce((a, s) => a + exposed(s), 0)) / commSum : 0,
  };
}
