/** The diagnose, classify and slice commands as a user runs them. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { diagnoseJson, runCli } from './support/cli.js';
import { tempDir } from './support/fixtures.js';
import { HAVE_TRACES, samplePath, sharedTrace } from './support/traces.js';

const SAMPLE = samplePath('tp4graph-decode.sqlite');

describe('diagnose output formats', () => {
  it('JSON keeps the contract of docs/architecture.md §6', () => {
    const j = diagnoseJson([SAMPLE]);
    expect(j.schemaVersion).toBe(1);
    expect(Object.keys(j.trace)).toEqual(expect.arrayContaining(['path', 'nsysVersion', 'exportSchema', 'gpus']));
    expect(j.trace.nsysVersion).toBe('2025.3.2.0');
    expect(j.trace.exportSchema).toBe('3.20.3');
    expect(j.trace.gpus).toHaveLength(4);
    expect(j.trace.gpus[0]).toMatchObject({ deviceId: 0, name: 'NVIDIA H100 80GB HBM3' });
    for (const d of j.devices) {
      expect(Object.keys(d.steps.decode)).toEqual(expect.arrayContaining(['count', 'medianNs']));
      expect(Object.keys(d.steps.prefill)).toEqual(expect.arrayContaining(['count', 'medianNs']));
      expect(Object.keys(d.decode.timeNs).sort()).toEqual(['attention', 'communication', 'elementwise', 'gemm', 'idle', 'memory', 'moe', 'norm', 'other']);
      for (const k of ['commShare', 'overlap', 'exposedCommShare', 'idleShare', 'layers']) expect(d.decode).toHaveProperty(k);
    }
    expect(Object.keys(j.collectives)).toEqual(expect.arrayContaining(['count', 'transferNs', 'waitNs', 'lastArriver']));
    expect(Array.isArray(j.findings)).toBe(true);
  });
  it('the terminal report fits 100 columns and names every GPU', () => {
    const r = runCli(['diagnose', SAMPLE]);
    expect(r.status).toBe(0);
    for (const line of r.stdout.split('\n')) expect([...line].length).toBeLessThanOrEqual(100);
    for (const g of ['GPU 0', 'GPU 1', 'GPU 2', 'GPU 3']) expect(r.stdout).toContain(g);
    expect(r.stdout).toMatch(/DECODE · 3 steps per GPU, 3 steady · step time 1\.8\d ms \(median of 3 steady steps/);
    expect(r.stdout).toMatch(/communication\s+0\.\d\d \d+(\.\d)?%/);
  });
  it('Markdown has a table per phase', () => {
    const r = runCli(['diagnose', SAMPLE, '--format', 'md']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^# nsys-tp 0\.1\.0 diagnose · /);
    expect(r.stdout).toMatch(/## Decode\n\n3 steps per GPU, 3 steady · step time 1\.8\d ms/);
    expect(r.stdout).toMatch(/\*\*Where the time goes: ms per steady step \(mean\) and % of the step\*\*\n\n\| +\| GPU 0 \| GPU 1 \| GPU 2 \| GPU 3 \|/);
    expect(r.stdout).toMatch(/\| · transfer \| 0\.\d\d \d+(\.\d)?% \|/);
  });
  it('-o writes the report to a file and prints nothing', () => {
    const out = join(tempDir(), 'report.json');
    const r = runCli(['diagnose', SAMPLE, '--format', 'json', '-o', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(JSON.parse(readFileSync(out, 'utf8')).schemaVersion).toBe(1);
  });
  it.skipIf(!HAVE_TRACES)('eight GPUs would still fit: tp4 at 100 columns', () => {
    const r = runCli(['diagnose', sharedTrace('tp4')]);
    for (const line of r.stdout.split('\n')) expect([...line].length).toBeLessThanOrEqual(100);
  });
});

describe('classify', () => {
  it('prints class<TAB>name for each line of stdin', () => {
    const r = runCli(['classify'], { input: 'ncclDevKernel_AllReduce_Sum_bf16_RING_LL\nnvjet_sm90_tst_64x8_64x16_2x1_v_bz_NNT\n\nsplitKreduce_kernel\n' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('communication:all-reduce\tncclDevKernel_AllReduce_Sum_bf16_RING_LL\ngemm\tnvjet_sm90_tst_64x8_64x16_2x1_v_bz_NNT\ngemm\tsplitKreduce_kernel\n');
  });
  it('a config file extends the table', () => {
    const dir = tempDir();
    const cfg = join(dir, 'cfg.json');
    writeFileSync(cfg, JSON.stringify({ kernelClasses: [{ class: 'moe', pattern: '^my_router' }] }));
    const r = runCli(['classify', '--config', cfg], { input: 'my_router_kernel\n' });
    expect(r.stdout).toBe('moe\tmy_router_kernel\n');
  });
});

describe('slice', () => {
  it('writes a small valid export of the chosen steps that nsys-tp reads back', () => {
    const out = join(tempDir(), 'slice.sqlite');
    const r = runCli(['slice', SAMPLE, '--steps', '^decode 4$', '-o', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
    const db = new Database(out, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    const j = diagnoseJson([out]);
    expect(j.devices.map((d: any) => d.steps.decode.count)).toEqual([1, 1, 1, 1]);
    const full = diagnoseJson([SAMPLE]);
    // The sliced step is the same step: the sample's decode 4 median equals the slice's only step.
    expect(j.devices[0].decode.timeNs.gemm).toBeGreaterThan(0);
    expect(j.devices[0].steps.decode.medianNs).toBeLessThanOrEqual(full.devices[0].steps.decode.maxNs);
  });
  it('refuses to overwrite its input', () => {
    const r = runCli(['slice', SAMPLE, '--steps', 'decode', '-o', SAMPLE]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/refusing to overwrite/);
  });
});
