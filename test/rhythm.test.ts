/**
 * Steps from the work itself on real captures of Hugging Face transformers without step ranges
 * (test/traces, truth measured by hand in test/traces/README.md with truth.py): the forwards found match
 * the forwards that ran (count within one), the decode median is within 5% of the measured period minus
 * the gap between forwards, layers are right (4) or unknown, whole-process captures say which pass and
 * window the numbers describe.
 */
import { describe, expect, it } from 'vitest';
import { Analysis, loadTrace } from '../index.js';
import { layerCount } from '../analyzer/layers/layerSummary.js';
import { fastSteps } from '../analyzer/steps/fastSteps.js';
import { repoTrace, samplePath } from './support/traces.js';

interface Truth {
  passes: number;
  /** Forwards with prompt tokens and decode forwards in the measured (last) pass. */
  prompt: number;
  decode: number;
  /** Median decode period minus gap, ns (README). */
  decodeNs: number;
  /** Layers per decode step the tool may report: 4, or null (unknown). */
  decodeLayers: number | null;
}

const TRUTH: Record<string, Truth> = {
  'hf-eager-range': { passes: 1, prompt: 1, decode: 15, decodeNs: 6.024e6, decodeLayers: null },
  'hf-eager-whole': { passes: 2, prompt: 1, decode: 15, decodeNs: 7.844e6, decodeLayers: null },
  'hf-static-node': { passes: 1, prompt: 1, decode: 15, decodeNs: 3.747e6, decodeLayers: 4 },
  'hf-static-whole': { passes: 3, prompt: 1, decode: 15, decodeNs: 3.412e6, decodeLayers: null },
  'hf-compile-range': { passes: 1, prompt: 1, decode: 15, decodeNs: 4.446e6, decodeLayers: 4 },
  'hf-cb-range': { passes: 1, prompt: 11, decode: 23, decodeNs: 48.132e6, decodeLayers: null },
  'hf-cbgraph-node': { passes: 1, prompt: 11, decode: 23, decodeNs: 8.573e6, decodeLayers: null },
  'hf-mp-whole': { passes: 2, prompt: 1, decode: 15, decodeNs: 7.358e6, decodeLayers: null },
};

const analyses = new Map<string, Analysis>();
const analysis = (name: string) => {
  let a = analyses.get(name);
  if (!a) analyses.set(name, (a = new Analysis(loadTrace(repoTrace(name)))));
  return a;
};

describe('steps from the rhythm of the kernels (no step ranges)', () => {
  for (const [name, t] of Object.entries(TRUTH)) {
    it(`${name}: ${t.prompt} prompt + ${t.decode} decode forwards, decode ${(t.decodeNs / 1e6).toFixed(2)} ms`, () => {
      const a = analysis(name);
      const s = a.steps;
      expect(s.source).toBe('rhythm');
      expect(s.description).toMatch(/repeating kernel sequence \(4 attention sites per step/);
      expect(s.confidence).not.toBe('low');
      expect(s.phaseSource).toBe('kernels');
      expect(s.passes.length).toBe(t.passes);
      const measured = s.steps.filter((x) => s.steady[x.index] || s.exclusion[x.index] === 'outlier');
      const count = (p: string) => measured.filter((x) => x.phase === p).length;
      // Prompt forwards are prefill (Hugging Face's varlen continuous batching shows no separate decode
      // kernel, so its prompt chunks beside decode tokens are prefill, not mixed).
      expect(Math.abs(count('prefill') + count('mixed') - t.prompt)).toBeLessThanOrEqual(1);
      expect(Math.abs(count('decode') - t.decode)).toBeLessThanOrEqual(1);
      const decode = a.phase(0, 'decode')!;
      expect(Math.abs(decode.medianNs - t.decodeNs) / t.decodeNs).toBeLessThan(0.05);
      expect(s.rhythm!.sitesPerStep).toBe(4);
      const layers = layerCount(a)(0, 'decode');
      expect(layers === null || layers === 4, `layers per step ${layers}`).toBe(true);
      if (t.decodeLayers !== null) expect(layers).toBe(t.decodeLayers);
    });
  }

  it('whole-process captures: the numbers describe the last pass, and the report says so', () => {
    for (const name of ['hf-eager-whole', 'hf-mp-whole', 'hf-static-whole']) {
      const s = analysis(name).steps;
      expect(s.measuredPass).toBe(s.passes.length - 1);
      expect(s.steps.every((x) => (x.pass === s.measuredPass) === (s.exclusion[x.index] !== 'earlier-pass'))).toBe(true);
      const w = s.warnings.find((x) => x.includes('passes: the numbers describe pass'));
      expect(w, name).toMatch(/left out as warm-up; --from \/ --to choose another window, or capture one pass with --capture-range=cudaProfilerApi/);
      expect(s.window!.start).toBeGreaterThanOrEqual(s.passes[s.measuredPass!]!.start);
    }
    // The warm-up pass of eager generate is 8x slower (a cuDNN plan per KV length): never mixed in.
    const a = analysis('hf-eager-whole');
    expect(a.phase(0, 'decode')!.outliers.filter((o) => o.reason === 'earlier-pass').length).toBe(15);
  });

  it('model build, compile and graph capture are no steps', () => {
    const s = analysis('hf-static-whole').steps;
    // The measured pass: the eager prefill and 15 decode replays with the eager work between them.
    const measured = s.byDevice[0]!.filter((x) => x.pass === s.measuredPass);
    expect(measured.map((x) => x.phase)).toEqual(['prefill', ...Array(15).fill('decode')]);
    expect(s.passes[1]!.reason).toMatch(/idled \d+ ms before it/);
    expect(s.rhythm!.outsideOps).toBeGreaterThan(0);
  });

  it('a window the user picks is analysed whole', () => {
    const model = loadTrace(repoTrace('hf-eager-whole'));
    const all = new Analysis(model);
    const second = all.steps.passes[1]!;
    const a = new Analysis(model, { steps: { from: all.steps.passes[0]!.start, to: second.end } });
    expect(a.steps.measuredPass).toBeNull();
    expect(a.steps.steps.filter((x) => x.phase === 'decode').every((x) => a.steps.exclusion[x.index] !== 'earlier-pass')).toBe(true);
  });
});

describe('who launched the GPU work', () => {
  it('hf-mp-whole: the worker process launches every op; the GPU idle in its steps is the time it waited for it', () => {
    const s = analysis('hf-mp-whole').steps;
    expect(s.launchers).toHaveLength(1);
    const w = s.launchers[0]!;
    expect(w.ops).toBe(analysis('hf-mp-whole').model.ops.n - analysis('hf-mp-whole').model.ops.launchStart.filter((x) => Number.isNaN(x)).length);
    // 15 decode steps paced by the scheduler (~4.7 ms each between forwards falls between steps, not in
    // them); inside the measured steps the GPU waits on the worker's own Python.
    const idle = a0IdleNs('hf-mp-whole');
    expect(Math.abs(w.idleBeforeNs - idle) / idle).toBeLessThan(0.01);
    expect(w.threads[0]!.idleBeforeNs).toBeCloseTo(w.idleBeforeNs, -3);
  });
});

/** GPU idle inside the steps the numbers describe, from the breakdowns. */
function a0IdleNs(name: string): number {
  const a = analysis(name);
  return a.steps.steps.filter((s) => a.steady[s.index]).reduce((n, s) => n + a.breakdowns[s.index]!.idleNs, 0);
}

describe('forced step sources say what was forced', () => {
  it('gaps on a trace without step ranges', () => {
    const a = new Analysis(loadTrace(repoTrace('hf-eager-range')), { steps: { source: 'gaps' } });
    expect(a.steps.source).toBe('gaps');
    expect(a.steps.forced).toBe(true);
    expect(a.steps.description).toMatch(/forced with --step-source gaps/);
    expect(a.steps.description).not.toMatch(/NVTX step ranges "/);
    expect(a.steps.confidence).toBe('low');
    expect(a.steps.warnings.some((w) => w.startsWith('step split unreliable'))).toBe(true);
  });
  it('graph on a trace without graphs falls back and says why', () => {
    const a = new Analysis(loadTrace(repoTrace('hf-eager-range')), { steps: { source: 'graph' } });
    expect(a.steps.source).toBe('gaps');
    expect(a.steps.warnings.join('\n')).toMatch(/--step-source graph: the trace has no CUDA graph launches/);
  });
  it('rhythm on a trace that names its steps: the NVTX ranges are named, not denied', () => {
    const a = new Analysis(loadTrace(samplePath('tp4graph-decode.sqlite')), { steps: { source: 'rhythm' } });
    expect(a.steps.source).toBe('rhythm');
    expect(a.steps.description).toMatch(/forced with --step-source rhythm; the trace has NVTX step ranges "decode N"/);
    // Three decode replays per GPU, each cut where the rhythm says, as the NVTX ranges do.
    expect(a.steps.byDevice.map((l) => l.length)).toEqual([3, 3, 3, 3]);
    const g = new Analysis(loadTrace(samplePath('tp4graph-decode.sqlite')), { steps: { source: 'gaps' } });
    expect(g.steps.description).toMatch(/forced with --step-source gaps; the trace has NVTX step ranges "decode N"/);
  });
});

describe('a few fast steps among slow ones are a finding', () => {
  it('mp-whole warm-up has none in the measured pass; eager tp4-like plans show as idle', () => {
    // In these captures every measured decode step reuses its plans: nothing fast stands out.
    expect(fastSteps(analysis('hf-eager-whole'))).toEqual([]);
  });
});
