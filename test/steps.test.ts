/**
 * Step detection on every real trace: NVTX step ranges (warm-up included), the CUDA-graph and idle-gap
 * fallbacks, --steps, and the projection through the launching thread.
 */
import { describe, expect, it } from 'vitest';
import { Analysis, loadTrace } from '../index.js';
import { HAVE_TRACES, EXTERNAL_TRACES, samplePath, sharedTrace } from './support/traces.js';
import { fastStepsText } from '../analyzer/steps/fastSteps.js';

function counts(a: Analysis) {
  return a.model.devices.map((d) => {
    const mine = a.steps.byDevice[d.index]!;
    return { prefill: mine.filter((s) => s.phase === 'prefill').length, decode: mine.filter((s) => s.phase === 'decode').length, step: mine.filter((s) => s.phase === 'step').length };
  });
}

describe('steps on committed samples', () => {
  it('auto-detects decode ranges and projects them onto all four GPUs', () => {
    const a = new Analysis(loadTrace(samplePath('tp4graph-decode.sqlite')));
    expect(a.steps.source).toBe('nvtx');
    expect(counts(a)).toEqual(Array(4).fill({ prefill: 0, decode: 3, step: 0 }));
    // Each step: the token copied into the graph's input buffer, then the replayed graph's 8 layers x 14 kernels.
    const m = a.model;
    for (const s of a.steps.steps) {
      expect([...s.ops].filter((i) => m.ops.fromGraph[i] === 1).length).toBe(112);
      expect(m.opNames[m.ops.name[s.ops[0]!]!]!.short).toBe('[CUDA memcpy DtoD]');
      expect(s.ops.length).toBe(113);
    }
  });
  it('falls back to CUDA graph replays when there are no NVTX step ranges', () => {
    const a = new Analysis(loadTrace(samplePath('tp4graph-decode.sqlite')), { steps: { source: 'graph' } });
    expect(a.steps.source).toBe('graph');
    expect(counts(a)).toEqual(Array(4).fill({ prefill: 0, decode: 3, step: 0 }));
    const nvtx = new Analysis(loadTrace(samplePath('tp4graph-decode.sqlite')));
    // A replay is the decode step without the eager input copy before it: same end, later start.
    a.steps.steps.forEach((s, i) => {
      const n = nvtx.steps.steps[i]!;
      expect(s.end).toBe(n.end);
      expect(s.start).toBeGreaterThan(n.start);
      expect(s.ops.length).toBe(112);
    });
  });
  it('falls back to idle gaps', () => {
    const a = new Analysis(loadTrace(samplePath('tp4-eager.sqlite')), { steps: { source: 'gaps', gapNs: 10e6 } });
    expect(a.steps.source).toBe('gaps');
    // GPUs 0 and 1 sit idle for tens of ms between steps (host-side cuDNN planning); GPUs 2 and 3 spend
    // that time spinning in the all-reduce, so without NVTX their steps cannot be told apart.
    const c = counts(a);
    expect(c[0]!.step).toBeGreaterThanOrEqual(3);
    expect(c[1]!.step).toBeGreaterThanOrEqual(3);
    expect(c[2]!.step).toBeGreaterThanOrEqual(1);
  });
  it('--steps picks ranges by regular expression, nested layer ranges included', () => {
    const a = new Analysis(loadTrace(samplePath('tp4-eager.sqlite')), { steps: { steps: /^layer \d+$/ } });
    // 8 layers in the prefill + 8 in each of the 2 decode steps, per GPU.
    expect(counts(a).map((c) => c.step)).toEqual([24, 24, 24, 24]);
  });
  it('a time window narrows the selection', () => {
    const model = loadTrace(samplePath('tp4-eager.sqlite'));
    const all = new Analysis(model);
    const firstDecode = Math.min(...all.steps.steps.filter((s) => s.phase === 'decode').map((s) => s.start));
    const a = new Analysis(model, { steps: { from: firstDecode } });
    expect(counts(a).every((c) => c.prefill === 0 && c.decode === 2)).toBe(true);
  });
});

describe.skipIf(!HAVE_TRACES)('steps on ../shared/traces', () => {
  const expected: Record<string, [number, number, number]> = {
    // [GPUs, prefill per GPU, decode per GPU]: a warm-up pass (prefill + 2 decode) then prefill + N decode.
    tp1: [1, 2, 18], tp1graph: [1, 2, 18], tp2: [2, 2, 18], tp2graph: [2, 2, 18], 'tp2graph-blobs': [2, 2, 18],
    tp4: [4, 2, 18], tp4graph: [4, 2, 18], tp4graphg: [4, 2, 18], tp4nop2p: [4, 2, 18], tp4overlap: [4, 2, 18],
    tp4serial: [4, 2, 18], tp4sp: [4, 2, 18], tp4tree: [4, 2, 18], tp4big: [4, 2, 10],
  };
  for (const [name, [gpus, prefill, decode]] of Object.entries(expected)) {
    it(`${name}: ${prefill} prefill and ${decode} decode steps on each of ${gpus} GPUs`, () => {
      const a = new Analysis(loadTrace(sharedTrace(name)));
      expect(a.steps.source).toBe('nvtx');
      expect(counts(a)).toEqual(Array(gpus).fill({ prefill, decode, step: 0 }));
    });
  }
  it('graph-level traced graphs (tp4graphg) still make decode steps through the graph execution', () => {
    const a = new Analysis(loadTrace(sharedTrace('tp4graphg')));
    const decode = a.steps.steps.filter((s) => s.phase === 'decode' && s.name !== 'decode 0' && s.name !== 'decode 1');
    // The input copy and one graph execution whose kernels are not in the trace.
    for (const s of decode) expect(s.ops.length).toBe(2);
  });
  for (const name of EXTERNAL_TRACES) {
    // The nsys-ai mfu pair repeats a forward with two attention sites (flash_fwd_kernel): 17 and 14 whole
    // iterations per GPU (the after trace's capture cuts one short at each end); the others have no
    // attention kernel, so their steps come from idle gaps, with a warning that the split is unreliable.
    const rhythm: Record<string, number> = { 'external/nsys-ai-mfu_2gpu_before': 17, 'external/nsys-ai-mfu_2gpu_after': 14 };
    it(`${name}: no step ranges, so steps come from the kernels' rhythm or idle gaps`, () => {
      const a = new Analysis(loadTrace(sharedTrace(name)));
      if (rhythm[name]) {
        expect(a.steps.source).toBe('rhythm');
        expect(a.steps.rhythm!.sitesPerStep).toBe(2);
        expect(counts(a).map((c) => c.decode)).toEqual([rhythm[name], rhythm[name]]);
      } else {
        expect(a.steps.source).toBe('gaps');
        expect(a.steps.confidence).toBe('low');
        expect(a.steps.warnings.some((w) => w.startsWith('step split unreliable'))).toBe(true);
      }
      expect(a.steps.steps.length).toBeGreaterThan(0);
    });
  }
  it('tp4: the warm-up pass is told apart; its decode 0 does not stand in for the measured decode 0', () => {
    const a = new Analysis(loadTrace(sharedTrace('tp4')));
    const s = a.steps;
    expect(s.passes.map((p) => p.counts)).toEqual([{ prefill: 1, decode: 2 }, { prefill: 1, decode: 16 }]);
    expect(s.measuredPass).toBe(1);
    for (const st of s.steps) expect(s.steady[st.index] === 1, `${st.name} pass ${st.pass}`).toBe(st.pass === 1);
    // The measured decode 0 / 1 reuse the warm-up's cuDNN plans and run ~30x faster: in the numbers, and named.
    const fast = a.steps.steps.filter((x) => x.pass === 1 && x.phase === 'decode' && x.end - x.start < 5e6);
    expect(fast.map((x) => x.name)).toEqual(Array(4).fill(['decode 0', 'decode 1']).flat());
    const note = fastStepsText(a).join('\n');
    expect(note).toMatch(/^decode: 2 of 16 steps \(decode 0, decode 1\) ran \d+× faster than the others/);
    expect(note).toMatch(/ms idle/);
  });
});

describe('between steps, against the truth measured by hand (test/traces/README.md)', () => {
  it('hf-mp-whole: a decode step every T = 12.03 ms, its span T − G = 7.36 ms, the rest the GPU waits on the scheduler (read)', async () => {
    const { repoTrace } = await import('./support/traces.js');
    const a = new Analysis(loadTrace(repoTrace('hf-mp-whole')));
    const b = a.betweenOf(0, 'decode')!;
    expect(b.pairs).toBe(14);
    expect(b.periodNs / 1e6).toBeCloseTo(12.033, 1);
    expect(b.spanNs / 1e6).toBeCloseTo(7.358, 1);
    expect(b.idleShare).toBeGreaterThan(0.35);
    expect(b.idleShare).toBeLessThan(0.42);
    // The worker waits for the scheduler's next message: a read on its queue.
    expect(b.hostCalls[0]!.name).toBe('read');
    expect(b.hostCalls[0]!.ns / b.pairs).toBeGreaterThan(0.8 * (b.gapNs));
  });
});
