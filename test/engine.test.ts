/** The rule engine: options, a throwing rule, severity gates, config files (issue 5, item 1). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Analysis, loadTrace } from '../index.js';
import { runRules } from '../rules/engine.js';
import { RULES } from '../rules/index.js';
import { defineTraceRule, type Rule } from '../rules/types.js';
import { requiredData } from '../rules/requirements.js';
import { cli, diagnoseJsonIn } from './support/cli.js';
import { tempDir } from './support/fixtures.js';
import { samplePath } from './support/traces.js';

const SAMPLE = samplePath('tp4graph-decode.sqlite');

describe('rule engine', () => {
  const analysis = new Analysis(loadTrace(SAMPLE));
  it('a rule that throws becomes an error finding and the others still run', () => {
    const broken: Rule = { meta: { id: 'broken', severity: 'info', title: 't', description: 'd', options: {}, requires: [], messages: {} }, check: () => { throw new Error('boom'); } };
    const f = runRules(analysis, [broken, ...RULES]).findings;
    expect(f[0]).toMatchObject({ rule: 'broken', severity: 'error' });
    expect(f[0]!.message).toContain('boom');
    expect(f.map((x) => x.rule)).toContain('latency-bound-collectives');
  });
  it('a trace rule gets the data it declared, read when it reads them, and is not run without a requirement', () => {
    const read: string[] = [];
    const spy = new Proxy(analysis, { get: (t, k) => (read.push(String(k)), Reflect.get(t, k, t)) });
    const data = requiredData(spy as Analysis, ['model', 'regimes', 'steps'] as const);
    expect(Object.keys(data)).toEqual(['model', 'regimes', 'steps']);
    expect(read).toEqual([]);
    expect(data.model).toBe(analysis.model);
    expect(read).toEqual(['model']);
    const needsPrompt: Rule = defineTraceRule({
      meta: { id: 'needs-prompt', severity: 'info', title: 't', description: 'd', options: {}, deps: ['model', 'prompt'], messages: { m: 'x' } },
      check: () => { throw new Error('never run'); },
    });
    expect(needsPrompt.meta.requires).toEqual(['prompt']);
    expect(runRules(analysis, [needsPrompt]).notRun).toEqual([{ rule: 'needs-prompt', title: 't', reason: 'needs --model, --batch and --prompt' }]);
  });
  it('options override defaults per run', () => {
    const lb = RULES.find((r) => r.meta.id === 'latency-bound-collectives')!;
    expect(runRules(analysis, [lb]).findings).toHaveLength(1);
    expect(runRules(analysis, [lb], { options: { 'latency-bound-collectives': { minShareOfStep: 0.2 } } }).findings).toHaveLength(0);
    expect(runRules(analysis, [lb], { disabled: ['latency-bound-collectives'] }).findings).toHaveLength(0);
  });
});

describe('engine from the command line', () => {
  it('--rule id.option=value changes a threshold', async () => {
    expect((await diagnoseJsonIn([SAMPLE])).findings.map((f: any) => f.rule)).toEqual(['latency-bound-collectives']);
    expect((await diagnoseJsonIn([SAMPLE, '--rule', 'latency-bound-collectives.minShareOfStep=0.2'])).findings).toEqual([]);
  });
  it('a config file sets options and disables rules', async () => {
    const cfg = join(tempDir(), 'nsys-tp.json');
    writeFileSync(cfg, JSON.stringify({ disabledRules: ['latency-bound-collectives'] }));
    expect((await diagnoseJsonIn([SAMPLE, '--config', cfg])).findings).toEqual([]);
    writeFileSync(cfg, JSON.stringify({ rules: { 'latency-bound-collectives': { minPerStep: 100 } } }));
    expect((await diagnoseJsonIn([SAMPLE, '--config', cfg])).findings).toEqual([]);
  });
  it('--fail-on sets the exit code for CI gating', async () => {
    expect((await cli(['diagnose', SAMPLE, '--fail-on', 'error'])).status).toBe(0);
    const r = await cli(['diagnose', SAMPLE, '--fail-on', 'warning']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('nsys-tp: --fail-on warning: 1 finding(s) (latency-bound-collectives)');
  });
  it('bad --rule arguments are one-line usage errors', async () => {
    for (const [arg, msg] of [['nope.x=1', /unknown rule "nope"/], ['latency-bound-collectives.x=1', /has no option "x"/], ['latency-bound-collectives.minPerStep=abc', /takes a number/]] as const) {
      const r = await cli(['diagnose', SAMPLE, '--rule', arg]);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(msg);
    }
  });
});
