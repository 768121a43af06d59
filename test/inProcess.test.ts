/**
 * The in-process runner (support/inProcess.ts) is the CLI: on commands that print, write a file, refuse
 * bad input or usage, it gives the same stdout, stderr and exit code as the built CLI run as a process.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliAsync } from './support/catalogue.js';
import { tempDir } from './support/fixtures.js';
import { runCliInProcess } from './support/inProcess.js';
import { samplePath } from './support/traces.js';

const S = samplePath('tp4graph-decode.sqlite');
const T2 = samplePath('tp2graph-decode.sqlite');

describe('the in-process CLI is the CLI', () => {
  const cases: [string, (dir: string) => string[]][] = [
    ['diagnose', () => ['diagnose', S]],
    ['diagnose --format json', () => ['diagnose', S, '--format', 'json']],
    ['diagnose --format md --quiet', () => ['diagnose', S, '--format', 'md', '--quiet']],
    ['layers --format json', () => ['layers', S, '--format', 'json']],
    ['compare', () => ['compare', T2, S]],
    ['scaling', () => ['scaling', T2, S, '--batch', '8']],
    ['plan', () => ['plan', '--model', 'llama-3.3-70b']],
    ['rules --format json', () => ['rules', '--format', 'json']],
    ['--version', () => ['--version']],
    ['diagnose --help', () => ['diagnose', '--help']],
    ['a missing trace (exit 2)', (d) => ['diagnose', join(d, 'none.sqlite')]],
    ['a bad option (exit 2)', () => ['diagnose', S, '--format', 'pdf']],
    ['an unknown command (exit 2)', () => ['diagnse', S]],
    ['--fail-on (exit 1)', () => ['diagnose', S, '--fail-on', 'info']],
    ['-o over the input (exit 2)', () => ['diagnose', S, '-o', S]],
  ];
  for (const [name, args] of cases) {
    it(name, async () => {
      const d = tempDir();
      const spawned = await runCliAsync(args(d));
      const inProcess = await runCliInProcess(args(d));
      expect(spawned.status).not.toBeNull();
      expect({ status: inProcess.status, stdout: inProcess.stdout, stderr: inProcess.stderr }).toEqual({ status: spawned.status, stdout: spawned.stdout, stderr: spawned.stderr });
    });
  }
  it('-o writes the same file, and says so the same way', async () => {
    const d = tempDir();
    const a = await runCliAsync(['diagnose', S, '--format', 'md', '-o', join(d, 'a.md')]);
    const b = await runCliInProcess(['diagnose', S, '--format', 'md', '-o', join(d, 'b.md')]);
    expect([b.status, b.stdout]).toEqual([a.status, a.stdout]);
    expect(b.stderr.replace('b.md', 'a.md')).toBe(a.stderr);
    expect(readFileSync(join(d, 'b.md'), 'utf8')).toBe(readFileSync(join(d, 'a.md'), 'utf8'));
  });
  it('leaves the test process as it was: exit code, environment, streams', async () => {
    const env = { ...process.env };
    const write = process.stdout.write;
    await runCliInProcess(['diagnose', 'nope.sqlite'], { env: { NSYS_TP_PIPE_TIMEOUT: '1' } });
    expect(process.exitCode ?? 0).toBe(0);
    expect(process.env).toEqual(env);
    expect(process.stdout.write).toBe(write);
  });
});
