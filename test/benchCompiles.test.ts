/**
 * The benchmark (npm run bench) is not run by the tests, being minutes long; it must still build against
 * the library as it is, or BENCHMARKS.md could not be rewritten.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './support/traces.js';

describe('npm run bench', () => {
  it('its scripts type-check against the library', () => {
    const r = spawnSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(REPO, 'tsconfig.bench.json'), '--noEmit'], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 120_000);
});
