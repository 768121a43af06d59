/** nsys-tp plan (issue 5, item 4) and the roofline numbers behind low-flops / low-hbm. */
import { describe, expect, it } from 'vitest';
import { cli } from './support/cli.js';
import { PRESETS } from '../analyzer/llm/modelShape.js';
import { stepCost } from '../analyzer/llm/stepCost.js';
import { diagnoseJsonIn } from './support/cli.js';
import { samplePath } from './support/traces.js';

const plan = async (args: string[]) => {
  const r = await cli(['plan', ...args, '--format', 'json']);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

describe('plan', () => {
  it('Qwen 2.5 72B: FFN 29568 breaks FP8 blocks at TP 2, 4 and 8, not at TP 1', async () => {
    const j = await plan(['--model', 'qwen-2.5-72b']);
    expect(j.plans.map((p: any) => p.tp)).toEqual([1, 2, 4, 8]);
    expect(j.plans.map((p: any) => p.fp8Misaligned.length > 0)).toEqual([false, true, true, true]);
    const f = j.findings.filter((x: any) => x.rule === 'fp8-block-misaligned');
    expect(f.map((x: any) => x.evidence.tp)).toEqual([2, 4, 8]);
    expect(f[0].evidence.misaligned).toEqual([{ dim: 'gate_proj, up_proj out / down_proj in (intermediate)', full: 29568, perRank: 14784 }]);
    expect(f[2].message).toContain('29568 / 8 = 3696 (28.875 blocks of 128)');
  });
  it('Llama 3.3 70B aligns at every TP; KV heads replicate past TP 8', async () => {
    const j = await plan(['--model', 'llama-3.3-70b', '--tp', '2,4,8,16', '--batch', '64', '--context', '8192']);
    expect(j.findings.map((x: any) => `${x.rule}@${x.evidence.tp}`)).toEqual(['kv-heads-replicated@16']);
    const [tp2, tp4, tp8] = j.plans;
    // 70.6e9 parameters in bf16, split by TP (embeddings and LM head by vocabulary).
    expect(tp2.weightBytesPerGpu / 2 ** 30).toBeCloseTo(65.7, 1);
    // Halved but for the norm weights every rank keeps whole.
    expect(Math.abs(tp4.weightBytesPerGpu * 2 - tp2.weightBytesPerGpu)).toBe(80 * 2 * 8192 * 2);
    expect(tp2.kvBytesPerToken).toBe(2 * 80 * 4 * 128 * 2);
    expect([tp2.fits, tp4.fits, tp8.fits]).toEqual([false, false, true]);
    expect(tp8.allReducesPerStep).toBe(160);
    expect(tp8.allReduceBytes).toBe(64 * 8192 * 2);
  });
  it('the terminal table names every TP and fits 100 columns', async () => {
    const r = await cli(['plan', '--model', 'qwen-2.5-72b']);
    expect(r.stdout).toMatch(/TP=1\s+TP=2\s+TP=4\s+TP=8/);
    for (const l of r.stdout.split('\n')) expect([...l].length).toBeLessThanOrEqual(100);
  });
  it('bad models are one-line errors', async () => {
    const r = await cli(['plan', '--model', 'no-such-model']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/neither a preset .* nor a config.json file/);
  });
});

describe('roofline', () => {
  it('step FLOPs and bytes of the 8-layer Llama shape at TP=4, batch 8, prompt 512', () => {
    const m = { ...PRESETS['llama-3.3-70b']!, layers: 8 };
    const pre = stepCost(m, 4, 'prefill', 8, 512, 512);
    // Per layer and rank: QKV 8192x(16+2x2)x128, O 2048x8192, MLP 3x8192x7168 = 214.0M weights.
    expect(pre.gemmFlops).toBe(8 * 2 * 8 * 512 * (8192 * 20 * 128 + 2048 * 8192 + 3 * 8192 * 7168));
    const dec = stepCost(m, 4, 'decode', 8, 1, 512);
    expect(dec.weightBytes).toBe(8 * (8192 * 20 * 128 + 2048 * 8192 + 3 * 8192 * 7168 + 2 * 8192) * 2);
    expect(dec.kvBytes).toBe(8 * 8 * 512 * 2 * 2 * 128 * 2);
  });
  it('tp4graph decode streams ~80% of HBM bandwidth in its kernels', async () => {
    const j = await diagnoseJsonIn([samplePath('tp4graph-decode.sqlite'), '--model', 'llama-3.3-70b', '--batch', '8', '--prompt', '512']);
    for (const r of j.roofline) {
      expect(r.phase).toBe('decode');
      expect(r.layers).toBe(8);
      expect(r.hbmGBpsOverCompute / r.peakHbmGBps).toBeGreaterThan(0.7);
      expect(r.hbmGBpsOverCompute / r.peakHbmGBps).toBeLessThan(0.9);
    }
    expect(j.warnings).toContain("--model has 80 layers but the trace's steps have 8: the roofline uses 8");
  });
});
