/**
 * The CLI run inside the test process: cli/main.ts's `main` on the same argv a user's shell would give,
 * with what it writes to stdout (fd 1, cli/output.ts) and stderr captured and its exit code read back. It
 * skips node's start and the loading of every module (about half a second of CPU a run), so the test
 * matrices can try every command on every input; a few tests still spawn the built CLI (support/cli.ts,
 * support/catalogue.ts runCliAsync) for what only a process shows: a hang, the memory held, a pipe or a device as stdin, signals.
 *
 * Runs are one at a time (they share process.env, the exit code and the streams). What a command reads
 * from fd 0 (classify) comes from `stdin`, a file the run's fd 0 stands for as it does after `< file`; not
 * for mcp, which reads process.stdin as a stream.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './traces.js';

export interface InProcessRun {
  status: number | null;
  signal: null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: false;
  /** Not measured in-process (the test process's memory is not the command's). */
  peakBytes: 0;
}

export interface InProcessOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** What the command reads from fd 0; none: an empty file. */
  stdin?: string | Buffer;
}

(globalThis as Record<symbol, unknown>)[Symbol.for('nsys-tp.in-process')] = true;
let mainOf: Promise<(argv: readonly string[]) => Promise<void>> | null = null;
let queue: Promise<unknown> = Promise.resolve();

/** Runs `nsys-tp ...args` in this process; resolves once the command has ended. */
export function runCliInProcess(args: string[], opts: InProcessOptions = {}): Promise<InProcessRun> {
  const run = queue.then(() => once(args, opts));
  queue = run.catch(() => {});
  return run;
}

async function once(args: string[], opts: InProcessOptions): Promise<InProcessRun> {
  mainOf ??= import('../../cli/main.js').then((m) => m.main);
  const main = await mainOf;
  const t0 = Date.now();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const chunk = (b: unknown, off?: unknown, len?: unknown): Buffer => {
    const buf = typeof b === 'string' ? Buffer.from(b) : Buffer.from(b as Uint8Array);
    const o = typeof off === 'number' ? off : 0;
    return buf.subarray(o, typeof len === 'number' ? o + len : undefined);
  };
  const writeSync = fs.writeSync;
  const readSync = fs.readSync;
  const fstatSync = fs.fstatSync;
  const stdinFile = join(tmpdir(), `nsys-tp-stdin-${process.pid}`);
  fs.writeFileSync(stdinFile, opts.stdin ?? '');
  const stdinFd = fs.openSync(stdinFile, 'r');
  fs.unlinkSync(stdinFile);
  const fd0 = (fd: number) => (fd === 0 ? stdinFd : fd);
  (fs as { readSync: unknown }).readSync = (fd: number, ...rest: unknown[]) => (readSync as (...a: unknown[]) => number)(fd0(fd), ...rest);
  (fs as { fstatSync: unknown }).fstatSync = (fd: number, ...rest: unknown[]) => (fstatSync as (...a: unknown[]) => unknown)(fd0(fd), ...rest);
  const stdoutWrite = process.stdout.write;
  const stderrWrite = process.stderr.write;
  const tty = { out: process.stdout.isTTY, err: process.stderr.isTTY };
  const env = { ...process.env };
  const exitCode = process.exitCode;
  const cwd = process.cwd();
  // fd 1 and 2 as a pipe would take them: whole writes, and never a terminal.
  (fs as { writeSync: unknown }).writeSync = (fd: number, b: unknown, off?: unknown, len?: unknown, ...rest: unknown[]) => {
    if (fd !== 1 && fd !== 2) return (writeSync as (...a: unknown[]) => number)(fd, b, off, len, ...rest);
    const c = typeof b === 'string' ? Buffer.from(b) : chunk(b, off, len);
    (fd === 1 ? out : err).push(c);
    return c.length;
  };
  syncBuiltinESMExports();
  const capture = (to: Buffer[]) => ((b: string | Uint8Array, enc?: unknown, cb?: unknown) => {
    to.push(typeof b === 'string' ? Buffer.from(b, typeof enc === 'string' ? (enc as BufferEncoding) : 'utf8') : Buffer.from(b));
    const done = typeof enc === 'function' ? enc : cb;
    if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  process.stdout.isTTY = false as true;
  process.stderr.isTTY = false as true;
  Object.assign(process.env, { NSYS_TP_DEBUG: '' }, opts.env);
  process.exitCode = undefined;
  if (opts.cwd) process.chdir(opts.cwd);
  let status: number | null;
  try {
    await main([process.execPath, join(REPO, 'dist/cli/main.js'), ...args]);
    status = typeof process.exitCode === 'number' ? process.exitCode : Number(process.exitCode ?? 0);
  } finally {
    (fs as { writeSync: unknown }).writeSync = writeSync;
    (fs as { readSync: unknown }).readSync = readSync;
    (fs as { fstatSync: unknown }).fstatSync = fstatSync;
    fs.closeSync(stdinFd);
    syncBuiltinESMExports();
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
    process.stdout.isTTY = tty.out as true;
    process.stderr.isTTY = tty.err as true;
    for (const k of Object.keys(process.env)) if (!(k in env)) delete process.env[k];
    Object.assign(process.env, env);
    process.exitCode = exitCode;
    if (opts.cwd) process.chdir(cwd);
  }
  return { status, signal: null, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ms: Date.now() - t0, timedOut: false, peakBytes: 0 };
}
