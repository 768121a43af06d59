/**
 * The stages of findSteps' finish (analyzer/steps/findSteps.ts), each on its own: hand-built steps and
 * models for the rules, and real captures (test/traces, truth measured by truth.py and SQL, README) for the
 * stages that read a whole trace: hf-eager-whole runs two passes of 1 prefill + 15 decode forwards,
 * hf-eager-range one, at a period of 6.200 ms with 0.169 ms of idle between forwards.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../analyzer/classify/classifier.js';
import { classifyOps } from '../analyzer/classify/opClasses.js';
import type { TraceModel } from '../analyzer/model/types.js';
import {
  assignPasses, confidenceOf, describedSteps, findSteps, mixedDepthsWarning, orderSteps, passesWarning, processesNote, rhythmDescription,
  rhythmInfo, windowWarning, type Draft,
} from '../analyzer/steps/findSteps.js';
import type { Pass, Rhythm } from '../analyzer/steps/types.js';
import { loadTrace } from '../index.js';
import { repoTrace } from './support/traces.js';

/** A model of ops only: op i runs [start[i], end[i]) on `devices` GPUs. */
const opsModel = (start: number[], end: number[], devices = 1) =>
  ({ ops: { n: start.length, start: Float64Array.from(start), end: Float64Array.from(end) }, devices: Array.from({ length: devices }, () => ({})) }) as unknown as TraceModel;

const draft = (device: number, ops: number[], name = 'x'): Draft =>
  ({ name, phase: 'decode', device, ops: Uint32Array.from(ops), hostStart: 0, hostEnd: 0, thread: -1 });

describe('finish stages on hand-built input', () => {
  it('orderSteps: empty drafts dropped, a window kept to, by device then start, numbered', () => {
    const model = opsModel([50, 10, 30, 20, 0], [60, 15, 40, 25, 5], 2);
    const drafts = [draft(1, [3], 'd1-late'), draft(0, [0], 'd0-late'), draft(0, []), draft(0, [1, 2], 'd0-early'), draft(1, [4], 'd1-early')];
    const { steps, byDevice } = orderSteps(model, drafts, {});
    expect(steps.map((s) => [s.name, s.device, s.index, s.ordinal, s.start, s.end])).toEqual([
      ['d0-early', 0, 0, 0, 10, 40], ['d0-late', 0, 1, 1, 50, 60], ['d1-early', 1, 2, 0, 0, 5], ['d1-late', 1, 3, 1, 20, 25],
    ]);
    expect(byDevice.map((l) => l.length)).toEqual([2, 2]);
    // A window [8, 45] keeps only the steps inside it whole.
    expect(orderSteps(model, drafts, { from: 8, to: 45 }).steps.map((s) => s.name)).toEqual(['d0-early', 'd1-late']);
  });

  it('rhythmDescription: sites per step, period, and why', () => {
    const r = { sitesPerStep: 4, periodNs: 6.2e6 } as Rhythm;
    expect(rhythmDescription('why:no NVTX step ranges', r)).toBe("the forward pass's repeating kernel sequence (4 attention sites per step, a step every 6.20 ms; no NVTX step ranges)");
    expect(rhythmDescription('why:forced', { sitesPerStep: 0, periodNs: 12.34e6 } as Rhythm)).toBe("the forward pass's repeating kernel sequence (one CUDA graph replay per step, a step every 12.3 ms; forced)");
  });

  it('mixedDepthsWarning: the forwards per step, the depths, and the target\'s and the draft\'s share of the time', () => {
    const w = mixedDepthsWarning({ forwardsPerStep: 6, depths: [2, 2, 2, 2, 2, 8], byDepth: [{ depth: 8, forwards: 18, ns: 390 }, { depth: 2, forwards: 90, ns: 610 }], totalNs: 1000 });
    expect(w.shown).toBe('2, 2, 2, 2, 2, 8');
    expect(w.warning).toMatch(/^each step holds 6 forward passes of different depths \(attention sites 2, 2, 2, 2, 2, 8\)/);
    expect(w.warning).toMatch(/Time by model over the steady steps: the target \(8 attention sites\) 18 forwards, 39%; the draft \(2 attention sites\) 90 forwards, 61%$/);
    const many = mixedDepthsWarning({ forwardsPerStep: 14, depths: [...Array(13).fill(1), 4], byDepth: [], totalNs: 1 });
    expect(many.shown).toBe(`${Array(12).fill(1).join(', ')}, …`);
  });

  const pass = (index: number, start: number, end: number, decode: number): Pass => ({ index, start, end, counts: { prefill: 1, decode }, reason: null });

  it('passesWarning: the measured pass and the others; none with one pass or a window', () => {
    const passes = [pass(0, 1e9, 2e9, 15), pass(1, 3e9, 3.5e9, 15)];
    expect(passesWarning(passes, 1, 'rhythm')).toBe(
      '2 passes: the numbers describe pass 2 (1 prefill + 15 decode per GPU, 3.000–3.500 s); pass 1 (1 prefill + 15 decode, 1.000–2.000 s) is left out as warm-up; ' +
        '--from / --to choose another window, or capture one pass with --capture-range=cudaProfilerApi',
    );
    expect(passesWarning(passes, 1, 'nvtx')).not.toMatch(/cudaProfilerApi/);
    expect(passesWarning([pass(0, 0, 1, 3)], 0, 'rhythm')).toBeNull();
    expect(passesWarning(passes, null, 'rhythm')).toBeNull();
  });

  it('windowWarning: a window under half the GPU span with ops outside it; none otherwise', () => {
    const model = opsModel([0, 1e9, 2e9, 9e9], [0.5e9, 1.5e9, 2.5e9, 10e9]);
    const [steps] = [orderSteps(model, [draft(0, [1]), draft(0, [2])], {}).steps];
    const w = windowWarning(model, steps, { start: 1e9, end: 2.5e9 }, 'rhythm');
    expect(w).toBe(
      'the numbers describe 1.000–2.500 s of GPU work that spans 0.000–10.000 s; 2 GPU ops are in no step (set-up, compile, graph capture, or work the step split missed); ' +
        '--from / --to choose the window, or capture only the measured part with --capture-range=cudaProfilerApi',
    );
    expect(windowWarning(model, steps, { start: 0, end: 6e9 }, 'rhythm')).toBeNull();
    const all = orderSteps(model, [draft(0, [0, 1, 2, 3])], {}).steps;
    expect(windowWarning(model, all, { start: 1e9, end: 2.5e9 }, 'rhythm')).toBeNull();
  });

  it('confidenceOf: by source, and for the rhythm by its regularity and spread', () => {
    expect(confidenceOf('nvtx', false, null, null)).toEqual({ confidence: 'high', note: 'the trace names its steps' });
    expect(confidenceOf('nvtx', true, null, null).note).toBe('the ranges you named');
    expect(confidenceOf('graph', false, null, null).confidence).toBe('medium');
    expect(confidenceOf('gaps', false, null, null).confidence).toBe('low');
    const rh = { sitesPerStep: 4, periodSpread: 0.1 } as Rhythm;
    const r = (regularity: number) => ({ drafts: [], sitesPerStep: 4, regularity, siteForwards: 10, replayForwards: 0 });
    expect(confidenceOf('rhythm', false, rh, r(0.95))).toEqual({ confidence: 'high', note: "steps from the kernels' rhythm: 95% of forward passes show the same 4 attention sites, the period varies 10% (p10–p90)" });
    expect(confidenceOf('rhythm', false, { ...rh, periodSpread: 0.6 }, r(0.95)).confidence).toBe('medium');
    expect(confidenceOf('rhythm', false, rh, r(0.8)).confidence).toBe('medium');
    expect(confidenceOf('rhythm', false, rh, r(0.5)).confidence).toBe('low');
  });
});

/** A real capture's model and its steps as drafts, to run through the stages again (findSteps only supplies the drafts). */
function stagesOn(name: string) {
  const path = repoTrace(name);
  const model = loadTrace(path);
  const { opClass, moePart } = classifyOps(model, createClassifier());
  const set = findSteps(model, {}, opClass, moePart);
  const drafts: Draft[] = set.steps.map((s) => ({ name: s.name, phase: s.phase, device: s.device, ops: s.ops, hostStart: s.hostStart, hostEnd: s.hostEnd, thread: s.thread }));
  return { path, model, set, drafts };
}

describe('finish stages on hf-eager-whole (two passes of 1 prefill + 15 decode forwards)', () => {
  const { model, set, drafts } = stagesOn('hf-eager-whole');
  const { steps, byDevice } = orderSteps(model, drafts, {});

  it('assignPasses: two passes of 16 forwards, the second measured; a window or idle-gap steps are one pass', () => {
    const { passes, measuredPass } = assignPasses(byDevice, 'rhythm', false);
    expect(passes.length).toBe(2);
    expect(passes.map((p) => p.counts)).toEqual([{ prefill: 1, decode: 15 }, { prefill: 1, decode: 15 }]);
    expect(measuredPass).toBe(1);
    expect(steps.filter((s) => s.pass === 1).length).toBe(16);
    // The passes lie apart: the second starts after the first ends (0.2 s apart, README).
    expect(passes[1]!.start - passes[0]!.end).toBeGreaterThan(0.1e9);
    expect(assignPasses(byDevice, 'rhythm', true).measuredPass).toBeNull();
    const fresh = orderSteps(model, drafts, {});
    expect(assignPasses(fresh.byDevice, 'gaps', false).passes.length).toBe(1);
  });

  it('describedSteps: the steady steps are the measured pass\'s (its 15 decode forwards and prefill, less outliers), spanning it', () => {
    const { measuredPass } = assignPasses(byDevice, 'rhythm', false);
    const { kept, window, exclusion } = describedSteps(steps, byDevice, 'rhythm', measuredPass);
    expect(kept.every((s) => s.pass === 1)).toBe(true);
    expect(steps.filter((s) => s.pass === 0).every((s) => exclusion[s.index] === 'earlier-pass')).toBe(true);
    expect(Math.abs(kept.filter((s) => s.phase === 'decode').length - 15)).toBeLessThanOrEqual(1);
    expect(window).toEqual({ start: Math.min(...kept.map((s) => s.start)), end: Math.max(...kept.map((s) => s.end)) });
    // The same as the whole findSteps gives.
    expect(window).toEqual(set.window);
  });
});

describe('finish stages on hf-eager-range (one pass, truth: T = 6.200 ms, G = 0.169 ms)', () => {
  const { path, model, drafts } = stagesOn('hf-eager-range');
  const { steps, byDevice } = orderSteps(model, drafts, {});
  const { measuredPass } = assignPasses(byDevice, 'rhythm', false);
  const { steady, kept } = describedSteps(steps, byDevice, 'rhythm', measuredPass);

  it('rhythmInfo: period and gap within 2% of truth.py\'s decode T and G', () => {
    const r = rhythmInfo(model, { drafts: [], sitesPerStep: 4, regularity: 1, siteForwards: 16, replayForwards: 0 }, byDevice, steady);
    expect(r.sitesPerStep).toBe(4);
    expect(Math.abs(r.periodNs - 6.2e6) / 6.2e6).toBeLessThan(0.02);
    expect(Math.abs(r.gapNs - 0.169e6) / 0.169e6).toBeLessThan(0.02);
    const inSteps = steps.reduce((n, s) => n + s.ops.length, 0);
    expect(r.outsideOps).toBe(model.ops.n - inSteps);
  });

  it('processesNote: the one process that runs the kernels (SQL), no warning', () => {
    const db = new Database(path, { readonly: true });
    const pids = db.prepare('SELECT DISTINCT (globalPid >> 24) & 16777215 FROM CUPTI_ACTIVITY_KIND_KERNEL').pluck().all();
    const ops = db.prepare(`SELECT ${['KERNEL', 'MEMCPY', 'MEMSET'].map((t) => `(SELECT count(*) FROM CUPTI_ACTIVITY_KIND_${t})`).join(' + ')}`).pluck().get();
    db.close();
    const p = processesNote(model, kept);
    expect(p.launching.map((l) => l.pid)).toEqual(pids);
    // Its GPU ops, all of them (one process ran the whole capture).
    expect(p.launching[0]!.ops).toBe(ops);
    expect(p.idleProcesses).toEqual([]);
    expect(p.warning).toBeNull();
  });
});
