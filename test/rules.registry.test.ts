/** Every rule is registered, has a doc with the four sections, and its id matches its file (ESLint style). */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLAN_RULES, RULES, SCALING_RULES } from '../rules/index.js';
import { REPO } from './support/traces.js';

const RULES_DIR = join(REPO, 'rules');
const INFRA = new Set(['index.ts', 'types.ts', 'engine.ts', 'advice.ts', 'options.ts', 'requirements.ts', 'messageFormat.ts', 'sharedMessages.ts', 'catalogue.ts']);

/** What each trace rule needs to run, in the order its reason is given: the requirements as the rules declared them before deps (rules/requirements.ts). */
const REQUIRED: Record<string, string[]> = {
  'collective-wait': ['steps', 'collectives'], 'comm-dominant-step': ['steps', 'collectives'], 'comm-serialized': ['steps', 'collectives'],
  'copy-bound': ['steps'], 'graph-kernels-hidden': [], 'host-bound-gaps': ['steps', 'launches'], 'idle-between-steps': ['steps'],
  'latency-bound-collectives': ['steps', 'collectives'], 'low-bus-bandwidth': ['collectives', 'gpuSpec'], 'low-flops-achievement': ['steps', 'prompt', 'gpuSpec'],
  'low-hbm-bandwidth': ['steps', 'workload', 'gpuSpec'], 'nccl-algorithm-override': ['collectives'], 'sequence-parallel': ['steps', 'collectives'],
  'slow-regime': ['steps'], 'straggler-rank': ['steps', 'collectives'], 'sync-in-step': ['steps', 'launches'],
};

describe('rule registry', () => {
  it('every trace rule declares the data it reads, and its requirements are the declared data a trace can lack', () => {
    expect(Object.fromEntries(RULES.map((r) => [r.meta.id, r.meta.requires]))).toEqual(REQUIRED);
    for (const r of RULES) expect(r.meta.deps, r.meta.id).toEqual(expect.arrayContaining([...r.meta.requires]));
  });
  it('every rule file is registered and every registered rule has its file', () => {
    const files = readdirSync(RULES_DIR).filter((f) => f.endsWith('.ts') && !INFRA.has(f) && !f.startsWith('_')).map((f) => f.replace(/\.ts$/, ''));
    expect([...RULES, ...PLAN_RULES, ...SCALING_RULES].map((r) => r.meta.id).sort()).toEqual(files.sort());
  });
  for (const r of [...RULES, ...PLAN_RULES, ...SCALING_RULES]) {
    it(`${r.meta.id}: documented in rules/${r.meta.id}.md with Detects / Thresholds / Example / Fix`, () => {
      const doc = join(RULES_DIR, `${r.meta.id}.md`);
      expect(existsSync(doc)).toBe(true);
      const text = readFileSync(doc, 'utf8');
      expect(text.startsWith(`# ${r.meta.id}\n`)).toBe(true);
      for (const section of ['## Detects', '## Thresholds', '## Example', '## Fix']) expect(text).toContain(`\n${section}\n`);
      for (const option of Object.keys(r.meta.options)) expect(text, `option ${option} documented`).toContain(`\`${option}\``);
    });
  }
});
