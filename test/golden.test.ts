/**
 * Every command and format on every trace, against the outputs recorded in test/golden: a refactor that
 * changes one byte of one report fails here. JSON, terminal and Markdown outputs are kept as text (a change
 * reads as a diff); HTML and SVG as SHA-256 (large, and their text is the JSON's). The committed samples and
 * the committed captures of test/traces always run; the full traces of ../shared/traces when they are there.
 * After an intended change: `UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts`.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chartsOf, compare, diagnose, FORMATS, layers, modelShape, plan, render, scaling, type AnalyseConfig, type DiagnoseResult, type Result } from '../index.js';
import { gpuSpecFor } from '../analyzer/hardware/gpuSpecs.js';
import { EXTERNAL_TRACES, HAVE_TRACES, REPO, REPO_TRACES, repoTrace, samplePath, sharedTrace, TP_TRACES } from './support/traces.js';

const DIR = join(REPO, 'test/golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const TEXT_FORMATS = new Set(['terminal', 'md', 'json']);
const MANIFEST = 'sha256.json';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const rel = (p: string) => relative(REPO, p);

/** Every format of a result, and its charts, as name → text. */
async function outputs(label: string, r: Result): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of FORMATS) out[`${label}.${f}`] = await render(r, f);
  for (const c of await chartsOf(r)) out[`${label}.${c.name}.svg`] = c.svg;
  return out;
}

/** Compares (or, with UPDATE_GOLDEN=1, records) a group's outputs: text files for the text formats, hashes for the rest. */
function check(group: string, produced: Record<string, string>): void {
  const asText = (name: string) => name !== MANIFEST && TEXT_FORMATS.has(name.split('.').pop()!);
  const dir = join(DIR, group);
  const manifest = join(dir, MANIFEST);
  if (UPDATE) {
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(dir).filter(asText)) if (!(f in produced)) rmSync(join(dir, f));
    const hashes: Record<string, string> = {};
    for (const [name, text] of Object.entries(produced)) {
      if (asText(name)) writeFileSync(join(dir, name), text);
      else hashes[name] = sha(text);
    }
    writeFileSync(manifest, JSON.stringify(hashes, null, 1) + '\n');
    return;
  }
  expect(existsSync(manifest), `no golden outputs for ${group}: run with UPDATE_GOLDEN=1`).toBe(true);
  const hashes = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, string>;
  const texts = readdirSync(dir).filter(asText);
  expect(Object.keys(produced).sort()).toEqual([...Object.keys(hashes), ...texts].sort());
  for (const [name, text] of Object.entries(produced)) {
    if (asText(name)) expect(text, `${group}/${name}`).toBe(readFileSync(join(dir, name), 'utf8'));
    else expect(sha(text), `${group}/${name}`).toBe(hashes[name]);
  }
}

const MODEL_8 = modelShape(JSON.parse(readFileSync(samplePath('llama-70b-8layers.config.json'), 'utf8')), 'llama-70b-8layers.config.json');

async function traceOutputs(path: string, config: AnalyseConfig = {}): Promise<{ result: DiagnoseResult; out: Record<string, string> }> {
  const names = [rel(path)];
  const result = await diagnose([path], config, { names });
  return { result, out: { ...(await outputs('diagnose', result)), ...(await outputs('layers', await layers([path], config, { names }))) } };
}

const SAMPLES = readdirSync(join(REPO, 'samples')).filter((f) => f.endsWith('.sqlite')).sort();

describe('golden outputs: committed samples', () => {
  for (const s of SAMPLES) {
    it(s, async () => check(`samples/${s.replace(/\.sqlite$/, '')}`, (await traceOutputs(samplePath(s))).out));
  }
  it('with --model, compare, scaling and plan', async () => {
    const p = (s: string) => samplePath(s);
    const w = { workload: { model: MODEL_8, batch: 8, prompt: 512 } };
    const out: Record<string, string> = {
      ...(await outputs('model-tp4-eager', await diagnose([p('tp4-eager.sqlite')], w, { names: ['samples/tp4-eager.sqlite'] }))),
      ...(await outputs('compare', await compare([p('tp4-eager.sqlite')], [p('tp4nop2p.sqlite')], {}, { base: { names: ['samples/tp4-eager.sqlite'] }, new: { names: ['samples/tp4nop2p.sqlite'] } }))),
      ...(await outputs('plan', plan(modelShape('qwen-2.5-72b')!, { tps: [1, 2, 4, 8], gpu: gpuSpecFor('H100')!, batch: 32, context: 8192, memoryUtilization: 0.9, activationBytes: 2 }))),
    };
    const series = ['tp1graph-decode.sqlite', 'tp2graph-decode.sqlite', 'tp4graph-decode.sqlite'];
    Object.assign(out, await outputs('scaling', await scaling(series.map(p), { batch: 8, prompt: null, gpuHourPrice: 2.5 }, { names: series.map((s) => `samples/${s}`) })));
    check('samples/commands', out);
  });
});

/** The captures committed in test/traces (test/traces/README.md): always here, so their outputs always run. */
const CAPTURES = readdirSync(REPO_TRACES).filter((f) => f.endsWith('.sqlite.xz')).map((f) => f.replace(/\.sqlite\.xz$/, '')).sort();

describe('golden outputs: the committed captures of test/traces', () => {
  for (const t of CAPTURES) {
    it(t, async () => check(`captures/${t}`, (await traceOutputs(repoTrace(t))).out));
  }
});

describe.skipIf(!HAVE_TRACES)('golden outputs: ../shared/traces', () => {
  for (const t of [...TP_TRACES, ...EXTERNAL_TRACES]) {
    it(t, async () => check(`traces/${t.replace(/^external\//, '')}`, (await traceOutputs(sharedTrace(t))).out));
  }
});
