/**
 * The contract describes what the tool writes: every JSON result the golden outputs pin (test/golden:
 * the samples, the shared traces, the committed captures, the commands) reads back through parseResult,
 * which checks every field of every part (analyzer/contract); and so do the kinds the goldens pin no
 * JSON of (steps, kernels, doctor, attach; scaling with a recommendation), made here from the samples. A
 * schema narrower than an output fails here, named by the file and the first field it rejects. The same
 * results also match the schemas as JSON Schema, as an MCP client checks a tool's structured output
 * against the output schema the server lists (the MCP SDK's own validator). And a result an earlier
 * nsys-tp wrote (test/fixtures/diagnose-2dd33eb-tp4sp.json: `diagnose samples/tp4sp.sqlite --format json`
 * by the build of commit 2dd33eb, 2026-12-01, before `between`, `superseded`, `tiedWith` and the kernels'
 * `gpus` were kept) still reads, renders and compares: those fields are optional, the renderers read
 * them so.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import {
  attach, compare, doctor, kernelsResultOf, layersResultOf, modelShape, parseDiagnosis, parseResult, render, RESULT_KINDS, RESULT_SCHEMAS, scaling, stepsResultOf,
  type Result, type ResultKind,
} from '../index.js';
import { REPO, samplePath } from './support/traces.js';

const GOLDEN = join(REPO, 'test/golden');
const ajv = new AjvJsonSchemaValidator();
const jsonSchemaCheck = Object.fromEntries(
  RESULT_KINDS.map((k) => [k, ajv.getValidator(z.toJSONSchema(RESULT_SCHEMAS[k], { io: 'output' }) as never)]),
) as Record<ResultKind, (v: unknown) => { valid: boolean; errorMessage?: string }>;
/** Null when `j` matches its kind's schema as JSON Schema; else the validator's message (its start). */
const jsonSchemaProblem = (j: { kind: ResultKind }) => {
  const r = jsonSchemaCheck[j.kind](j);
  return r.valid ? null : (r.errorMessage ?? 'invalid').slice(0, 300);
};

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? jsonFiles(p) : p.endsWith('.json') && e !== 'sha256.json' ? [p] : [];
  });
}

describe('every result the goldens pin parses against the contract', () => {
  const files = jsonFiles(GOLDEN);
  it('each reads back with parseResult, as written', () => {
    const bad: string[] = [];
    let read = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const j = JSON.parse(text) as { kind?: string; tool?: { name?: string } };
      if (j.tool?.name !== 'nsys-tp') continue; // a benchmark report attach wrote into, not a result
      try {
        expect(parseResult(text, f)).toEqual(j);
        read++;
      } catch (e) {
        bad.push(`${relative(GOLDEN, f)}: ${(e as Error).message.replace(`${f}: `, '')}`);
      }
      const js = jsonSchemaProblem(j as { kind: ResultKind });
      if (js) bad.push(`${relative(GOLDEN, f)} as JSON Schema: ${js}`);
    }
    expect(bad).toEqual([]);
    expect(read).toBeGreaterThan(100);
  });
});

describe('every kind the tool writes parses against the contract', () => {
  it('the views of every sample diagnosis, doctor, attach and scaling with --context, and the goldens, cover every kind', async () => {
    const seen = new Set<ResultKind>();
    const readBack = async (r: Result, name: string) => {
      const text = await render(r, 'json');
      expect(parseResult(text, name), name).toEqual(JSON.parse(text));
      expect(jsonSchemaProblem(JSON.parse(text)), `${name} as JSON Schema`).toBeNull();
      seen.add(r.kind);
    };
    for (const f of jsonFiles(join(GOLDEN, 'samples')).filter((x) => x.endsWith('/diagnose.json'))) {
      const d = parseDiagnosis(readFileSync(f, 'utf8'), f);
      seen.add(d.kind);
      await readBack(layersResultOf(d), `${f} layers`);
      await readBack(layersResultOf(d, d.devices[0]!.deviceId), `${f} layers --device`);
      await readBack(stepsResultOf(d), `${f} steps`);
      await readBack(stepsResultOf(d, d.devices[0]!.deviceId), `${f} steps --device`);
      await readBack(kernelsResultOf(d), `${f} kernels`);
    }
    for (const s of ['tp4-eager.sqlite', 'tp1graph-decode.sqlite', 'hf-cb-prompt-decode.sqlite']) await readBack(await doctor([samplePath(s)]), `doctor ${s}`);
    const md = { path: 'bench.md', text: '# bench\n', format: 'md' as const };
    await readBack((await attach(md, [samplePath('tp4-eager.sqlite')])).result, 'attach md');
    const series = ['tp1graph-decode.sqlite', 'tp2graph-decode.sqlite', 'tp4graph-decode.sqlite'].map(samplePath);
    const sc = await scaling(series, { batch: 8, prompt: null, gpuHourPrice: 2.5, model: modelShape('llama-3.3-70b')!, context: 8192 });
    expect(sc.recommendation).not.toBeNull();
    await readBack(sc, 'scaling --context');
    for (const f of jsonFiles(GOLDEN)) seen.add((JSON.parse(readFileSync(f, 'utf8')) as { kind: ResultKind }).kind);
    expect(RESULT_KINDS.filter((k) => !seen.has(k))).toEqual([]);
  });
});

describe('a result an earlier nsys-tp wrote still reads', () => {
  it('diagnose of tp4sp by the build of 2026-12-01: parses, renders in every format and compares against the trace', async () => {
    const f = join(REPO, 'test/fixtures/diagnose-2dd33eb-tp4sp.json');
    const old = parseDiagnosis(readFileSync(f, 'utf8'), f);
    expect(old.devices[0]!.decode).not.toHaveProperty('between');
    for (const format of ['terminal', 'md', 'html', 'json'] as const) expect((await render(old, format)).length, format).toBeGreaterThan(1000);
    await render(stepsResultOf(old), 'terminal');
    await render(kernelsResultOf(old), 'terminal');
    const c = await compare(old, [samplePath('tp4sp.sqlite')]);
    // The same trace, read by two versions: the steps are the same steps.
    expect(c.phases.length).toBeGreaterThan(0);
    expect(c.phases.map((p) => p.shift?.verdict)).toEqual(c.phases.map(() => 'unchanged'));
  });
});
