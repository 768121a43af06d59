/** Runs the built CLI the way a user does (`npm test` builds it first). */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './traces.js';

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { input?: string; cwd?: string; timeoutMs?: number; env?: Record<string, string> } = {}): CliRun {
  const r = spawnSync(process.execPath, [join(REPO, 'dist/cli/main.js'), ...args], {
    encoding: 'utf8',
    input: opts.input,
    cwd: opts.cwd ?? REPO,
    timeout: opts.timeoutMs ?? 120_000,
    env: { ...process.env, NSYS_TP_DEBUG: '', ...opts.env },
    maxBuffer: 256 * 2 ** 20,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function diagnoseJson(args: string[]): any {
  const r = runCli(['diagnose', '--format', 'json', ...args]);
  if (r.status !== 0) throw new Error(`diagnose failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}
