/**
 * `npm run bench`: nsys-tp at production trace sizes, written to BENCHMARKS.md.
 *
 * Inputs: a real export (../shared/traces/tp4 by default) repeated in time by test/support/repeatSteps.ts
 * to about 0.25, 1, 3 and 10 GB, cached in .cache/bench (regenerated when the source or the generator
 * changes), plus the 1 GB input as one file per rank. Each measurement is a fresh process: the C floor
 * (floor.ts: SQLite aggregating the columns nsys-tp reads, no row reaching JavaScript), the bare scan
 * (bareScan.ts: the same rows iterated into JavaScript and dropped) and `nsys-tp diagnose --format json`
 * as a user runs it. Wall time is taken around the process; peak memory is its maxRSS (rss.ts). Machines
 * are noisy, so the three run back to back, in a rotating order, a few times; ratios are per round, and
 * medians are reported. The workers measurement runs diagnose on the 3 GB input with NSYS_TP_WORKERS=1, 2, ...
 *
 * Options: --sizes 0.25,1,3,10 (GB)  --runs 3  --big-runs 1 (sizes above 3 GB)  --workers 1,2  --workers-size 3  --source tp4
 *          --out BENCHMARKS.md  --dir .cache/bench  --json FILE (raw results)  --device FILE (results of
 *          a run on another machine, for its workers table)  --keep (do not delete inputs above 3 GB)
 *          --only-workers (the workers measurement alone: what a run on the 16-core device machine gives)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, hostname, release, totalmem, type } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { splitByRank } from '../support/perRank.js';
import { GENERATOR_VERSION, repeatSteps, type RepeatResult } from '../support/repeatSteps.js';
import { REPO, sharedTrace } from '../support/traces.js';

const GB = 1e9;
const MB = 1e6;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const flag = (name: string) => process.argv.includes(`--${name}`);

const SIZES = option('sizes', '0.25,1,3,10').split(',').map(Number);
const RUNS = Number(option('runs', '3'));
const BIG_RUNS = Number(option('big-runs', '1'));
const WORKERS = option('workers', '1,2').split(',').filter(Boolean).map(Number);
const WORKERS_GB = Number(option('workers-size', '3'));
const SOURCE = option('source', 'tp4');
const OUT = resolve(REPO, option('out', 'BENCHMARKS.md'));
const DIR = resolve(REPO, option('dir', '.cache/bench'));
const JSON_OUT = option('json', '');
const DEVICE = option('device', '');

const CLI = join(REPO, 'dist/cli/main.js');
const BARE = join(REPO, 'dist/test/bench/bareScan.js');
const FLOOR = join(REPO, 'dist/test/bench/floor.js');
const RSS = pathToFileURL(join(REPO, 'dist/test/bench/rss.js')).href;
const MODEL = join(REPO, 'dist/test/bench/modelBytes.js');
const PHASES = join(REPO, 'dist/test/bench/phases.js');
const MEM_PHASES = join(REPO, 'dist/test/bench/memPhases.js');

function log(msg: string): void {
  process.stderr.write(`bench: ${msg}\n`);
}

export interface Run {
  /** Wall time. */
  seconds: number;
  /** CPU time of all the process's threads. */
  cpuSeconds: number;
  rssBytes: number;
}

/** One fresh node process: wall time around it, peak RSS and CPU time from inside it. */
function measure(args: string[], env: Record<string, string> = {}): Run {
  const rssFile = join(DIR, `.rss-${process.pid}`);
  rmSync(rssFile, { force: true });
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', RSS, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env, NSYS_TP_BENCH_RSS: rssFile },
    maxBuffer: 64 * MB,
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${args.map((a) => relative(REPO, a) || a).join(' ')} failed (${r.status}): ${r.stderr}`);
  const { rssBytes, cpuSeconds } = JSON.parse(readFileSync(rssFile, 'utf8')) as { rssBytes: number; cpuSeconds: number };
  rmSync(rssFile, { force: true });
  return { seconds, cpuSeconds, rssBytes };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function loadAverage(): number {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return NaN;
  }
}

export interface Input {
  label: string;
  gb: number;
  files: string[];
  bytes: number;
  copies: number;
  rows: Record<string, number>;
}

interface Sidecar {
  generator: number;
  source: string;
  sourceBytes: number;
  sourceMtimeMs: number;
  key: string;
  result: RepeatResult;
}

/** A generated input, reused from an earlier run when nothing that made it has changed. */
function cached(path: string, source: string, key: string, make: () => RepeatResult): RepeatResult {
  const meta = `${path}.json`;
  const st = statSync(source);
  const want = { generator: GENERATOR_VERSION, source, sourceBytes: st.size, sourceMtimeMs: st.mtimeMs, key };
  if (existsSync(path) && existsSync(meta)) {
    const have = JSON.parse(readFileSync(meta, 'utf8')) as Sidecar;
    if (have.generator === want.generator && have.source === source && have.sourceBytes === want.sourceBytes &&
        have.sourceMtimeMs === want.sourceMtimeMs && have.key === key && statSync(path).size === have.result.bytes) {
      return have.result;
    }
  }
  log(`generating ${relative(REPO, path)}`);
  const result = make();
  writeFileSync(meta, JSON.stringify({ ...want, result } satisfies Sidecar, null, 2));
  return result;
}

export interface Round {
  floor: Run;
  bare: Run;
  diag: Run;
  /** Load average (1 min) when the round started. */
  load: number;
}

const diagnoseArgs = (files: string[]) => [CLI, 'diagnose', '--format', 'json', ...files];

function rounds(files: string[], n: number): Round[] {
  measure([FLOOR, ...files]); // warm-up: the file into the OS page cache
  const out: Round[] = [];
  for (let r = 0; r < n; r++) {
    const load = loadAverage();
    // Rotate the order, so that no one of the three always runs first (or last) in a round.
    const order = (['floor', 'bare', 'diag'] as const).map((_x, i, a) => a[(i + r) % 3]!);
    const got: Partial<Round> = { load };
    for (const k of order) got[k] = measure(k === 'floor' ? [FLOOR, ...files] : k === 'bare' ? [BARE, ...files] : diagnoseArgs(files));
    const x = got as Round;
    log(`  round ${r + 1} (load ${load.toFixed(1)}): floor ${x.floor.seconds.toFixed(2)} s, bare ${x.bare.seconds.toFixed(2)} s, ` +
      `diagnose ${x.diag.seconds.toFixed(2)} s (${(x.diag.seconds / x.floor.seconds).toFixed(2)}x floor), peak ${(x.diag.rssBytes / MB).toFixed(0)} MB`);
    out.push(x);
  }
  return out;
}

export interface WorkerRun {
  workers: number;
  diag: Run;
  floor: Run;
}

/** diagnose with 1, 2, ... workers, each against a floor run just before it, alternating the counts. */
function workerRuns(files: string[], counts: number[], n: number): WorkerRun[] {
  const out: WorkerRun[] = [];
  measure([FLOOR, ...files]); // warm-up: the file into the OS page cache
  for (let r = 0; r < n; r++) {
    for (const w of r % 2 ? [...counts].reverse() : counts) {
      const floor = measure([FLOOR, ...files]);
      const diag = measure(diagnoseArgs(files), { NSYS_TP_WORKERS: String(w) });
      log(`  ${w} worker(s): diagnose ${diag.seconds.toFixed(2)} s (${(diag.seconds / floor.seconds).toFixed(2)}x floor)`);
      out.push({ workers: w, diag, floor });
    }
  }
  return out;
}

export interface Row {
  input: Input;
  rounds: Round[];
  model: { bytes: number; ops: { rows: number; bytes: number }; launches: { rows: number }; nvtx: { rows: number; bytes: number }; hostCalls: { rows: number; bytes: number } } | null;
  /** One thread's time per phase (ms), from phases.ts. */
  phases: { readMs: number; modelMs: number; analysesMs: number; reportMs: number } | null;
  /** Peak RSS per phase of one diagnose (memPhases.ts). */
  memPhases?: { phases: [string, number][] } | null;
}

export interface Results {
  machine: string;
  cores: number;
  started: string;
  minutes: number;
  source: string;
  rows: Row[];
  perRank: Row | null;
  workers: { input: Input; runs: WorkerRun[] } | null;
}

function child(script: string, files: string[]) {
  const r = spawnSync(process.execPath, [script, ...files], { encoding: 'utf8', maxBuffer: 16 * MB });
  if (r.status !== 0) throw new Error(`${relative(REPO, script)} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function machine(): string {
  const db = new Database(':memory:');
  const sqlite = db.prepare('SELECT sqlite_version()').pluck().get() as string;
  db.close();
  const bs = (JSON.parse(readFileSync(join(REPO, 'node_modules/better-sqlite3/package.json'), 'utf8')) as { version: string }).version;
  const cpu = cpus();
  return `${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ` +
    `${type()} ${release()}; Node.js ${process.version}, better-sqlite3 ${bs} (SQLite ${sqlite})`;
}

// ---- The report ----------------------------------------------------------------------------------------

const gb = (b: number) => (b / GB).toFixed(2);
const mb = (b: number) => (b / MB).toFixed(0);
const mrows = (n: number) => (n / 1e6).toFixed(2);
const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
const sec = (s: number) => `${s.toFixed(2)} s`;
const ratioOf = (r: Round) => r.diag.seconds / r.floor.seconds;
const med = (row: Row, f: (r: Round) => number) => median(row.rounds.map(f));

/** Least-squares slope of log y over log x: y ∝ x^b. */
function exponent(points: [number, number][]): number {
  const n = points.length;
  const xs = points.map(([x]) => Math.log(x));
  const ys = points.map(([, y]) => Math.log(y));
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  return sxy / sxx;
}

export function report(res: Results, device: Results | null): string {
  const { rows, perRank } = res;
  const L: string[] = [];
  const timed = rows.filter((r) => r.input.gb <= 3);
  if (rows.length === 0) return `# Workers only\n\n${JSON.stringify(res.workers?.runs.map((r) => [r.workers, r.diag.seconds, r.floor.seconds]))}\n`;
  L.push('# Benchmarks', '');
  L.push(`Written by \`npm run bench\` on ${res.started.slice(0, 10)} (${res.minutes.toFixed(0)} min; ${RUNS} rounds per size up to 3 GB, ` +
    `${BIG_RUNS} above). Machine: ${res.machine}. The machine is shared with other jobs: the C floor, the bare scan and diagnose run ` +
    'back to back in each round (in a rotating order), ratios are taken within a round, and medians are reported; the load average ' +
    'at the start of each round is listed.', '');

  L.push('## Inputs', '');
  L.push(`\`${relative(REPO, res.source)}\` (decompressed from ../shared/traces; see its README) repeated in time by \`test/support/repeatSteps.ts\`: ` +
    'every CUDA and NVTX event table (kernels, memcpy, memset, CUDA API calls, synchronizations, CUDA events, NVTX ranges including ' +
    'NCCL\'s domain) is copied again and again after the original, with fresh correlation ids and fresh `decode N` numbers, on every device; ' +
    'strings, GPUs, processes, metadata and the host OS tables are kept once. nsys-tp finds every copy\'s steps with the original\'s ' +
    'per-step numbers (test/scale.test.ts).', '');
  L.push('| file | copies | size | kernels | memcpy + memset | CUDA API calls | of which launches | NVTX ranges |');
  L.push('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const x = r.input.rows;
    L.push(`| ${r.input.label} | ${r.input.copies} | ${gb(r.input.bytes)} GB | ${mrows(x.CUPTI_ACTIVITY_KIND_KERNEL ?? 0)}M | ` +
      `${mrows((x.CUPTI_ACTIVITY_KIND_MEMCPY ?? 0) + (x.CUPTI_ACTIVITY_KIND_MEMSET ?? 0))}M | ${mrows(x.CUPTI_ACTIVITY_KIND_RUNTIME ?? 0)}M | ` +
      `${r.model ? `${mrows(r.model.launches.rows)}M` : '?'} | ${r.model ? `${mrows(r.model.nvtx.rows)}M` : '?'} |`);
  }
  L.push('');

  L.push('## The C floor, the bare scan and diagnose', '');
  L.push('| file | C floor | bare scan | diagnose | diagnose / floor (median) | per round | bare / floor | load | floor peak | bare peak | diagnose peak | peak / file |');
  L.push('|---|---:|---:|---:|---:|---|---:|---|---:|---:|---:|---:|');
  for (const r of [...rows, ...(perRank ? [perRank] : [])]) {
    L.push(`| ${r.input.label} | ${sec(med(r, (x) => x.floor.seconds))} | ${sec(med(r, (x) => x.bare.seconds))} | ${sec(med(r, (x) => x.diag.seconds))} | ` +
      `**${med(r, ratioOf).toFixed(2)}×** | ${r.rounds.map((x) => ratioOf(x).toFixed(2)).join(', ')} | ${med(r, (x) => x.bare.seconds / x.floor.seconds).toFixed(2)}× | ` +
      `${r.rounds.map((x) => x.load.toFixed(1)).join(', ')} | ${mb(Math.min(...r.rounds.map((x) => x.floor.rssBytes)))} MB | ` +
      `${mb(Math.min(...r.rounds.map((x) => x.bare.rssBytes)))} MB | ${mb(Math.max(...r.rounds.map((x) => x.diag.rssBytes)))} MB | ` +
      `${pct(Math.max(...r.rounds.map((x) => x.diag.rssBytes)) / r.input.bytes)} |`);
  }
  L.push('');
  L.push('Times are wall time of the whole process (Node.js start included; the file in the OS page cache: one unmeasured floor run ' +
    'first). **C floor** (`test/bench/floor.ts`): what SQLite itself needs to read the rows nsys-tp reads, in one thread: the ' +
    'queries of the bare scan, each as one aggregate over every selected column (`total()` of each number, the length of each text), ' +
    'so that SQLite decodes every value and no row reaches JavaScript. **Bare scan** (`test/bench/bareScan.ts`): the same queries ' +
    'iterated row by row into JavaScript with better-sqlite3 and dropped, one thread: what reading costs the usual way. **diagnose**: ' +
    '`nsys-tp diagnose --format json FILE` as a user runs it, with its default of one worker thread per core ' +
    `(${res.cores} here). Peak RSS is the process's maxRSS: the least of the rounds for the floor and the bare scan, the greatest for diagnose.`);
  if (perRank) {
    L.push('', `The last row is the 1 GB input as one file per rank (${perRank.input.files.length} files, split with test/support/perRank.ts ` +
      'and repeated like the combined file): `nsys-tp diagnose r0.sqlite r1.sqlite ...`, against the floor and the bare scan of all of ' +
      'them in turn.');
  }
  L.push('');
  L.push('How nsys-tp reads: every event table is split into as many contiguous rowid ranges as there are worker threads, and each ' +
    'worker reads its range of every table on its own read-only connection, page by page (16384 rowids a statement). A page is one ' +
    'SQL statement whose one result row holds `count(*)` and a `json_group_array()` of each column: SQLite does the filtering and ' +
    'writes each column as text, and a parser turns the text into typed arrays; no row crosses into JavaScript on its own (better-sqlite3 ' +
    'costs an array and a value apiece for a row; writing a column\'s JSON costs SQLite about 30 ns a value). The workers\' typed ' +
    'columns are transferred, not copied, and joined into the trace input, which the trace model adopts. The launch join is not ' +
    'SQLite\'s: the export has no index on the correlation id, and SQLite\'s automatic index for the join (a second full scan of the ' +
    'CUDA API table and a sort of its launches) cost 2.2 s at 0.25 GB, twice the whole floor; the model finds each op\'s launch by a ' +
    'search in its process\'s launches, which come in correlation order, starting where the previous op\'s ended.', '');

  L.push('## Where the time goes', '');
  L.push('One thread, no worker (test/bench/phases.ts), one run: reading is SQLite and the reader; the rest is work on the trace model.', '');
  L.push('| file | C floor | read | trace model | analyses and rules | report | total | total / floor |');
  L.push('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const p = r.phases;
    if (!p) continue;
    const s = (ms: number) => sec(ms / 1000);
    const total = p.readMs + p.modelMs + p.analysesMs + p.reportMs;
    const floor = med(r, (x) => x.floor.seconds);
    L.push(`| ${r.input.label} | ${sec(floor)} | ${s(p.readMs)} | ${s(p.modelMs)} | ${s(p.analysesMs)} | ${s(p.reportMs)} | ${s(total)} | ${(total / 1000 / floor).toFixed(2)}× |`);
  }
  L.push('');

  L.push('## How cost grows with size', '');
  const pts = (f: (r: Row) => number) => rows.map((r) => [r.input.bytes, f(r)] as [number, number]);
  const several = rows.length > 1;
  if (several) {
    const span = `${rows[0]!.input.label} to ${rows[rows.length - 1]!.input.label}`;
    const e = {
      floorT: exponent(pts((r) => med(r, (x) => x.floor.seconds))),
      bareT: exponent(pts((r) => med(r, (x) => x.bare.seconds))),
      diagT: exponent(pts((r) => med(r, (x) => x.diag.seconds))),
      diagC: exponent(pts((r) => med(r, (x) => x.diag.cpuSeconds))),
      diagM: exponent(pts((r) => Math.max(...r.rounds.map((x) => x.diag.rssBytes)))),
      model: rows.every((r) => r.model) ? exponent(pts((r) => r.model!.bytes)) : NaN,
    };
    L.push(`Cost ∝ size^b, b fitted by least squares on log-log over ${span} (1 is linear):`, '');
    L.push('| measure | b |', '|---|---:|');
    L.push(`| C floor, wall time | ${e.floorT.toFixed(2)} |`, `| bare scan, wall time | ${e.bareT.toFixed(2)} |`,
      `| diagnose, wall time | ${e.diagT.toFixed(2)} |`, `| diagnose, CPU time | ${e.diagC.toFixed(2)} |`,
      `| diagnose, peak RSS | ${e.diagM.toFixed(2)} |`, `| trace model bytes | ${Number.isNaN(e.model) ? '?' : e.model.toFixed(2)} |`, '');
  }
  L.push('| file | C floor s/GB | diagnose s/GB | diagnose CPU s/GB | diagnose CPU µs per GPU op | peak MB/GB |');
  L.push('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const g = r.input.bytes / GB;
    L.push(`| ${r.input.label} | ${(med(r, (x) => x.floor.seconds) / g).toFixed(2)} | ${(med(r, (x) => x.diag.seconds) / g).toFixed(2)} | ` +
      `${(med(r, (x) => x.diag.cpuSeconds) / g).toFixed(2)} | ${r.model ? ((1e6 * med(r, (x) => x.diag.cpuSeconds)) / r.model.ops.rows).toFixed(2) : '?'} | ` +
      `${(Math.max(...r.rounds.map((x) => x.diag.rssBytes)) / MB / g).toFixed(0)} |`);
  }
  L.push('');

  L.push('## Memory', '');
  L.push('| file | trace model | ops | host calls | NVTX | model / file | diagnose peak | peak / file |');
  L.push('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const m = r.model;
    if (!m) continue;
    const peak = Math.max(...r.rounds.map((x) => x.diag.rssBytes));
    L.push(`| ${r.input.label} | ${mb(m.bytes)} MB | ${mb(m.ops.bytes)} MB | ${mb(m.hostCalls.bytes)} MB | ${mb(m.nvtx.bytes)} MB | ` +
      `${pct(m.bytes / r.input.bytes)} | ${mb(peak)} MB | ${pct(peak / r.input.bytes)} |`);
  }
  L.push('');
  const withMem = rows.filter((r) => r.memPhases);
  if (withMem.length) {
    L.push('Where the peak is reached: one diagnose run by test/bench/memPhases.ts (the phases as the CLI runs them, RSS sampled every 5 ms), the greatest RSS during each phase; a rule is listed where it raises the peak by more than 5 MB.', '');
    const names = ['read', 'trace model', 'analyses'];
    const risers = new Set<string>();
    for (const r of withMem) {
      let top = 0;
      for (const [n, b] of r.memPhases!.phases) {
        if (n.startsWith('rule ') && b > top + 5 * MB) risers.add(n);
        top = Math.max(top, b);
      }
    }
    const cols = [...names, ...[...risers], 'result', 'JSON'];
    L.push(`| file | ${cols.map((c) => c.replace(/^rule /, 'rule `') + (c.startsWith('rule ') ? '`' : '')).join(' | ')} |`);
    L.push(`|---|${cols.map(() => '---:').join('|')}|`);
    for (const r of withMem) {
      const m = new Map(r.memPhases!.phases);
      L.push(`| ${r.input.label} | ${cols.map((c) => (m.has(c) ? `${mb(m.get(c)!)} MB` : '')).join(' | ')} |`);
    }
    L.push('');
  }
  const opBytes = rows.find((r) => r.model)?.model;
  L.push(`The trace model is the typed columns every analysis reads (analyzer/model/types.ts), each as narrow as its values allow: per ` +
    `GPU op ${opBytes ? (opBytes.ops.bytes / opBytes.ops.rows).toFixed(0) : '?'} bytes (start, end and launch start as float64, which ` +
    'nanoseconds over minutes need; correlation id and bytes as uint32 where they fit; stream as uint16; device, name, process, thread, ' +
    'API, kind and graph flag as one or two bytes), a few bytes more per NVTX range and host call. The readers\' columns are moved into ' +
    'it, not copied, and it is kept whole while the analyses run; on top of it come Node.js itself (about 55 MB with nsys-tp loaded), ' +
    'the worker threads while they read, and what the analyses keep (per step its ops and breakdowns, per layer its windows; per op ' +
    'its step, its place on its device\'s timeline and in its thread\'s launches) and the garbage they leave for the collector.', '');

  L.push('## Cores', '');
  const wtables: [string, Results][] = [[`this machine (${res.cores} cores)`, res]];
  if (device) wtables.push([`the device machine (${device.cores} cores: ${device.machine})`, device]);
  for (const [where, r] of wtables) {
    if (!r.workers) continue;
    L.push(`diagnose on the ${r.workers.input.label} input with NSYS_TP_WORKERS=N, on ${where}, each run just after a C floor run ` +
      `(run on ${r.started.slice(0, 10)}):`, '');
    L.push('| workers | diagnose (median) | C floor (median) | diagnose / floor | runs | speed-up over 1 worker | peak RSS |');
    L.push('|---:|---:|---:|---:|---|---:|---:|');
    const counts = [...new Set(r.workers.runs.map((x) => x.workers))].sort((a, b) => a - b);
    const one = median(r.workers.runs.filter((x) => x.workers === counts[0]).map((x) => x.diag.seconds));
    for (const w of counts) {
      const xs = r.workers.runs.filter((x) => x.workers === w);
      const d = median(xs.map((x) => x.diag.seconds));
      L.push(`| ${w} | ${sec(d)} | ${sec(median(xs.map((x) => x.floor.seconds)))} | ${median(xs.map((x) => x.diag.seconds / x.floor.seconds)).toFixed(2)}× | ` +
        `${xs.map((x) => x.diag.seconds.toFixed(2)).join(', ')} | ${(one / d).toFixed(2)}× | ${mb(Math.max(...xs.map((x) => x.diag.rssBytes)))} MB |`);
    }
    L.push('');
  }

  L.push('## Targets', '');
  const worst = timed.reduce((a, b) => (med(b, ratioOf) > med(a, ratioOf) ? b : a), timed[0]!);
  const timeOk = timed.every((r) => med(r, ratioOf) <= 2.5);
  L.push(`- **Wall time ≤ 2.5× the C floor at ${timed.map((r) => r.input.label).join(', ')}: ${timeOk ? 'met' : 'missed'}** ` +
    `(${timed.map((r) => `${r.input.label} ${med(r, ratioOf).toFixed(2)}×`).join(', ')}; worst single round ` +
    `${Math.max(...timed.flatMap((r) => r.rounds.map(ratioOf))).toFixed(2)}× at load ${worst.rounds.reduce((a, b) => Math.max(a, b.load), 0).toFixed(1)}). ` +
    timeBound(worst));
  const memRows = rows.filter((r) => r.input.gb === 1 || r.input.gb === 3);
  const peakOf = (r: Row) => Math.max(...r.rounds.map((x) => x.diag.rssBytes));
  const memOk = memRows.length > 0 && memRows.every((r) => peakOf(r) <= r.input.bytes / 4);
  L.push(`- **Peak RSS ≤ 25% of the file at 1 and 3 GB: ${memRows.length === 0 ? 'not run' : memOk ? 'met' : 'missed'}** (${memRows.map((r) => `${r.input.label}: ${mb(peakOf(r))} MB = ` +
    `${pct(peakOf(r) / r.input.bytes)} of the file${peakOf(r) <= r.input.bytes / 4 ? '' : `, ${mb(peakOf(r) - r.input.bytes / 4)} MB over`}`).join('; ')}). ` +
    memBound(memRows));
  const big = rows.find((r) => r.input.gb >= 10);
  L.push(`- **A 10 GB export diagnosed on this ${(totalmem() / 2 ** 30).toFixed(0)} GiB machine: ${big ? 'met' : 'not run'}**` +
    (big ? ` (${gb(big.input.bytes)} GB: ${sec(med(big, (x) => x.diag.seconds))}, ${med(big, ratioOf).toFixed(2)}× the floor; peak ${mb(peakOf(big))} MB = ${pct(peakOf(big) / big.input.bytes)} of the file).` : '.'));
  if (several) {
    const bT = exponent(pts((r) => med(r, (x) => x.diag.seconds)));
    const bM = exponent(pts(peakOf));
    L.push(`- **Cost grows linearly: ${Math.abs(bT - 1) <= 0.1 && bM <= 1.1 ? 'met' : 'see the exponents'}** (over ${rows[0]!.input.label} to ` +
      `${rows[rows.length - 1]!.input.label}: time ∝ size^${bT.toFixed(2)}, peak memory ∝ size^${bM.toFixed(2)}; the floor's time ∝ ` +
      `size^${exponent(pts((r) => med(r, (x) => x.floor.seconds))).toFixed(2)}). Below 1 means a fixed cost (Node.js start, the worker ` +
      'threads, the analyses\' per-run setup) that larger files spread thinner.');
  }
  const cores = [res, device].filter((r): r is Results => !!r?.workers);
  L.push(`- **Time falls with workers: ${cores.length ? 'see "Cores"' : 'not run'}**` + (cores.length ? ` (${cores.map((r) => {
    const counts = [...new Set(r.workers!.runs.map((x) => x.workers))].sort((a, b) => a - b);
    return counts.map((w) => `${w}: ${sec(median(r.workers!.runs.filter((x) => x.workers === w).map((x) => x.diag.seconds)))}`).join(', ') + ` on ${r.cores} cores`;
  }).join('; ')}). What does not fall: the model build and the analyses run in one thread after reading ("Where the time goes").` : ''));
  L.push('- **No regression:** every command and format gives byte-identical output on every trace (test/diagnose.numbers.test.ts and ' +
    'friends, and the golden outputs of all commands); the trace is opened read-only with `query_only`, no index, no table, no ' +
    'temporary copy (every query is a rowid-range scan with a WHERE filter: SQLite needs no sorter or automatic index); the progress ' +
    'bar counts the rows the workers have scanned.');
  L.push('');
  return L.join('\n');
}

function timeBound(r: Row): string {
  const p = r.phases;
  const floor = med(r, (x) => x.floor.seconds);
  if (!p) return '';
  const read = p.readMs / 1000;
  return `What bounds it, at ${r.input.label}: after reading, the trace model (${sec(p.modelMs / 1000)}) and the analyses and rules ` +
    `(${sec(p.analysesMs / 1000)}, ${(p.analysesMs / 1000 / floor).toFixed(2)}× the floor by themselves) run in one thread; reading, ` +
    `${sec(read)} in one thread (${(read / floor).toFixed(2)}× the floor: SQLite's own work plus writing and parsing the JSON of each ` +
    'value), is shared among the workers, so on 2 cores it costs about half that when the second core is free.';
}

function memBound(rs: Row[]): string {
  const r = rs[rs.length - 1];
  if (!r?.model) return '';
  const peak = Math.max(...r.rounds.map((x) => x.diag.rssBytes));
  let where = '';
  if (r.memPhases) {
    const m = new Map(r.memPhases.phases);
    const read = m.get('read') ?? 0;
    const model = m.get('trace model') ?? 0;
    const rules = r.memPhases.phases.filter(([n]) => n.startsWith('rule ')).reduce((a, [, b]) => Math.max(a, b), 0);
    const before = Math.max(read, model, m.get('analyses') ?? 0);
    const risers: string[] = [];
    let top = before;
    for (const [n, b] of r.memPhases.phases) {
      if (!n.startsWith('rule ')) continue;
      if (b > top + 5 * MB) risers.push(`${n.replace(/^rule /, '')} +${mb(b - top)} MB`);
      top = Math.max(top, b);
    }
    where = ` Reading peaks at ${mb(read)} MB (the workers' columns, then their copy into one column per table, the columns they ` +
      `came from freed only as the collector gets to them), the model build at ${mb(model)} MB, the analyses before the rules at ` +
      `${mb(m.get('analyses') ?? 0)} MB, the rules take it to ${mb(rules)} MB${risers.length ? ` (${risers.join(', ')})` : ''}; ` +
      `building the result (every step's row across the GPUs, the layers, the kernels) reaches ${mb(m.get('result') ?? 0)} MB and ` +
      `writing its JSON ${mb(m.get('JSON') ?? 0)} MB.`;
  }
  return `What bounds it at ${r.input.label} (peak ${mb(peak)} MB): the trace model is ${mb(r.model.bytes)} MB (${pct(r.model.bytes / r.input.bytes)} of the ` +
    `file), Node.js with nsys-tp loaded about 55 MB.${where}`;
}

// ---- Running ----------------------------------------------------------------------------------------------

function input(size: number, source: string): Input {
  const label = `${size} GB`;
  const file = join(DIR, `${SOURCE}-${size}GB.sqlite`);
  const gen = cached(file, source, `target=${size * GB}`, () => repeatSteps(source, file, { targetBytes: size * GB }));
  return { label, gb: size, files: [file], bytes: statSync(file).size, copies: gen.copies, rows: gen.rows };
}

function perRankInput(source: string, of: Input): Input {
  const rankDir = join(DIR, `${SOURCE}-ranks`);
  mkdirSync(rankDir, { recursive: true });
  const made = join(rankDir, 'report_0.sqlite');
  const rankSources = existsSync(made) && statSync(made).mtimeMs > statSync(source).mtimeMs
    ? readdirSync(rankDir).filter((f) => /^report_\d+\.sqlite$/.test(f)).sort().map((f) => join(rankDir, f))
    : splitByRank(source, rankDir);
  const meta = JSON.parse(readFileSync(`${of.files[0]}.json`, 'utf8')) as Sidecar;
  const files = rankSources.map((src, i) => {
    const f = join(DIR, `${SOURCE}-${of.gb}GB-rank${i}.sqlite`);
    cached(f, src, `copies=${of.copies},period=${meta.result.periodNs}`, () => repeatSteps(src, f, { copies: of.copies, periodNs: meta.result.periodNs }));
    return f;
  });
  const bytes = files.reduce((a, f) => a + statSync(f).size, 0);
  return { label: `${of.label} (${files.length} files, one per rank)`, gb: of.gb, files, bytes, copies: of.copies, rows: of.rows };
}

function main(): void {
  const started = new Date();
  const t0 = performance.now();
  if (!existsSync(CLI) || !existsSync(BARE) || !existsSync(FLOOR)) throw new Error('build first: npm run bench builds with tsc -p tsconfig.bench.json');
  mkdirSync(DIR, { recursive: true });
  const source = sharedTrace(SOURCE);
  const res: Results = { machine: machine(), cores: cpus().length, started: started.toISOString(), minutes: 0, source, rows: [], perRank: null, workers: null };
  for (const size of [...SIZES].sort((a, b) => a - b)) {
    const inp = input(size, source);
    log(`${inp.label}: ${relative(REPO, inp.files[0]!)}, ${inp.copies} copies, ${gb(inp.bytes)} GB`);
    if (!flag('only-workers')) {
      const rs = rounds(inp.files, size > 3 ? BIG_RUNS : RUNS);
      const withDetail = size <= 3;
      res.rows.push({
        input: inp, rounds: rs, model: child(MODEL, inp.files), phases: withDetail ? child(PHASES, inp.files) : null,
        memPhases: withDetail ? child(MEM_PHASES, inp.files) : null,
      });
    }
    if (size === 1 && !flag('only-workers')) {
      const pr = perRankInput(source, inp);
      log(`${pr.label}: ${gb(pr.bytes)} GB`);
      res.perRank = { input: pr, rounds: rounds(pr.files, RUNS), model: null, phases: null };
    }
    if (size === WORKERS_GB && WORKERS.length) {
      log(`${inp.label}: workers ${WORKERS.join(', ')}`);
      res.workers = { input: inp, runs: workerRuns(inp.files, WORKERS, RUNS) };
    }
    if (size > 3 && !flag('keep')) {
      for (const f of inp.files) rmSync(f, { force: true });
      log(`deleted ${relative(REPO, inp.files[0]!)} (--keep keeps it)`);
    }
  }
  res.minutes = (performance.now() - t0) / 60000;
  if (JSON_OUT) writeFileSync(resolve(REPO, JSON_OUT), JSON.stringify(res, null, 1) + '\n');
  const device = DEVICE ? (JSON.parse(readFileSync(resolve(REPO, DEVICE), 'utf8')) as Results) : null;
  writeFileSync(OUT, report(res, device) + '\n');
  log(`wrote ${relative(REPO, OUT)} on ${hostname()}`);
}

main();
