/**
 * The zoo: captures of workloads beyond dense Llama (MoE, speculative decoding, FP8, max-autotune, an
 * engine-shaped serving loop, training), each with the truth its workload recorded beside the trace
 * (test/traces/<name>.truth.json, written by test/traces/lab/zoo.py: every forward in order, its model,
 * tokens, the KV length before it, the layers it ran, its GPU time from CUDA events). The tool under test
 * never decides what the truth is: the counts, phases, step times and layer counts here come from that file.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { median } from 'd3-array';
import { Analysis, loadTrace } from '../index.js';
import { REPO_TRACES, repoTrace } from './support/traces.js';

interface Forward {
  model: string;
  kind?: string;
  tokens: [number, number];
  past: number | null;
  layer_calls?: number;
  expert_calls?: number;
  measured: boolean;
  pass: number;
  gpu_ms: number;
}

interface Truth {
  mode: string;
  range: boolean;
  models: Record<string, { layers: number; experts?: number | null }>;
  forwards: Forward[];
}

const ZOO = existsSync(REPO_TRACES) ? readdirSync(REPO_TRACES).filter((f) => f.endsWith('.truth.json')).map((f) => f.replace(/\.truth\.json$/, '')) : [];

function truthOf(name: string): Truth {
  return JSON.parse(readFileSync(join(REPO_TRACES, `${name}.truth.json`), 'utf8')) as Truth;
}

/** A forward's phase as the workload ran it: prompt tokens (more than one token per sequence, or a prefill call) or decode. */
function phaseOf(f: Forward): 'prefill' | 'decode' {
  if (f.kind === 'prefill') return 'prefill';
  if (f.kind === 'decode') return 'decode';
  return f.tokens[1]! > 1 ? 'prefill' : 'decode';
}

/** Forwards of the pass the numbers describe: the last pass inside the capture. */
function measured(t: Truth): Forward[] {
  const inCapture = t.forwards.filter((f) => f.measured);
  const last = Math.max(...inCapture.map((f) => f.pass));
  return inCapture.filter((f) => f.pass === last);
}

describe.skipIf(ZOO.length === 0)('zoo captures against their recorded truth', () => {
  for (const name of ZOO) {
    const truth = truthOf(name);
    const models = Object.keys(truth.models);
    // One model per step: speculative decoding (draft + target) has its own test.
    if (models.length !== 1 || truth.mode === 'train') continue;
    describe(name, () => {
      const a = new Analysis(loadTrace(repoTrace(name)));
      const fw = measured(truth);
      const steps = a.steps.steps.filter((s) => a.steps.measuredPass === null || s.pass === a.steps.measuredPass);
      it('finds one step per forward of the measured pass, each with the phase it ran', () => {
        expect(steps.map((s) => s.phase)).toEqual(fw.map(phaseOf));
      });
      it('measures the decode step time the CUDA events measured (within 10%)', () => {
        const want = median(fw.filter((f) => phaseOf(f) === 'decode').map((f) => f.gpu_ms))! * 1e6;
        const got = a.phase(0, 'decode');
        expect(got).toBeDefined();
        // The tool's step also holds what runs between forwards (sampling, the token copy): never less.
        expect(got!.medianNs).toBeGreaterThan(0.9 * want);
        expect(got!.medianNs).toBeLessThan(1.1 * want + 0.3e6);
      });
      it('sees as many layers per forward as the model ran', () => {
        const layers = truth.models[models[0]!]!.layers;
        if (a.steps.rhythm && a.steps.rhythm.sitesPerStep > 0) expect(a.steps.rhythm.sitesPerStep).toBe(layers);
      });
      if ((truth.models[models[0]!]!.experts ?? 0) > 0) {
        it('names MoE time: experts, routing and dispatch/combine are each part of it', () => {
          for (const phase of ['prefill', 'decode'] as const) {
            const p = a.phase(0, phase)!;
            expect(p.timeNs.moe).toBeGreaterThan(0);
            expect(p.moeNs.experts).toBeGreaterThan(0);
            expect(p.moeNs.routing).toBeGreaterThan(0);
            expect(p.moeNs.dispatch).toBeGreaterThan(0);
            expect(p.moeNs.experts + p.moeNs.routing + p.moeNs.dispatch).toBeLessThanOrEqual(p.timeNs.moe * 1.0001);
          }
        });
      }
    });
  }
});
