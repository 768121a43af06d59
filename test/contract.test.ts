/**
 * The result contract (analyzer/contract) and the vocabulary the surfaces take from it: a result every
 * command writes reads back as it was written (checked, never rewritten: same keys, same order, same
 * bytes); a hand edit is the one line naming its first bad field; every --format choice list is the
 * renderer registry's, every step-source list the const; the version is package.json's.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  compare, diagnose, doctor, FORMATS, formatsOf, kernelsResultOf, layersResultOf, modelShape, parseResult, plan, render, RESULT_KINDS, RESULT_SCHEMAS,
  SEVERITIES, STEP_SOURCES, stepsResultOf, TOOL_VERSION, type Result, type ResultKind,
} from '../index.js';
import { gpuSpecFor, SEVERITY_ORDER } from '../runner/frontend.js';
import { outputSchemaOf, TOOLS } from '../cli/mcpTools.js';
import { runCli } from './support/cli.js';
import { REPO, samplePath } from './support/traces.js';

const sample = samplePath('tp4graph-decode.sqlite');

async function results(): Promise<Result[]> {
  const d = await diagnose([sample]);
  const model = modelShape('llama-3.3-70b')!;
  const p = plan(model, { tps: [2, 4], gpu: gpuSpecFor('H100')!, batch: 8, context: null, memoryUtilization: 0.9, activationBytes: 2 });
  return [d, layersResultOf(d), stepsResultOf(d), kernelsResultOf(d), await compare(d, d), p, await doctor([sample])];
}

describe('a saved result reads back as written', () => {
  it('every kind: parseResult returns the object as read, and it renders to the same bytes', async () => {
    const seen = new Set<ResultKind>();
    for (const r of await results()) {
      const text = await render(r, 'json');
      const back = parseResult(text, `${r.kind}.json`);
      seen.add(back.kind);
      expect(Object.keys(back), r.kind).toEqual(Object.keys(JSON.parse(text)));
      expect(await render(back, 'json'), r.kind).toBe(text);
      // Zod's own output would strip or reorder nothing here either, but parseResult never hands it out.
      expect(back).toEqual(JSON.parse(text));
    }
    expect([...seen].sort()).toEqual(['compare', 'diagnose', 'doctor', 'kernels', 'layers', 'plan', 'steps']);
  });

  it('a hand edit is one line naming the first bad field, worded by what the field must hold', async () => {
    const d = await diagnose([sample]);
    const text = await render(d, 'json');
    const problem = (edit: (j: any) => void): string => {
      const j = JSON.parse(text);
      edit(j);
      try {
        parseResult(JSON.stringify(j), 'r.json');
        return 'accepted';
      } catch (e) {
        return (e as Error).message.replace(/^r\.json: not a diagnose result as nsys-tp writes it: /, '');
      }
    };
    expect(problem(() => {})).toBe('accepted');
    expect(problem((j) => (j.summary.phases[0].stepTimesNs[0] = 'fast'))).toBe('summary.phases[0].stepTimesNs[0]: expected a number, found a string');
    expect(problem((j) => delete j.summary)).toBe('summary: missing');
    expect(problem((j) => (j.summary.phases[0].stepTimesNs[1] = -1))).toBe('summary.phases[0].stepTimesNs[1]: -1 is not a positive time (a step takes some time)');
    expect(problem((j) => (j.summary.phases[0].commShare = 1.5))).toBe('summary.phases[0].commShare: 1.5 is not a share between 0 and 1');
    expect(problem((j) => (j.summary.tp = 0))).toBe('summary.tp: 0 is not a TP degree (a whole number, 1 or more)');
    expect(problem((j) => (j.summary.phases[0].gpus = 1.5))).toBe('summary.phases[0].gpus: 1.5 is not a count (a whole number, zero or more)');
    expect(problem((j) => (j.summary.stepSource = 'foo'))).toBe('summary.stepSource: expected one of nvtx, rhythm, graph, gaps, found "foo"');
    expect(problem((j) => (j.summary.settings = []))).toBe('summary.settings: expected an object, found an array');
    expect(problem((j) => (j.summary.findings = [{}]))).toBe('summary.findings[0].rule: missing');
    expect(problem((j) => (j.tool.version = 3))).toBe('tool.version: expected a string, found a number');
    expect(problem((j) => delete j.devices[0].steps)).toBe('devices[0].steps: missing');
    // Other fields are allowed (a newer version adds some); every field the contract names is checked, deep inside the
    // members no command computes on too (these two edits were accepted while those members were only typed).
    expect(problem((j) => ((j.extra = 1), (j.summary.extra = 2)))).toBe('accepted');
    expect(problem((j) => (j.devices[0].decode = 5))).toBe('devices[0].decode: expected an object, found a number');
    expect(problem((j) => delete j.stepRows)).toBe('stepRows: missing');
    expect(problem((j) => (j.kernels[0].top[0].class = 'gpu'))).toBe('kernels[0].top[0].class: expected one of gemm, attention, communication, norm, elementwise, memory, moe, other, found "gpu"');
    expect(problem((j) => (j.timeline.ops.startNs[2] = '7'))).toBe('timeline.ops.startNs[2]: expected a number, found a string');
    // A number JSON reads as infinity.
    const inf = text.replace(/"tp": \d+/, '"tp": 1e309');
    expect(() => parseResult(inf, 'r.json')).toThrow(/summary\.tp: expected a number, found a number beyond what a double holds/);
  });
});

describe('vocabulary from one const each', () => {
  it('the MCP tools take STEP_SOURCES (rhythm included) and declare their result\'s contract schema as output', () => {
    expect(STEP_SOURCES).toContain('rhythm');
    for (const t of TOOLS.filter((x) => x.inputSchema && 'stepSource' in x.inputSchema)) {
      const e = (t.inputSchema!.stepSource as z.ZodOptional<z.ZodEnum>).unwrap();
      expect(e.options, t.name).toEqual([...STEP_SOURCES]);
    }
    const withResult = TOOLS.filter((t) => t.result);
    expect(withResult.map((t) => t.name).sort()).toEqual(['compare', 'diagnose', 'doctor', 'kernels', 'layers', 'plan', 'scaling', 'steps']);
    for (const t of withResult) {
      expect(outputSchemaOf(t), t.name).toBe(RESULT_SCHEMAS[t.result!]);
      expect(() => z.toJSONSchema(outputSchemaOf(t)!, { io: 'output' }), t.name).not.toThrow();
    }
    expect(Object.keys(RESULT_SCHEMAS)).toEqual([...RESULT_KINDS]);
  });

  it('every command\'s --format takes the formats its result renders in (plan and layers take html as render does)', () => {
    /** The choices --help lists for a flag (commander wraps the help: read as one line). */
    const choicesOf = (args: string[], flag: string) => {
      const h = runCli([...args, '--help']).stdout.replace(/\s+/g, ' ');
      const m = new RegExp(`${flag} .*?\\(choices: ([^)]*)\\)`).exec(h);
      return m ? m[1]!.split(', default: ')[0]!.split(', ').map((c) => JSON.parse(c) as string) : null;
    };
    const choices = (args: string[]) => choicesOf(args, '--format <format>');
    const kinds: [string, ResultKind][] = [['diagnose', 'diagnose'], ['doctor', 'doctor'], ['layers', 'layers'], ['steps', 'steps'], ['kernels', 'kernels'], ['compare', 'compare'], ['scaling', 'scaling'], ['plan', 'plan']];
    for (const [cmd, kind] of kinds) expect(choices([cmd]), cmd).toEqual([...formatsOf(kind)]);
    expect(choices(['render'])).toEqual([...FORMATS]);
    expect(choices(['diagnose'])).toContain('html');
    expect(choicesOf(['diagnose'], '--step-source <source>')).toEqual([...STEP_SOURCES]);
    expect(choicesOf(['scaling'], '--step-source <source>')).toEqual([...STEP_SOURCES]);
    expect(choicesOf(['diagnose'], '--fail-on <severity>')).toEqual([...SEVERITIES]);
    expect(Object.keys(SEVERITY_ORDER).sort((a, b) => SEVERITY_ORDER[a as never] - SEVERITY_ORDER[b as never])).toEqual(['error', 'warning', 'info']);
  });

  it('plan --format html is the HTML render writes of the saved plan', () => {
    const json = runCli(['plan', '--model', 'llama-3.3-70b', '--format', 'json']);
    expect(json.status).toBe(0);
    const html = runCli(['plan', '--model', 'llama-3.3-70b', '--format', 'html']);
    expect(html.status, html.stderr).toBe(0);
    expect(html.stdout).toMatch(/^<!doctype html>/);
    expect(html.stdout).toContain('TP=8');
    const md = runCli(['plan', '--model', 'llama-3.3-70b', '--format', 'md']);
    expect(md.stdout).toMatch(/^# nsys-tp plan · Llama 3\.3 70B/);
    const saved = join(mkdtempSync(join(tmpdir(), 'nsys-tp-contract-')), 'plan.json');
    writeFileSync(saved, json.stdout);
    expect(runCli(['render', saved, '--format', 'html']).stdout).toBe(html.stdout);
  });

  it('the version every result and --version carry is package.json\'s', async () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(TOOL_VERSION).toBe(pkg.version);
    expect(runCli(['--version']).stdout.trim()).toBe(pkg.version);
    const p = plan(modelShape('llama-3.3-70b')!, { tps: [1], gpu: gpuSpecFor('H100')!, batch: 1, context: null, memoryUtilization: 0.9, activationBytes: 2 });
    expect(p.tool).toEqual({ name: 'nsys-tp', version: pkg.version });
  });
});
