/**
 * Issue 22, each item on the trace it was seen on: no ERROR without evidence, superseded is not resolved,
 * the late rank from the work and named alike everywhere, the same file twice refused, impossible numbers
 * said, kernels' class totals equal diagnose's, copy-bound steps, severity from cost, and words that agree
 * with their numbers. Truth from the workload (tpmodel --straggle 4 on GPU 3, NCCL_P2P_DISABLE=1) or from
 * plain SQL on the trace.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cli, diagnoseJsonIn } from './support/cli.js';
import { HAVE_TRACES, REPO, repoTrace, samplePath, sharedTrace } from './support/traces.js';
import { tiedTop } from '../analyzer/util/tiedTop.js';
import { impossibleNumbers } from '../analyzer/results/impossible.js';
import { findingsDiff } from '../analyzer/across/compare/findingsDiff.js';

const W8 = ['--model', `${REPO}/samples/llama-70b-8layers.config.json`, '--batch', '8', '--prompt', '512'];
const json = async (cmd: string, args: string[]) => {
  const r = await cli([cmd, '--format', 'json', ...args]);
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
};

describe('item 1: low-bus-bandwidth needs measured sizes for an ERROR', () => {
  it('tp4tree-decode: NCCL_ALGO=Tree is no fabric guess; nccl-algorithm-override is the finding, with and without sizes', async () => {
    for (const args of [[], W8]) {
      const j = await diagnoseJsonIn([samplePath('tp4tree-decode.sqlite'), ...args]);
      const rules = j.findings.map((f: any) => f.rule);
      expect(rules).not.toContain('low-bus-bandwidth');
      expect(rules).toContain('nccl-algorithm-override');
    }
  });
});

describe.skipIf(!HAVE_TRACES)('item 2: compare says superseded, not resolved', () => {
  it('tp4 → tp4nop2p with sizes: comm-serialized (prefill) is superseded by low-bus-bandwidth in the new trace', async () => {
    const j = await json('compare', [sharedTrace('tp4'), sharedTrace('tp4nop2p'), ...W8]);
    expect(j.findings.resolved.map((f: any) => f.rule)).not.toContain('comm-serialized');
    expect(j.findings.superseded).toEqual([expect.objectContaining({ rule: 'comm-serialized', phase: 'prefill', by: 'low-bus-bandwidth', in: 'new' })]);
    expect(j.verdict.why.join('\n')).toMatch(/in the new trace comm-serialized \(prefill\) is superseded by low-bus-bandwidth, which explains it \(not resolved\)/);
    expect(j.findings.added.map((f: any) => [f.rule, f.severity])).toContainEqual(['low-bus-bandwidth', 'error']);
  });
  it('tp4 → tp4nop2p without sizes: comm-serialized persists and comm-dominant-step is added (measured: transfer 75% of prefill)', async () => {
    const j = await json('compare', [sharedTrace('tp4'), sharedTrace('tp4nop2p')]);
    expect(j.findings.persisting.map((f: any) => f.rule)).toContain('comm-serialized');
    expect(j.findings.added.map((f: any) => [f.rule, f.severity]).sort()).toEqual([['comm-dominant-step', 'warning'], ['low-bus-bandwidth', 'info']]);
    expect(j.findings.resolved).toEqual([]);
  });
  it('findingsDiff: superseded on either side is never added or resolved', () => {
    const f = (rule: string) => ({ rule, severity: 'warning' as const, phase: 'prefill', deviceId: null, message: 'm', recommendation: 'r' });
    const d = findingsDiff([f('comm-serialized')], [], { base: new Set(['prefill']), new: new Set(['prefill']) }, { base: [], new: [{ ...f('comm-serialized'), supersededBy: 'low-bus-bandwidth' }] });
    expect(d.resolved).toEqual([]);
    expect(d.superseded.map((x) => [x.rule, x.by, x.in])).toEqual([['comm-serialized', 'low-bus-bandwidth', 'new']]);
    const back = findingsDiff([], [f('comm-serialized')], { base: new Set(['prefill']), new: new Set(['prefill']) }, { base: [{ ...f('comm-serialized'), supersededBy: 'low-bus-bandwidth' }], new: [] });
    expect(back.added).toEqual([]);
    expect(back.superseded.map((x) => x.in)).toEqual(['base']);
  });
});

describe('item 3 and 12: one late rank, from the work, named alike everywhere; ties stated', () => {
  // Truth: tpmodel --straggle 4 gives GPU 3 four extra matmuls per layer; SQL: its GEMM time per decode step.
  it('tp4straggle: GPU 3 computes several times the others per decode step (SQL), and every place names GPU 3', async () => {
    const db = new Database(samplePath('tp4straggle.sqlite'), { readonly: true });
    const rows = db.prepare(`
      SELECT k.deviceId AS d, SUM(k.end - k.start) AS ns FROM CUPTI_ACTIVITY_KIND_KERNEL k JOIN StringIds s ON s.id = k.shortName
      WHERE s.value LIKE 'nvjet%' AND k.start >= (SELECT MIN(start) FROM NVTX_EVENTS WHERE text LIKE 'decode%')
      GROUP BY k.deviceId ORDER BY k.deviceId`).all() as { d: number; ns: number }[];
    db.close();
    const others = rows.filter((r) => r.d !== 3).map((r) => r.ns);
    expect(rows.find((r) => r.d === 3)!.ns).toBeGreaterThan(3 * Math.max(...others));

    const j = await diagnoseJsonIn([samplePath('tp4straggle.sqlite'), ...W8]);
    const decode = (rule: string) => j.findings.find((f: any) => f.rule === rule && f.evidence.phase === 'decode');
    expect(decode('straggler-rank').evidence.deviceIds).toEqual([3]);
    expect(decode('straggler-rank').evidence.heavyWork.deviceId).toBe(3);
    expect(decode('straggler-rank').message).toMatch(/its GPU computes .* per step against .* on the other ranks \(median\), \d+\.\d×/);
    expect(decode('collective-wait').evidence.lateDeviceIds).toEqual([3]);
    expect(decode('collective-wait').message).toMatch(/GPU 3 is last in \d+ of 32/);
    const k = j.collectives.sizeClasses.find((c: any) => c.phase === 'decode');
    expect(Object.entries(k.lastArriver).sort((a: any, b: any) => b[1] - a[1])[0]![0]).toBe('3');
    for (const r of j.stepRows.filter((s: any) => s.phase === 'decode' && s.steady)) expect(r.lateRank.deviceId).toBe(3);
  });
  it('tiedTop keeps every key tied at the top, never settles by order', () => {
    expect(tiedTop([[3, 8], [0, 8], [1, 2]])).toEqual({ keys: [0, 3], count: 8 });
    expect(tiedTop([[2, 1]])).toEqual({ keys: [2], count: 1 });
    expect(tiedTop([[0, 0]])).toBeNull();
  });
});

describe('item 4: the same file twice is refused; impossible numbers are said', () => {
  const dir = join(REPO, '.cache/test-same');
  mkdirSync(dir, { recursive: true });
  it('same path, another spelling of it, and a byte copy: exit 2, one line', async () => {
    const p = samplePath('tp2graph-blobs-prefill.sqlite');
    const copy = join(dir, 'copy.sqlite');
    copyFileSync(p, copy);
    for (const pair of [[p, p], [p, join(REPO, 'samples/../samples/tp2graph-blobs-prefill.sqlite')], [p, copy]]) {
      const r = await cli(['diagnose', ...pair]);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/the same (file given|capture) twice/);
    }
  });
  it('busBW above the fabric, a share above the whole, negative idle: each said as a sign of a wrong input or a bug', () => {
    const a: any = {
      collectiveSummary: { gpu: { name: 'H100 SXM 80GB', nvlinkGBps: 900 }, classes: [{ phase: 'prefill', op: 'all-reduce', busGBps: 1200 }, { phase: 'decode', op: 'all-reduce', busGBps: 300 }] },
      model: { devices: [{ index: 0, label: 'GPU 0' }] },
      phases: [{ device: 0, phase: 'decode', steadyCount: 2, commShare: 1.2, exposedCommShare: 0.5, idleShare: 0.1, overlap: 0, timeNs: { idle: -5e6 } }],
    };
    const out = impossibleNumbers(a);
    expect(out).toHaveLength(3);
    expect(out[0]).toMatch(/prefill all-reduce busBW 1200 GB\/s is above the 900 GB\/s/);
    expect(out[1]).toMatch(/GPU 0 decode communication share 120\.0%/);
    expect(out[2]).toMatch(/idle -5\.00 ms \(negative\)/);
    for (const x of out) expect(x).toMatch(/a sign of a wrong input .* or a bug in nsys-tp/);
  });
  it('a sound trace has none', async () => {
    const j = await diagnoseJsonIn([samplePath('tp2graph-blobs-prefill.sqlite')]);
    expect(j.warnings.filter((w: string) => w.startsWith('impossible number'))).toEqual([]);
  });
});

describe('item 5 and 9: kernels and diagnose agree on class totals; the heading counts steps as the user does', () => {
  it('hf-eager-range prefill: every class total of kernels is diagnose\'s class time', async () => {
    const t = repoTrace('hf-eager-range');
    const d = await diagnoseJsonIn([t]);
    const k = await json('kernels', [t]);
    for (const phase of ['prefill', 'decode']) {
      const kp = k.phases.find((p: any) => p.phase === phase);
      const dev = d.devices[0][phase];
      for (const c of kp.byClass) expect(c.nsPerStep / 1e6).toBeCloseTo(dev.perStepNs[c.class] / 1e6, 2);
      // vectorized_elementwise_kernel instances the classifier puts in two classes are two rows.
      const rows = kp.top.filter((r: any) => r.name === 'vectorized_elementwise_kernel').map((r: any) => r.class).sort();
      if (phase === 'prefill') expect(rows).toEqual(['elementwise', 'memory']);
    }
  });
  it('tp4-eager: "1 steady step × 4 GPUs"; hf-eager-range: "1 steady step"', async () => {
    expect((await cli(['kernels', samplePath('tp4-eager.sqlite')])).stdout).toMatch(/over 1 steady step × 4 GPUs/);
    expect((await cli(['kernels', samplePath('tp4-eager.sqlite')])).stdout).toMatch(/over 2 steady steps × 4 GPUs/);
    expect((await cli(['kernels', repoTrace('hf-eager-range')])).stdout).toMatch(/PREFILL · \d+ kernel, copy and graph names over 1 steady step ·/);
  });
});

describe.skipIf(!HAVE_TRACES)('item 6: copy-bound', () => {
  it('nsys-ai-h100_2gpu_1s: host-to-device copies are most of the step (SQL: their summed time over the step span)', async () => {
    const t = sharedTrace('external/nsys-ai-h100_2gpu_1s');
    const j = await diagnoseJsonIn([t]);
    const f = j.findings.find((x: any) => x.rule === 'copy-bound');
    expect(f.severity).toBe('warning');
    expect(f.evidence.direction).toBe('HtoD');
    const db = new Database(t, { readonly: true });
    const { d, ns } = db.prepare('SELECT deviceId AS d, SUM(end - start) AS ns FROM CUPTI_ACTIVITY_KIND_MEMCPY WHERE copyKind = 1 GROUP BY deviceId ORDER BY deviceId LIMIT 1').get() as { d: number; ns: number };
    db.close();
    // One step per GPU here, holding nearly all of the capture: that GPU's host-to-device copies.
    const dev = f.evidence.devices.find((x: any) => x.deviceId === d);
    expect(dev.copyNsPerStep).toBeLessThanOrEqual(ns);
    expect(dev.copyNsPerStep / ns).toBeGreaterThan(0.95);
    expect(f.evidence.share).toBeGreaterThan(0.9);
  });
});

describe('item 7: severity and order from measured cost', () => {
  it('fp8-block-misaligned on a BF16 trace is info and says it applies if you quantise', async () => {
    const j = await diagnoseJsonIn([samplePath('tp4-eager.sqlite'), '--model', 'qwen-2.5-72b', '--batch', '8', '--prompt', '512']);
    const f = j.findings.find((x: any) => x.rule === 'fp8-block-misaligned');
    expect(f.severity).toBe('info');
    expect(f.message).toMatch(/The trace runs no FP8 GEMM: this applies if you quantise to FP8\./);
    // plan, with no trace to say otherwise, keeps the warning.
    expect((await json('plan', ['--model', 'qwen-2.5-72b'])).findings.find((x: any) => x.rule === 'fp8-block-misaligned').severity).toBe('warning');
  });
  it('sync-in-step below 1% of the step is info (hf-cb-range), above it a warning (hf-eager-range decode 2.2%)', async () => {
    const cb = (await diagnoseJsonIn([repoTrace('hf-cb-range')])).findings.filter((f: any) => f.rule === 'sync-in-step');
    expect(cb.length).toBeGreaterThan(0);
    for (const f of cb) expect([f.severity, f.costShare < 0.01]).toEqual(['info', true]);
    const eager = (await diagnoseJsonIn([repoTrace('hf-eager-range')])).findings.find((f: any) => f.rule === 'sync-in-step' && f.evidence.phase === 'decode');
    expect([eager.severity, eager.costShare >= 0.01]).toEqual(['warning', true]);
  });
});

describe('items 8, 10, 11, 13: words agree with the numbers', () => {
  it('attach md: the shares sit beside the mean GPU step they are parts of', async () => {
    const dir = join(REPO, '.cache/test-attach22');
    mkdirSync(dir, { recursive: true });
    const md = join(dir, 'bench.md');
    writeFileSync(md, '# bench\n');
    const r = await cli(['attach', md, samplePath('tp4-eager.sqlite'), '--format', 'md']);
    expect(r.status).toBe(0);
    const text = readFileSync(md, 'utf8');
    expect(text).toMatch(/\| phase \| steady steps \| median step \(ms\) \| p10–p90 \(ms\) \| mean GPU step \(ms\) \| comm \| exposed comm \| idle \|/);
    expect(text).toMatch(/shares of the mean GPU step beside them/);
  });
  it('README lists every command', async () => {
    const help = (await cli(['--help'])).stdout;
    const cmds = [...help.slice(help.indexOf('Commands:')).matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    expect(cmds).toContain('render');
    for (const c of cmds) expect(readme, c).toContain(`| \`nsys-tp ${c}`);
  });
});

describe.skipIf(!HAVE_TRACES)('items 10, 11 on the shared traces', () => {
  it('layers tp4graph: each way of finding layers names its phase', async () => {
    const out = (await cli(['layers', sharedTrace('tp4graph')])).stdout;
    expect(out).toMatch(/^Prefill: layers from NVTX ranges/m);
    expect(out).toMatch(/^Decode: layers from the TP pattern/m);
  });
  it('compare: a collective of unknown size on one side is one row; different step selections are said', async () => {
    const dir = join(REPO, '.cache/test-compare22');
    mkdirSync(dir, { recursive: true });
    const saved = join(dir, 'tp4-decode.json');
    const r = await cli(['diagnose', sharedTrace('tp4'), '--steps', '^decode', '--format', 'json', '-o', saved]);
    expect(r.status).toBe(0);
    const j = await json('compare', [saved, sharedTrace('tp4'), ...W8]);
    const decode = j.collectives.filter((c: any) => c.phase === 'decode' && c.op === 'all-reduce');
    expect(decode).toHaveLength(1);
    expect(decode[0].bytes).toBe(128 * 1024);
    expect(decode[0].base).not.toBeNull();
    expect(j.warnings.join('\n')).toMatch(/steps were selected differently .*prefill only in one trace may come from the selection/);
  });
});
