/**
 * What every diagnose JSON report must satisfy whatever the trace held: the time of each phase adds up
 * (busy + idle = span, overlap + exposed = comm, no class longer than the busy time), every share is a
 * share, and no rule crashed (a rule that throws becomes an error finding).
 */
const CLASSES = ['gemm', 'attention', 'communication', 'norm', 'elementwise', 'memory', 'moe', 'other'];

export function reportProblems(j: any): string[] {
  const out: string[] = [];
  const bad = (what: string) => out.push(what);
  for (const f of j.findings ?? []) if (/failed on this trace/.test(f.message)) bad(`rule crashed: ${f.message}`);
  for (const d of j.devices ?? []) {
    for (const phase of ['prefill', 'mixed', 'decode', 'step']) {
      const p = d[phase];
      if (!p) continue;
      const at = `${d.label} ${phase}`;
      const t = p.timeNs;
      for (const c of [...CLASSES, 'idle']) {
        if (!(Number.isFinite(t[c]) && t[c] >= 0)) bad(`${at}: ${c} time ${t[c]}`);
      }
      for (const c of CLASSES) if (t[c] > p.busyNs + 1e-6) bad(`${at}: ${c} ${t[c]} ns exceeds busy ${p.busyNs} ns`);
      if (Math.abs(p.busyNs + t.idle - p.spanNs) > 1e-3 * Math.max(1, p.spanNs)) bad(`${at}: busy ${p.busyNs} + idle ${t.idle} != span ${p.spanNs}`);
      if (Math.abs(p.overlapNs + p.exposedCommNs - p.commNs) > 1e-6 * Math.max(1, p.commNs)) bad(`${at}: overlap + exposed != comm`);
      for (const k of ['commShare', 'overlap', 'exposedCommShare', 'idleShare']) {
        if (p[k] !== null && !(p[k] >= 0 && p[k] <= 1 + 1e-9)) bad(`${at}: ${k} = ${p[k]}`);
      }
    }
  }
  return out;
}
