/**
 * Production-size inputs (issue 7), at test size: the benchmark's generator (a real export repeated in
 * time) makes valid exports in which nsys-tp finds every copy's steps with the original's numbers, and
 * per-rank files read in parallel worker threads give the numbers of the combined file. The timings at
 * gigabyte sizes are the benchmark's (npm run bench, BENCHMARKS.md), not a test's.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Analysis, loadTrace } from '../index.js';
import { diagnoseJson } from './support/cli.js';
import { tempDir } from './support/fixtures.js';
import { splitByRank } from './support/perRank.js';
import { referencePhase, referenceSteps } from './support/reference.js';
import { repeatSteps } from './support/repeatSteps.js';
import { HAVE_TRACES, samplePath, sharedTrace } from './support/traces.js';

const PHASES = ['prefill', 'decode'] as const;

/** The generated export against its source: k times the steps and the summed times, the same medians. */
function expectRepeated(src: string, copies: number) {
  const out = join(tempDir(), 'repeated.sqlite');
  const r = repeatSteps(src, out, { copies });
  expect(r.copies).toBe(copies);
  const db = new Database(out, { readonly: true });
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  // Fresh correlation ids: still one runtime call per (process, id), and one launch per GPU op.
  const dupes = db.prepare(`SELECT count(*) FROM (SELECT globalTid >> 24, correlationId FROM CUPTI_ACTIVITY_KIND_RUNTIME
    WHERE correlationId > 0 GROUP BY 1, 2 HAVING count(*) > 1)`).pluck().get();
  expect(dupes).toBe(0);
  const src0 = new Database(src, { readonly: true });
  for (const t of ['CUPTI_ACTIVITY_KIND_KERNEL', 'CUPTI_ACTIVITY_KIND_RUNTIME']) {
    const n = src0.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number;
    expect(db.prepare(`SELECT count(*) FROM ${t}`).pluck().get()).toBe(copies * n);
  }
  src0.close();
  db.close();
  const a = diagnoseJson([src]);
  const b = diagnoseJson([out]);
  expect(b.devices.length).toBe(a.devices.length);
  // A copy that starts its step names over (`prefill` again) is a new pass, and the numbers describe the
  // last pass: the original's last pass again. Copies that only continue the numbering stay one pass: all
  // copies' worth.
  const passes = (path: string) => new Analysis(loadTrace(path)).steps.passes.length;
  const described = passes(out) > passes(src) ? 1 : copies;
  a.devices.forEach((da: any, i: number) => {
    const db2 = b.devices[i];
    for (const p of PHASES) {
      expect(db2.steps[p].count, `GPU ${da.deviceId} ${p}`).toBe(copies * da.steps[p].count);
      if (!da[p]) continue;
      expect(db2.steps[p].medianNs).toBe(da.steps[p].medianNs);
      for (const [c, ns] of Object.entries(da[p].timeNs)) expect(db2[p].timeNs[c], `${p} ${c}`).toBe(described * (ns as number));
    }
  });
  return { out, json: b };
}

describe('the benchmark generator (test/support/repeatSteps.ts)', () => {
  it('repeats the tp4 eager sample three times: 3 prefill and 6 decode steps per GPU, same per-step numbers', () => {
    const { out, json } = expectRepeated(samplePath('tp4-eager.sqlite'), 3);
    expect(json.devices.map((d: any) => [d.steps.prefill.count, d.steps.decode.count])).toEqual(Array(4).fill([3, 6]));
    // The copies' steps have fresh numbers: `decode 2`, `decode 3` become `decode 6`, `decode 7`, `decode 10`, `decode 11`.
    const db = new Database(out, { readonly: true });
    const names = db.prepare("SELECT DISTINCT text FROM NVTX_EVENTS WHERE text GLOB 'decode *' ORDER BY start").pluck().all();
    db.close();
    expect(names).toEqual(['decode 2', 'decode 3', 'decode 6', 'decode 7', 'decode 10', 'decode 11']);
    // An independent SQL computation over the generated file agrees with nsys-tp on it.
    const ref = referenceSteps(out, ['prefill', 'decode [0-9]*']);
    for (const d of json.devices) {
      const r = referencePhase(ref, d.deviceId, (n) => n.startsWith('decode'));
      expect(d.steps.decode.count).toBe(r.count);
      expect(d.decode.timeNs.communication).toBe(r.timeNs.communication);
      expect(d.decode.timeNs.idle).toBe(r.timeNs.idle);
    }
  });
  it('repeats a CUDA-graph sample twice: the replayed graphs\' kernels are still found in their steps', () => {
    expectRepeated(samplePath('tp4graph-decode.sqlite'), 2);
  });
  it.skipIf(!HAVE_TRACES)('repeats the whole tp4 trace twice: 4 prefill and 36 decode steps per GPU', () => {
    const { json } = expectRepeated(sharedTrace('tp4'), 2);
    expect(json.devices.map((d: any) => [d.steps.prefill.count, d.steps.decode.count])).toEqual(Array(4).fill([4, 36]));
  });
});

describe('worker threads', () => {
  const withWorkers = (n: number, f: () => any) => {
    const before = process.env.NSYS_TP_WORKERS;
    process.env.NSYS_TP_WORKERS = String(n);
    try {
      return f();
    } finally {
      if (before === undefined) delete process.env.NSYS_TP_WORKERS;
      else process.env.NSYS_TP_WORKERS = before;
    }
  };
  const files = HAVE_TRACES ? [sharedTrace('tp4graph')] : [samplePath('tp4-eager.sqlite')];
  it('1, 3 and 8 workers (each reading a share of every table) give the same report', () => {
    const one = withWorkers(1, () => diagnoseJson(files));
    for (const n of [3, 8]) expect(withWorkers(n, () => diagnoseJson(files)), `${n} workers`).toEqual(one);
  });
  it.skipIf(!HAVE_TRACES)('several files: the same report with one worker as with four', () => {
    const ranks = splitByRank(sharedTrace('tp4'), tempDir());
    expect(withWorkers(4, () => diagnoseJson(ranks))).toEqual(withWorkers(1, () => diagnoseJson(ranks)));
  });
});

describe.skipIf(!HAVE_TRACES)('one export per rank, read in parallel', () => {
  for (const name of ['tp4', 'tp4graph']) {
    it(`${name} split per rank gives the combined file's numbers on every GPU`, () => {
      const ranks = splitByRank(sharedTrace(name), tempDir());
      expect(ranks).toHaveLength(4);
      const combined = diagnoseJson([sharedTrace(name)]);
      const split = diagnoseJson(ranks);
      expect(split.trace.paths).toEqual(ranks);
      expect(split.devices.map((d: any) => d.file)).toEqual(ranks);
      const strip = (d: any) => ({ ...d, file: undefined });
      expect(split.devices.map(strip)).toEqual(combined.devices.map(strip));
      expect(split.stepDetection).toEqual(combined.stepDetection);
      // Each rank file holds one GPU's work: ranks are not mixed up.
      expect(split.devices.map((d: any) => d.deviceId)).toEqual([0, 1, 2, 3]);
      expect(split.devices[0].decode.timeNs.gemm).toBeGreaterThan(0);
    });
  }
});
