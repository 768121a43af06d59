/** Runs the CLI the way a user does (`npm test` builds it first), or in-process (`cli`, `diagnoseJsonIn`) where no process is needed. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './traces.js';
import { runCliInProcess } from './inProcess.js';

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

/** runCli's result, the command run in-process (support/inProcess.ts): what most tests need, without a process. */
export async function cli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  const r = await runCliInProcess(args, opts);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** diagnoseJson in-process. */
export async function diagnoseJsonIn(args: string[]): Promise<any> {
  const r = await cli(['diagnose', '--format', 'json', ...args]);
  if (r.status !== 0) throw new Error(`diagnose failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}
