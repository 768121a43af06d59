/**
 * Regimes (analyzer/steps/regimes.ts, rule slow-regime): a run of slow steps is described on its own, not
 * dropped as outliers. Hand-made: 16 decode steps, the first 6 waiting 9 ms on the host inside the step
 * (a kernel library loaded before the attention kernel, as cuDNN builds a plan per new KV length), the
 * other 10 at 1 ms; and one lone slow step, which stays an outlier.
 */
import { describe, expect, it } from 'vitest';
import { Analysis, loadTrace, runRules, RULES } from '../index.js';
import { writeTinyTrace, type TinyCall, type TinyOp, type TinyRange } from './support/tinyTrace.js';
import { tempDir } from './support/fixtures.js';

const GEMM = 'nvjet_sm90_tst_128x8_64x12_2x1_v_bz_TNT';
const ATTN = 'cudnn_generated_fort_native_sdpa_sm90_flash_fprop_wgmma_f16_knob_3_64x64x128_4x1x1_kernel0_0';

function trace() {
  const ops: TinyOp[] = [];
  const ranges: TinyRange[] = [];
  const calls: TinyCall[] = [];
  let t = 0;
  for (let k = 0; k < 17; k++) {
    const slow = k < 6 || k === 12;
    const wait = slow ? 9000 : 0;
    ranges.push({ gpu: 0, name: `decode ${k}`, startUs: t, endUs: t + 1000 + wait + 10 });
    ops.push({ gpu: 0, name: GEMM, startUs: t + 5, durUs: 400 });
    if (slow) calls.push({ gpu: 0, name: 'cuLibraryLoadData', startUs: t + 500, endUs: t + 500 + 8000 });
    ops.push({ gpu: 0, name: ATTN, startUs: t + 410 + wait, durUs: 100, launchUs: t + 405 + wait });
    ops.push({ gpu: 0, name: GEMM, startUs: t + 520 + wait, durUs: 480 });
    t += 1000 + wait + 2000;
  }
  return { ops, ranges, calls };
}

describe('regimes', () => {
  const a = new Analysis(loadTrace(writeTinyTrace(tempDir(), trace())));
  it('six slow steps in a row are a regime; a lone slow one is an outlier', () => {
    const ex = a.steps.steps.map((s) => a.steps.exclusion[s.index]);
    expect(ex.slice(0, 6)).toEqual(Array(6).fill('regime'));
    expect(ex[12]).toBe('outlier');
    expect(ex.filter((e) => e === null).length).toBe(10);
    expect(a.regimes).toHaveLength(1);
    const g = a.regimes[0]!;
    expect(g.steps.map((s) => s.name)).toEqual(['decode 0', 'decode 1', 'decode 2', 'decode 3', 'decode 4', 'decode 5']);
    expect(g.medianNs / 1e6).toBeCloseTo(10, 1);
    expect(g.typicalNs / 1e6).toBeCloseTo(1, 1);
    expect(g.hostCalls[0]!.name).toBe('cuLibraryLoadData');
  });
  it('rule slow-regime names it and its cause', () => {
    const { findings } = runRules(a, RULES);
    const f = findings.find((x) => x.rule === 'slow-regime');
    expect(f).toBeDefined();
    expect(f!.message).toContain('6 of 17 decode steps');
    expect(f!.message).toContain('kernel libraries loaded inside the steps');
    expect(f!.evidence.shareOfSteps).toBe(6 / 17);
  });
});
