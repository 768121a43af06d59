/**
 * The commands the bad-input catalogue runs, one row each: what it is called and the arguments it gets for
 * an input under test. A new command joins the catalogue by adding its row to the list of the kind of input
 * it reads; every bad input of that kind is then tried on it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, cpSync, existsSync, openSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tempDir } from './fixtures.js';
import { join, relative, sep } from 'node:path';
import { REPO, samplePath } from './traces.js';

export interface RunContext {
  /** The input under test (a broken trace, a broken model config, ...). */
  input: string;
  /** An intact copy of a sample trace, for commands that need a good file beside the bad one. */
  good: string;
  /** An empty folder for what the command writes (its name has a space and non-ASCII letters). */
  out: string;
}

export interface CommandRow {
  command: string;
  args: (c: RunContext) => string[];
  /** A clean refusal this command may give on an input the others read (slice: no steps to keep). */
  mayRefuse?: RegExp;
  /** Its stdout is JSON: parsed and checked for every input it accepts. */
  json?: boolean;
  /** Its JSON is a diagnosis of the input alone: the bad input's own checks (`BadTrace.check`) apply. */
  checked?: boolean;
  /** What it reads on stdin, when not the input itself. */
  stdin?: string;
  /** Other files it reads or edits (a benchmark result it adds to): byte-identical whenever it refuses. */
  keeps?: (c: RunContext) => string[];
  /** doctor: exit 1 (a capture with gaps) and exit 2 with its report (not a TP capture) are its answers, not failures. */
  verdictExit?: boolean;
}

/** doctor's exit 2 with a report: the capture read, and judged not a TP capture it can diagnose. */
export const NOT_TP = /not a TP inference capture nsys-tp can diagnose/;

/** A benchmark result as `vllm bench serve --save-result` writes it (fields abridged), for commands that add to one. */
export const BENCH_RESULT = `${JSON.stringify({
  date: '20261127-041651', backend: 'vllm', model_id: 'meta-llama/Llama-3.3-70B-Instruct', tokenizer_id: 'meta-llama/Llama-3.3-70B-Instruct',
  num_prompts: 200, request_rate: 'inf', max_concurrency: 8, duration: 61.2, completed: 200, total_input_tokens: 102400,
  total_output_tokens: 25600, request_throughput: 3.27, output_throughput: 418.3, total_token_throughput: 2091.5,
  mean_ttft_ms: 182.4, median_ttft_ms: 170.1, p99_ttft_ms: 402.7, mean_tpot_ms: 18.3, median_tpot_ms: 18.1, p99_tpot_ms: 21.9,
}, null, 2)}\n`;

/** Writes BENCH_RESULT into `dir` (a name with a space and a non-ASCII letter) and returns its path. */
export function benchResult(dir: string): string {
  const p = join(dir, 'bench ü.json');
  if (!existsSync(p)) writeFileSync(p, BENCH_RESULT);
  return p;
}

/** The committed TP=2 slice, read (never written) by scaling beside a TP=4 input. */
const TP2 = samplePath('tp2graph-decode.sqlite');
const TP_REFUSAL = /TP=|TP degree|no prefill or decode steps/;

/** Commands that read nsys exports. */
export const TRACE_COMMANDS: CommandRow[] = [
  { command: 'diagnose', args: (c) => ['diagnose', c.input] },
  { command: 'diagnose --format json', args: (c) => ['diagnose', c.input, '--format', 'json'], json: true, checked: true },
  { command: 'diagnose --format md -o', args: (c) => ['diagnose', c.input, '--format', 'md', '-o', join(c.out, 'report ü.md')] },
  { command: 'diagnose --format html -o --chart', args: (c) => ['diagnose', c.input, '--format', 'html', '-o', join(c.out, 'report.html'), '--chart', join(c.out, 'charts')] },
  // The good file is another run's (CUDA-graph decode) than most bad ones (eager): refused as not one job, or read.
  { command: 'diagnose (per-rank files, one bad) --format json', args: (c) => ['diagnose', c.good, c.input, '--format', 'json'], json: true, mayRefuse: /not the per-rank files of one run/ },
  { command: 'doctor', args: (c) => ['doctor', c.input], verdictExit: true },
  { command: 'doctor --format json', args: (c) => ['doctor', c.input, '--format', 'json'], json: true, verdictExit: true },
  { command: 'layers', args: (c) => ['layers', c.input] },
  { command: 'layers --format json', args: (c) => ['layers', c.input, '--format', 'json'], json: true },
  { command: 'layers --format md -o', args: (c) => ['layers', c.input, '--format', 'md', '-o', join(c.out, 'layers.md')] },
  { command: 'slice -o', args: (c) => ['slice', c.input, '--steps', '^decode', '-o', join(c.out, 'slice.sqlite')], mayRefuse: /no steps match/ },
  { command: 'compare (bad as new) --format json', args: (c) => ['compare', c.good, c.input, '--format', 'json'], json: true },
  { command: 'compare (bad as base) --format md -o', args: (c) => ['compare', c.input, c.good, '--format', 'md', '-o', join(c.out, 'compare.md')] },
  // Refused when the input reads as TP=2 too (one trace per degree) or has no phase to scale.
  { command: 'scaling (TP=2 and the input) --format json', args: (c) => ['scaling', TP2, c.input, '--batch', '8', '--format', 'json'], json: true, mayRefuse: TP_REFUSAL },
  { command: 'scaling --chart', args: (c) => ['scaling', TP2, c.input, '--batch', '8', '--chart', join(c.out, 'charts')], mayRefuse: TP_REFUSAL },
  { command: 'attach (json)', args: (c) => ['attach', benchResult(c.out), c.input], keeps: (c) => [benchResult(c.out)] },
];

/** Commands that read a model config.json (--model). */
export const MODEL_COMMANDS: CommandRow[] = [
  { command: 'plan', args: (c) => ['plan', '--model', c.input] },
  { command: 'plan --format json -o', args: (c) => ['plan', '--model', c.input, '--format', 'json', '-o', join(c.out, 'plan.json')] },
  { command: 'diagnose --model', args: (c) => ['diagnose', c.good, '--model', c.input, '--batch', '8', '--format', 'json'], json: true },
];

/** Commands that read an nsys-tp config file (--config). */
export const CONFIG_COMMANDS: CommandRow[] = [
  { command: 'diagnose --config', args: (c) => ['diagnose', c.good, '--config', c.input, '--format', 'md'] },
  { command: 'layers --config', args: (c) => ['layers', c.good, '--config', c.input] },
  { command: 'classify --config', args: (c) => ['classify', '--config', c.input], stdin: 'nvjet_sm90_tst_64x8_64x16_2x1_v_bz_NNT\nncclDevKernel_AllReduce_Sum_bf16_RING_LL\n' },
];

/** Commands that read stdin (the input file is piped in). */
export const STDIN_COMMANDS: CommandRow[] = [{ command: 'classify', args: () => ['classify'] }];

export interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
  /** The most memory the process held (VmHWM, sampled while it ran), in bytes; 0 when not measured. */
  peakBytes: number;
}

/** Long enough for the slowest command on a busy 2-core machine, short enough to call a hang a hang. */
export const RUN_TIMEOUT_MS = 60_000;
/** What a run on a small input may hold at most. */
export const MAX_RUN_BYTES = 2 ** 30;

export interface RunOptions {
  stdin?: Buffer | string;
  /** A file (or folder, or device) opened as the command's stdin instead of a pipe. */
  stdinPath?: string;
  /** `full`: stdout is /dev/full; `closed`: a pipe whose reader has gone before anything is written. */
  stdout?: 'full' | 'closed';
  uid?: number;
  cwd?: string;
  prefix?: string[];
  env?: Record<string, string>;
  /** The built CLI to run (default: this checkout's dist/cli/main.js). */
  cli?: string;
}

/** Peak resident memory of a running process, from /proc (0 where there is none). */
function peakOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runs the built CLI without blocking the test process (several runs share the cores). */
export function runCliAsync(args: string[], opts: RunOptions = {}): Promise<Run> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const argv = [...(opts.prefix ?? []), process.execPath, opts.cli ?? join(REPO, 'dist/cli/main.js'), ...args];
    const fds: number[] = [];
    const stdinFd = opts.stdinPath !== undefined ? openSync(opts.stdinPath, 'r') : undefined;
    if (stdinFd !== undefined) fds.push(stdinFd);
    const stdoutFd = opts.stdout === 'full' ? openSync('/dev/full', 'w') : undefined;
    if (stdoutFd !== undefined) fds.push(stdoutFd);
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: opts.cwd ?? REPO,
      env: { ...process.env, NSYS_TP_DEBUG: '', ...opts.env },
      timeout: RUN_TIMEOUT_MS,
      killSignal: 'SIGKILL',
      stdio: [stdinFd ?? 'pipe', stdoutFd ?? 'pipe', 'pipe'],
      ...(opts.uid === undefined ? {} : { uid: opts.uid, gid: opts.uid }),
    });
    for (const fd of fds) closeSync(fd);
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, peakOf(child.pid))), 100);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    if (opts.stdout === 'closed') child.stdout!.destroy();
    else child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    if (child.stdin) {
      child.stdin.on('error', () => {}); // a command that stops reading early closes the pipe
      child.stdin.end(opts.stdin ?? '');
    }
    child.on('exit', () => {
      clearInterval(sampler);
    });
    child.on('close', (status, signal) => {
      clearInterval(sampler);
      const ms = Date.now() - t0;
      resolve({
        status, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ms,
        timedOut: signal === 'SIGKILL' && ms >= RUN_TIMEOUT_MS, peakBytes: peak,
      });
    });
  });
}

/** What makes a run acceptable whatever the input: no crash, no hang, no stack trace, one-line errors, bounded memory. */
export function cleanExit(r: Run, verdictExit = false): string[] {
  const problems: string[] = [];
  if (r.timedOut) problems.push(`hung (killed after ${RUN_TIMEOUT_MS} ms)`);
  else if (r.status !== 0 && r.status !== 2 && !(verdictExit && r.status === 1)) problems.push(`exit ${r.status}${r.signal ? ` (${r.signal})` : ''}`);
  if (/\n\s+at |internal error|Error: /.test(r.stderr)) problems.push('stack trace or internal error on stderr');
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  if (lines.some((l) => !l.startsWith('nsys-tp: '))) problems.push('stderr lines not from nsys-tp');
  if (r.status === 2) {
    if (lines.length !== 1) problems.push(`${lines.length} lines on stderr for an error`);
    if (r.stdout !== '' && !(verdictExit && NOT_TP.test(r.stderr))) problems.push('an error and output on stdout');
  }
  if (r.peakBytes > MAX_RUN_BYTES) problems.push(`held ${(r.peakBytes / 2 ** 20).toFixed(0)} MiB of memory`);
  return problems;
}

/** Temp files a writer left behind (writes are temp file + rename). */
export function leftoverTemps(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (/\.tmp$|-journal$/.test(f)) out.push(p);
    else if (statSync(p).isDirectory()) out.push(...leftoverTemps(p));
  }
  return out;
}

/** Runs `tasks` with at most `n` in flight. */
export async function pool<T>(tasks: (() => Promise<T>)[], n: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, tasks.length) }, worker));
  return results;
}

/** Commands that write files, with the path under test as their output (a file, or a folder for --chart). */
export interface WriterRow {
  command: string;
  args: (input: string, target: string) => string[];
  target: 'file' | 'folder';
  /** False for commands that read no trace (the input-overwrite cases do not apply). */
  readsTrace?: boolean;
  /** For --chart: a file name the command writes into the folder (default classes.svg). */
  chart?: string;
  /** For commands that edit an existing file (attach): what the target holds before the run. */
  before?: string;
}

export const WRITERS: WriterRow[] = [
  { command: 'diagnose -o', args: (i, o) => ['diagnose', i, '-o', o], target: 'file' },
  { command: 'diagnose --format json -o', args: (i, o) => ['diagnose', i, '--format', 'json', '-o', o], target: 'file' },
  { command: 'diagnose --format md -o', args: (i, o) => ['diagnose', i, '--format', 'md', '-o', o], target: 'file' },
  { command: 'diagnose --format html -o', args: (i, o) => ['diagnose', i, '--format', 'html', '-o', o], target: 'file' },
  { command: 'diagnose --chart', args: (i, o) => ['diagnose', i, '--chart', o], target: 'folder' },
  { command: 'layers --format md -o', args: (i, o) => ['layers', i, '--format', 'md', '-o', o], target: 'file' },
  { command: 'layers --chart', args: (i, o) => ['layers', i, '--chart', o], target: 'folder' },
  { command: 'slice -o', args: (i, o) => ['slice', i, '--steps', '^decode', '-o', o], target: 'file' },
  { command: 'plan --format json -o', args: (_i, o) => ['plan', '--model', 'llama-3.3-70b', '--format', 'json', '-o', o], target: 'file', readsTrace: false },
  { command: 'compare --format md -o', args: (i, o) => ['compare', i, i, '--format', 'md', '-o', o], target: 'file' },
  { command: 'scaling -o', args: (i, o) => ['scaling', TP2, i, '--batch', '8', '-o', o], target: 'file' },
  { command: 'scaling --chart', args: (i, o) => ['scaling', TP2, i, '--batch', '8', '--chart', o], target: 'folder', chart: 'scaling.svg' },
  { command: 'attach', args: (i, o) => ['attach', o, i], target: 'file', before: BENCH_RESULT },
];

/** The unprivileged user tests run the CLI as when they need permissions to apply to it (root ignores them). */
export const NOBODY = 65534;
export const IS_ROOT = process.getuid?.() === 0;

let forUser: { cli: string } | { skip: string } | null = null;

/**
 * A built CLI that NOBODY can run: this checkout's when NOBODY can reach it, else a copy of dist/ in a
 * folder NOBODY can read (the clone may sit in a folder only root may enter), using the same
 * node_modules; `skip` says why neither works.
 */
export function cliForNobody(): { cli: string } | { skip: string } {
  if (forUser) return forUser;
  const works = (cli: string) => spawnSync(process.execPath, [cli, '--version'], { uid: NOBODY, gid: NOBODY, encoding: 'utf8' }).status === 0;
  const own = join(REPO, 'dist/cli/main.js');
  if (works(own)) return (forUser = { cli: own });
  const dir = tempDir();
  chmodSync(dir, 0o755);
  cpSync(join(REPO, 'dist'), join(dir, 'dist'), { recursive: true });
  copyFileSync(join(REPO, 'package.json'), join(dir, 'package.json'));
  const modules = realpathSync(join(REPO, 'node_modules'));
  symlinkSync(modules, join(dir, 'node_modules'));
  const copy = join(dir, 'dist/cli/main.js');
  if (works(copy)) return (forUser = { cli: copy });
  // node_modules too is out of that user's reach: copy what the CLI runs on (not the build and test tools).
  rmSync(join(dir, 'node_modules'));
  const devOnly = /^(typescript|vitest|@vitest|vite|rolldown|@rolldown|@oxc-project|playwright-core|lightningcss.*|@types|\.bin)$/;
  cpSync(modules, join(dir, 'node_modules'), { recursive: true, dereference: true, filter: (src) => !devOnly.test(relative(modules, src).split(sep)[0] ?? '') });
  if (works(copy)) return (forUser = { cli: copy });
  return (forUser = { skip: `user ${NOBODY} cannot run the CLI even from a copy in ${dir} (can it run ${process.execPath}?)` });
}

/** attach on a benchmark result under test (the input), with a good trace. */
export const ATTACH_COMMANDS: CommandRow[] = [
  { command: 'attach (json)', args: (c) => ['attach', c.input, c.good] },
  { command: 'attach --format md', args: (c) => ['attach', c.input, c.good, '--format', 'md'] },
];

/** Commands that write to stdout, on a good trace: for stdout that cannot take it. */
export const STDOUT_COMMANDS: { command: string; args: (trace: string) => string[]; stdin?: string }[] = [
  { command: 'diagnose', args: (t) => ['diagnose', t] },
  { command: 'diagnose --format json', args: (t) => ['diagnose', t, '--format', 'json'] },
  { command: 'diagnose --format md', args: (t) => ['diagnose', t, '--format', 'md'] },
  { command: 'layers', args: (t) => ['layers', t] },
  { command: 'compare', args: (t) => ['compare', t, t] },
  { command: 'scaling', args: (t) => ['scaling', TP2, t, '--batch', '8'] },
  { command: 'plan', args: () => ['plan', '--model', 'llama-3.3-70b'] },
  { command: '--help', args: () => ['--help'] },
  { command: 'diagnose --help', args: () => ['diagnose', '--help'] },
  { command: '--version', args: () => ['--version'] },
];

/** The commands that take user patterns, with `pattern` in each place one goes (--steps, a config's kernel classes). */
const NO_STEPS = /no steps: no NVTX range with GPU work matches --steps/;

export function patternCommands(pattern: string, flags?: string): CommandRow[] {
  const config = (c: RunContext) => {
    const p = join(c.out, 'classes.json');
    writeFileSync(p, JSON.stringify({ kernelClasses: [{ class: 'gemm', pattern, ...(flags ? { flags } : {}) }] }));
    return p;
  };
  const rows: CommandRow[] = [
    { command: 'diagnose --config (kernel class)', args: (c) => ['diagnose', c.input, '--config', config(c), '--format', 'json'], json: true },
    { command: 'classify --config', args: (c) => ['classify', '--config', config(c)], stdin: `${'a'.repeat(30_000)}!\n${'a'.repeat(30_000)}\n` },
  ];
  if (flags) return rows;
  return [
    ...rows,
    // A pattern no step range matches is a usage error (a selection over nothing passes no gate): refused, in linear time.
    { command: 'diagnose --steps', args: (c) => ['diagnose', c.input, '--steps', pattern, '--format', 'json'], json: true, mayRefuse: NO_STEPS },
    { command: 'layers --steps', args: (c) => ['layers', c.input, '--steps', pattern], mayRefuse: NO_STEPS },
    { command: 'slice --steps', args: (c) => ['slice', c.input, '--steps', pattern, '-o', join(c.out, 'slice.sqlite')], mayRefuse: /no steps match/ },
    { command: 'compare --steps', args: (c) => ['compare', c.good, c.input, '--steps', pattern, '--format', 'json'], json: true, mayRefuse: NO_STEPS },
  ];
}

/** The analysing commands, each with the options under test (`input`: a config file, when the case has one). */
export function optionCommands(extra: (input: string) => string[]): CommandRow[] {
  return [
    { command: 'diagnose', args: (c) => ['diagnose', c.good, ...extra(c.input)] },
    { command: 'layers --format json', args: (c) => ['layers', c.good, '--format', 'json', ...extra(c.input)] },
    { command: 'compare', args: (c) => ['compare', c.good, c.good, ...extra(c.input)] },
    { command: 'attach', args: (c) => ['attach', benchResult(c.out), c.good, ...extra(c.input)], keeps: (c) => [benchResult(c.out)] },
  ];
}

/** Commands that read a saved result (a diagnose --format json file): render it, compare against it. */
export const SAVED_COMMANDS: CommandRow[] = [
  { command: 'render', args: (c) => ['render', c.input] },
  { command: 'render --format md -o', args: (c) => ['render', c.input, '--format', 'md', '-o', join(c.out, 'render.md')] },
  { command: 'compare (saved as new) --fail-on-regression 5', args: (c) => ['compare', c.good, c.input, '--fail-on-regression', '5'] },
  { command: 'compare (saved as base) --format json', args: (c) => ['compare', c.input, c.good, '--format', 'json'], json: true },
];

/** render alone: a side input that is not a plain file is named by its path, not by a flag. */
export const RENDER_COMMANDS: CommandRow[] = SAVED_COMMANDS.slice(0, 2);
