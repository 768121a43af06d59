/**
 * `nsys-tp scaling`: every number of the table against the independent SQL computation
 * (test/support/referenceScaling.ts) and the formulas of the issue, the rule poor-tp-scaling, the
 * recommendation, the chart, and bad input.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './support/cli.js';
import { tempDir } from './support/fixtures.js';
import { referenceScaling } from './support/referenceScaling.js';
import { HAVE_TRACES, samplePath, sharedTrace } from './support/traces.js';

const MODEL = samplePath('llama-70b-8layers.config.json');
const PRICE = 2.5;
const BATCH = 8;
const PROMPT = 512;

async function scalingJson(args: string[]): Promise<any> {
  const r = await cli(['scaling', '--format', 'json', ...args]);
  if (r.status !== 0) throw new Error(`scaling failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** The table recomputed from the reference step times with the formulas. */
function checkAgainstReference(paths: string[], json: any, prompt: number | null) {
  const refs = paths.map(referenceScaling).sort((a, b) => a.tp - b.tp);
  expect(json.rows.map((r: any) => r.tp)).toEqual(refs.map((r) => r.tp));
  const base = refs[0]!;
  for (const [i, ref] of refs.entries()) {
    const row = json.rows[i];
    for (const phase of ['decode', 'prefill'] as const) {
      const p = ref[phase];
      if (!p) {
        expect(row[phase]).toBeNull();
        continue;
      }
      const tokens = phase === 'decode' ? BATCH : prompt === null ? null : BATCH * prompt;
      expect(row[phase].steps, `TP=${ref.tp} ${phase} steps`).toBe(p.steps);
      expect(row[phase].stepNs, `TP=${ref.tp} ${phase} step`).toBe(p.stepNs);
      expect(row[phase].commShare).toBeCloseTo(p.commShare, 12);
      if (tokens === null) continue;
      const perReplica = tokens / (p.stepNs / 1e9);
      expect(row[phase].tokensPerSReplica).toBeCloseTo(perReplica, 6);
      expect(row[phase].tokensPerSGpu).toBeCloseTo(perReplica / ref.tp, 6);
      expect(row[phase].usdPerMTok).toBeCloseTo(((PRICE * ref.tp) / 3600 / perReplica) * 1e6, 12);
      const b = base[phase]!;
      const baseReplica = tokens / (b.stepNs / 1e9);
      if (i === 0) expect(row[phase].efficiency).toBeNull();
      else expect(row[phase].efficiency).toBeCloseTo(perReplica / baseReplica / (ref.tp / base.tp), 12);
    }
  }
}

describe('scaling on the committed decode samples (tp1graph, tp2graph, tp4graph: 3 decode steps each)', () => {
  const paths = ['tp1graph-decode', 'tp2graph-decode', 'tp4graph-decode'].map((s) => samplePath(`${s}.sqlite`));

  it('step times, tokens/s, efficiency and $/MTok agree with the SQL reference and the formulas', async () => {
    const json = await scalingJson([...paths, '--batch', String(BATCH), '--gpu-hour-price', String(PRICE)]);
    checkAgainstReference(paths, json, null);
    // The per-GPU throughput trap, in numbers: TP=4 is the fastest replica and the dearest token.
    const [t1, t2, t4] = json.rows.map((r: any) => r.decode);
    expect(t4.tokensPerSReplica).toBeGreaterThan(t2.tokensPerSReplica);
    expect(t2.tokensPerSReplica).toBeGreaterThan(t1.tokensPerSReplica);
    expect(t4.usdPerMTok).toBeGreaterThan(t2.usdPerMTok);
    expect(t2.usdPerMTok).toBeGreaterThan(t1.usdPerMTok);
    expect(json.trap).toMatch(/^TP=4 serves the most tokens\/s per replica .* but TP=1 serves the most per GPU .* costs 1\.45× as much/);
  });

  it('poor-tp-scaling fires at TP=4 (68.8% against TP=1), not at TP=2; its threshold is an option', async () => {
    const json = await scalingJson([...paths, '--batch', String(BATCH)]);
    expect(json.findings.map((f: any) => [f.rule, f.evidence.phase, f.evidence.tp])).toEqual([['poor-tp-scaling', 'decode', 4]]);
    expect(json.findings[0].evidence.efficiency).toBeCloseTo(json.rows[2].decode.efficiency, 12);
    expect(json.findings[0].message).toMatch(/^Decode at TP=4 reaches 68\.\d% scaling efficiency against TP=1/);
    const lower = await scalingJson([...paths, '--batch', String(BATCH), '--rule', 'poor-tp-scaling.threshold=0.6']);
    expect(lower.findings).toEqual([]);
  });

  it('recommends the cheapest TP that fits: TP=1 at 8K context, TP=2 when only it holds 256K', async () => {
    const short = await scalingJson([...paths, '--batch', String(BATCH), '--context', '8192', '--model', MODEL]);
    expect(short.recommendation.tp).toBe(1);
    expect(short.recommendation.fits.map((f: any) => f.fits)).toEqual([true, true, true]);
    expect(short.recommendation.alternative).toMatch(/^For latency per token \(chat\), TP=4 steps/);
    const long = await scalingJson([...paths, '--batch', String(BATCH), '--context', String(256 * 1024), '--model', MODEL]);
    expect(long.recommendation.tp).toBe(2);
    expect(long.recommendation.fits.map((f: any) => f.fits)).toEqual([false, true, true]);
    expect(long.recommendation.reason).toMatch(/TP=1 would cost less per token but cannot hold that context/);
  });

  it('the terminal table fits 100 columns and names the bottleneck per TP; --chart writes the curve', async () => {
    const dir = tempDir();
    const r = await cli(['scaling', ...paths, '--batch', String(BATCH), '--gpu-hour-price', String(PRICE), '--chart', dir]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(Math.max(...r.stdout.split('\n').map((l) => [...l].length))).toBeLessThanOrEqual(100);
    expect(r.stdout).toMatch(/TP=1: gemm 9\d% of the step/);
    expect(r.stdout).toMatch(/TP=4: [a-z ]+ \+\d\.\d\d ms beyond ideal; top finding latency-bound-collectives/);
    const svg = readFileSync(join(dir, 'scaling.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('ideal (linear from TP=1)');
    expect(svg).toMatch(/69% efficient/);
    expect(svg).toContain('$0.633/MTok');
    const md = (await cli(['scaling', ...paths, '--batch', String(BATCH), '--gpu-hour-price', String(PRICE), '--format', 'md'])).stdout;
    expect(md).toMatch(/\| tokens\/s per GPU \| 1,595 \| 1,327 \| 1,097 \|/);
    expect(md).toContain('| \\$/MTok (output) | \\$0.435 | \\$0.523 | \\$0.633 |');
  });

  it('bad input: one line on stderr, exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [[paths[0]!, '--batch', '8'], /two or more traces/],
      [[paths[2]!, paths[2]!, '--batch', '8'], /both TP=4: scaling takes one trace per TP degree/],
      [[...paths, '--batch', '8', '--context', '4096'], /--context needs --model/],
      [[...paths], /required option '--batch <n>'/],
      [[...paths, '--batch', '0'], /expected a positive number/],
    ];
    for (const [args, pattern] of cases) {
      const r = await cli(['scaling', ...args]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe.skipIf(!HAVE_TRACES)('scaling on ../shared/traces tp1graph, tp2graph, tp4graph (batch 8, prompt 512)', () => {
  it('decode and prefill agree with the SQL reference; decode efficiency 82.7% at TP=2, 68.3% at TP=4', async () => {
    const paths = ['tp1graph', 'tp2graph', 'tp4graph'].map(sharedTrace);
    const json = await scalingJson([...paths, '--batch', String(BATCH), '--prompt', String(PROMPT), '--gpu-hour-price', String(PRICE)]);
    checkAgainstReference(paths, json, PROMPT);
    expect(json.rows.map((r: any) => (r.decode.efficiency === null ? null : (r.decode.efficiency * 100).toFixed(1)))).toEqual([null, '82.7', '68.3']);
    expect(json.rows.map((r: any) => r.decode.usdPerMTok.toFixed(3))).toEqual(['0.433', '0.524', '0.633']);
    expect(json.findings.map((f: any) => [f.evidence.phase, f.evidence.tp])).toEqual([['decode', 4]]);
  });
});
