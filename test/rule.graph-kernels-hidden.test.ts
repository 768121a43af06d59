/**
 * graph-kernels-hidden (docs/architecture.md §5): fires where CUDA graphs were traced at graph level, stays silent where
 * graph kernels are in the trace or there are no graphs; its doc has the sections every rule doc has.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Analysis, loadTrace, RULES, runRules } from '../index.js';
import { rule } from '../rules/graph-kernels-hidden.js';
import { cli } from './support/cli.js';
import { HAVE_TRACES, REPO, samplePath, sharedTrace } from './support/traces.js';

const findings = (path: string, options: Record<string, number> = {}) =>
  runRules(new Analysis(loadTrace(path)), [rule], { options: { 'graph-kernels-hidden': options } }).findings;

describe('graph-kernels-hidden', () => {
  it('is registered and documented (Detects / Thresholds / Example / Fix, every option)', () => {
    expect(RULES.map((r) => r.meta.id)).toContain('graph-kernels-hidden');
    const doc = readFileSync(join(REPO, 'rules', 'graph-kernels-hidden.md'), 'utf8');
    expect(doc.split('\n')[0]).toBe('# graph-kernels-hidden');
    for (const h of ['Detects', 'Thresholds', 'Example', 'Fix']) expect(doc).toMatch(new RegExp(`^## ${h}$`, 'm'));
    for (const k of Object.keys(rule.meta.options)) expect(doc).toContain(`\`${k}\``);
    expect(doc).toContain('--cuda-graph-trace=node');
  });

  it('fires on graph-level graphs: tp4graphg decode slice', () => {
    const f = findings(samplePath('tp4graphg-decode.sqlite'));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ rule: 'graph-kernels-hidden', severity: 'warning' });
    expect(f[0]!.evidence).toMatchObject({ devices: [0, 1, 2, 3], graphExecutions: 8, stepsAffected: { decode: 8 }, cudaGraphTraceMode: 'Graph' });
    // Each decode step is an input copy and one graph execution: nearly all of its time is hidden.
    expect(f[0]!.evidence.shareOfAffectedSteps).toBeGreaterThan(0.99);
    expect(f[0]).toMatchObject({ messageId: 'hidden', data: { graphExecutions: 8, gpus: 4, stepsPerGpu: [{ phase: 'decode', steps: 2, plural: true }] } });
    expect(f[0]!.data.share).toBeGreaterThan(0.99);
    expect(f[0]!.recommendation).toContain('--cuda-graph-trace=node');
  });

  it('stays silent where graph kernels were traced (tp4graph) or there are no graphs (tp4 eager)', () => {
    expect(findings(samplePath('tp4graph-decode.sqlite'))).toEqual([]);
    expect(findings(samplePath('tp4-eager.sqlite'))).toEqual([]);
  });

  it('minShare is a threshold on the hidden share of the affected steps', () => {
    expect(findings(samplePath('tp4graphg-decode.sqlite'), { minShare: 0.99 })).toHaveLength(1);
    expect(findings(samplePath('tp4graphg-decode.sqlite'), { minShare: 0.999 })).toEqual([]);
  });

  it('diagnose and layers both show it', async () => {
    for (const cmd of ['diagnose', 'layers']) {
      const r = await cli([cmd, samplePath('tp4graphg-decode.sqlite')]);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/WARN graph-kernels-hidden: 8 CUDA graph executions/);
      expect(r.stdout).toContain('--cuda-graph-trace=node');
    }
  });

  it.skipIf(!HAVE_TRACES)('full traces: fires on tp4graphg only', () => {
    const f = findings(sharedTrace('tp4graphg'));
    expect(f).toHaveLength(1);
    // 72 graph executions, 18 decode steps per GPU, of which the report's tables describe 16 (steady): the
    // share is over those, the same steps as the tables' "other" row.
    expect(f[0]!.evidence).toMatchObject({ graphExecutions: 72, stepsAffected: { decode: 64 } });
    for (const name of ['tp4graph', 'tp2graph', 'tp1graph', 'tp4']) expect(findings(sharedTrace(name)), name).toEqual([]);
  });
});
