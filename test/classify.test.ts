/**
 * The kernel class table against real kernel names (test/fixtures/kernel-names.tsv: each row's source is
 * a trace or a public repository / issue), including names that fool naive patterns.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../analyzer/classify/classifier.js';
import { kernelNameView } from '../analyzer/classify/kernelName.js';
import { runCli } from './support/cli.js';
import { REPO } from './support/traces.js';

const rows = readFileSync(join(REPO, 'test/fixtures/kernel-names.tsv'), 'utf8')
  .split('\n')
  .slice(1)
  .filter((l) => l.trim())
  .map((l) => {
    const [expected, name, source] = l.split('\t');
    return { expected: expected!, name: name!, source: source! };
  });

describe('kernel classification table', () => {
  it('has at least 80 sourced rows covering every class', () => {
    expect(rows.length).toBeGreaterThanOrEqual(80);
    for (const r of rows) expect(r.source.length, r.name).toBeGreaterThan(3);
    const classes = new Set(rows.map((r) => r.expected.split(':')[0]));
    for (const c of ['gemm', 'attention', 'communication', 'norm', 'elementwise', 'memory', 'moe', 'other']) expect(classes).toContain(c);
  });
  const classifier = createClassifier();
  for (const r of rows) {
    it(`${r.expected} ← ${r.name.slice(0, 110)}`, () => {
      const c = classifier.classify(r.name, r.name);
      expect(c.class === 'communication' ? `communication:${c.op}` : c.class, `${r.name} (${r.source}); matched ${c.row}`).toBe(r.expected);
    });
  }
  it('the classify command agrees with the table for every row', () => {
    const out = runCli(['classify'], { input: rows.map((r) => r.name).join('\n') + '\n' });
    expect(out.status).toBe(0);
    const got = out.stdout.trimEnd().split('\n').map((l) => l.split('\t')[0]);
    expect(got).toEqual(rows.map((r) => r.expected));
  });
});

describe('kernel name views', () => {
  it('looks inside cutlass::device_kernel<...> at the first inner identifier', () => {
    expect(kernelNameView('device_kernel', 'void cutlass::device_kernel<flash::FlashAttnFwdSm90<cutlass::gemm::X>>(T1::Params)').inner).toBe('flash::FlashAttnFwdSm90');
  });
  it('strips return types, anonymous namespaces and parameters', () => {
    const v = kernelNameView('CatArrayBatchedCopy', 'void at::native::(anonymous namespace)::CatArrayBatchedCopy<int, 4>(int*, int)');
    expect(v.qualified).toBe('at::native::anon::CatArrayBatchedCopy');
    expect(v.inner).toBe('');
  });
});
