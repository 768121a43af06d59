/**
 * The bad-input catalogue (issue 8, item 1): every broken input of a kind (test/support/broken.ts) on every
 * command that reads that kind (test/support/catalogue.ts). Each run must end cleanly: exit 0 with a whole
 * report (warnings saying what was skipped) or exit 2 with one line saying what is wrong; never exit 3, a
 * stack trace or a hang. The input is byte-identical afterwards and no temp file is left anywhere.
 */
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BAD_CONFIGS, BAD_MODELS, BAD_OPTIONS, BAD_PATTERNS, BAD_REPORT_JSON, BAD_REPORTS, BAD_STDIN, BAD_TRACES, CRAFTED_TRACES, REPORTS, STDIN_FILES, UNREADABLE, longNamesTrace, sideFiles,
  type BadFile, type BadTrace, type Made,
} from './support/broken.js';
import {
  ATTACH_COMMANDS, CONFIG_COMMANDS, IS_ROOT, MODEL_COMMANDS, NOBODY, NOT_TP, STDIN_COMMANDS, STDOUT_COMMANDS, TRACE_COMMANDS, cleanExit, cliForNobody, leftoverTemps,
  optionCommands, patternCommands, pool, runCliAsync, type CommandRow,
} from './support/catalogue.js';
import { tempDir, textFile } from './support/fixtures.js';
import { REPO } from './support/traces.js';
import { wellFormedProblems } from './support/xml.js';
import { reportProblems } from './support/sanity.js';
import { samplePath } from './support/traces.js';

/** A file's content hash; for what is not a regular file, its kind (reading /dev/zero would never end). */
const sha = (p: string) => {
  if (!existsSync(p)) return 'absent';
  const st = statSync(p);
  if (st.isDirectory()) return 'folder';
  if (!st.isFile()) return st.isFIFO() ? 'fifo' : st.isCharacterDevice() ? 'device' : 'special';
  return createHash('sha256').update(readFileSync(p)).digest('hex');
};
const listing = (d: string, ignore?: RegExp) => (existsSync(d) ? readdirSync(d).filter((f) => !ignore?.test(f)).sort().join('\n') : '');
const CONCURRENCY = Math.max(2, availableParallelism());

/** Per command: bad inputs tried, refused with exit 2, read with exit 0. */
const tally = new Map<string, { tried: number; refused: number; read: number }>();

interface Case {
  name: string;
  expect: 'error' | 'ok';
  message?: RegExp;
  check?: BadTrace['check'];
  sideFiles?: RegExp;
  asNobody?: boolean;
  make(dir: string): Made | Promise<Made>;
}

interface CaseOptions {
  /** The input is piped into stdin (its bytes), or opened as stdin (`path`: a folder, a device). */
  stdin?: 'bytes' | 'path';
  env?: Record<string, string>;
}

/** Problems with the files a run wrote: every SVG well-formed XML, every HTML page well-formed, JSON parsed. */
function writtenProblems(dir: string): string[] {
  const out: string[] = [];
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) {
      out.push(...writtenProblems(p));
      continue;
    }
    const kind = /\.svg$/.test(f) ? 'xml' : /\.html$/.test(f) ? 'html' : null;
    if (kind) for (const x of wellFormedProblems(readFileSync(p, 'utf8'), kind).slice(0, 3)) out.push(`${f}: ${x}`);
    if (/\.json$/.test(f)) {
      try {
        JSON.parse(readFileSync(p, 'utf8'));
      } catch (e) {
        out.push(`${f}: not JSON (${(e as Error).message})`);
      }
    }
  }
  return out;
}

/** A run as root of a case that needs permissions to apply: as NOBODY, through a CLI that user can run. */
const nobody = IS_ROOT ? cliForNobody() : null;
const nobodySkip = nobody && 'skip' in nobody ? nobody.skip : null;
if (nobodySkip) console.log(`catalogue: the cases run as an unprivileged user are skipped: ${nobodySkip}`);

async function runCase(c: Case, rows: CommandRow[], o: CaseOptions = {}): Promise<void> {
  const viaStdin = o.stdin === 'bytes';
  const dir = tempDir();
  const asNobody = !!c.asNobody && IS_ROOT;
  if (asNobody) chmodSync(dir, 0o755);
  const good = join(dir, 'good.sqlite');
  copyFileSync(samplePath('tp4graph-decode.sqlite'), good);
  const inDir = join(dir, 'in');
  mkdirSync(inDir);
  if (asNobody) chmodSync(inDir, 0o755);
  const made = await c.make(inDir);
  const before = sha(made.path);
  const goodBefore = sha(good);
  // The input's folder (or the input, when it is one): nothing may appear there or go.
  const watched = sha(made.path) === 'folder' ? made.path : dirname(made.path);
  const beside = listing(watched, c.sideFiles);
  const problems: string[] = [];
  const stdinEmpty = o.stdin !== undefined && sha(made.path) !== 'folder' && existsSync(made.path) && statSync(made.path).size === 0;
  let runs;
  try {
    runs = await pool(
      rows.map((row, i) => async () => {
        const out = join(dir, `out ${i} ü 名`);
        mkdirSync(out);
        if (asNobody) chmodSync(out, 0o777);
        const stdin = viaStdin ? readFileSync(made.path) : row.stdin;
        const ctx = { input: made.path, good, out };
        const args = row.args(ctx);
        const kept = (row.keeps?.(ctx) ?? []).map((f) => [f, sha(f)] as const);
        const r = await runCliAsync(args, {
          stdin, stdinPath: o.stdin === 'path' ? made.path : undefined, env: { ...o.env, ...made.env },
          ...(asNobody && nobody && 'cli' in nobody ? { uid: NOBODY, cli: nobody.cli } : {}),
        });
        return { row, r, out, kept };
      }),
      CONCURRENCY,
    );
  } finally {
    await made.release?.();
  }
  for (const { row, r, out, kept } of runs) {
    const at = `${row.command}: `;
    const t = tally.get(row.command) ?? { tried: 0, refused: 0, read: 0 };
    t.tried++;
    if (r.status === 2) t.refused++;
    if (r.status === 0) t.read++;
    tally.set(row.command, t);
    for (const p of cleanExit(r, row.verdictExit)) problems.push(at + p);
    // doctor answers a readable capture with 0, 1 (gaps) or 2 with its report (not a TP capture): all three read it.
    const answered = row.verdictExit && (r.status === 1 || (r.status === 2 && NOT_TP.test(r.stderr)));
    if (answered) r.status = 0;
    if (c.expect === 'error') {
      if (r.status !== 2) problems.push(`${at}exit ${r.status}, expected 2 (stdout ${r.stdout.slice(0, 200)})`);
      else if (c.message && !c.message.test(r.stderr)) problems.push(`${at}message ${JSON.stringify(r.stderr.trim())} does not match ${c.message}`);
    } else if (r.status !== 0 && !(row.mayRefuse && r.status === 2 && row.mayRefuse.test(r.stderr))) {
      problems.push(`${at}exit ${r.status}: ${r.stderr.trim()}`);
    }
    if (r.status === 0) {
      const wrote = readdirSync(out).length > 0;
      if (!r.stdout && !wrote && !stdinEmpty) problems.push(`${at}exit 0 with nothing written`);
      if (/failed on this trace/.test(r.stdout)) problems.push(`${at}a rule crashed`);
      if (row.json) {
        let j: any;
        try {
          j = JSON.parse(r.stdout);
        } catch (e) {
          problems.push(`${at}stdout is not JSON (${(e as Error).message})`);
        }
        if (j?.devices) {
          for (const p of reportProblems(j)) problems.push(at + p);
          try {
            if (row.checked) c.check?.(j, made.facts ?? {});
          } catch (e) {
            problems.push(`${at}${(e as Error).message}`);
          }
        }
      }
    }
    for (const f of leftoverTemps(out)) problems.push(`${at}temp file left: ${f}`);
    for (const p of writtenProblems(out)) problems.push(`${at}${p}`);
    if (r.status === 2) for (const [f, h] of kept) if (sha(f) !== h) problems.push(`${at}refused, yet changed ${f}`);
  }
  if (listing(watched, c.sideFiles) !== beside) problems.push(`files appeared or went beside the input: ${listing(watched)}`);
  if (sha(made.path) !== before) problems.push('the input changed');
  if (sha(good) !== goodBefore) problems.push('the good trace changed');
  expect(problems, `${c.name}:\n${problems.join('\n')}`).toEqual([]);
  rmSync(dir, { recursive: true, force: true }); // kept when something failed, to look at
}

describe('bad traces on every command that reads traces', () => {
  for (const c of BAD_TRACES) it(c.name, () => runCase(c, TRACE_COMMANDS));
});

describe('crafted traces: SQL in the schema, views, virtual tables, computed columns, WAL, format-breaking text', () => {
  for (const c of CRAFTED_TRACES) it(c.name, () => runCase(c, TRACE_COMMANDS));
});

describe('a trace the user may not read', () => {
  it.skipIf(!!nobodySkip)(UNREADABLE.name, () => runCase(UNREADABLE, TRACE_COMMANDS));
});

/** Every command reaches a report's export through one function (cli/inputs.ts): one row per command is enough. */
const REPORT_COMMANDS = ['diagnose --format json', 'layers', 'slice -o', 'compare (bad as new) --format json', 'scaling --chart', 'attach (json)'].map((c) => TRACE_COMMANDS.find((r) => r.command === c)!);

describe('.nsys-rep reports and the nsys that exports them', () => {
  for (const c of REPORTS) it(c.name, () => runCase(c, REPORT_COMMANDS));
});

/** Pipes wait this long in the side-input cases (a FIFO nobody writes to is refused after it). */
const PIPE_ENV = { NSYS_TP_PIPE_TIMEOUT: '1' };
const LLAMA = JSON.stringify({ hidden_size: 8192, intermediate_size: 28672, num_attention_heads: 64, num_key_value_heads: 8, num_hidden_layers: 80, vocab_size: 128256, torch_dtype: 'bfloat16' });

describe('side inputs that are not plain files: --model', () => {
  for (const f of sideFiles(LLAMA, /more than 4 MiB/)) it(f.name, () => runCase(f, MODEL_COMMANDS, { env: PIPE_ENV }));
});

describe('side inputs that are not plain files: --config', () => {
  for (const f of sideFiles('{"kernelClasses": [{"class": "gemm", "pattern": "^nvjet_"}]}', /more than 4 MiB/)) it(f.name, () => runCase(f, CONFIG_COMMANDS, { env: PIPE_ENV }));
});

describe('benchmark results attach may not rewrite', () => {
  for (const f of BAD_REPORTS) it(f.name, () => runCase(f, ATTACH_COMMANDS, { env: PIPE_ENV }));
  for (const f of BAD_REPORT_JSON) it(f.name, () => runCase(f, ATTACH_COMMANDS.slice(0, 1)));
});

describe('user patterns that backtrack, on names of 30 000 characters (each runs in linear time or is refused)', () => {
  for (const p of BAD_PATTERNS) {
    it(`${p.name}: /${p.pattern.slice(0, 40)}/${p.flags ?? ''}`, () =>
      runCase({ name: p.name, expect: p.expect, message: p.message, make: (d) => ({ path: longNamesTrace(d) }) }, patternCommands(p.pattern, p.flags)));
  }
});

describe('bad options', () => {
  for (const b of BAD_OPTIONS) {
    it(b.name, () => runCase({ name: b.name, expect: 'error', message: b.message, make: (d) => ({ path: b.config ? textFile(d, 'nsys-tp.json', b.config) : join(d, 'none') }) }, optionCommands(b.args)));
  }
});

describe('stdin that is not text (opened as stdin)', () => {
  for (const f of STDIN_FILES) it(f.name, () => runCase(f, STDIN_COMMANDS, { stdin: 'path' }));
});

describe('stdout that cannot take the output', () => {
  const good = (): Made => ({ path: join(REPO, 'samples', 'tp4graph-decode.sqlite') });
  it('stdout is /dev/full: one line, exit 2', async () => {
    const runs = await pool(STDOUT_COMMANDS.map((row) => () => runCliAsync(row.args(good().path), { stdout: 'full' })), CONCURRENCY);
    const problems = runs.flatMap((r, i) => [...cleanExit(r), ...(r.status === 2 && /stdout: cannot write \(ENOSPC/.test(r.stderr) ? [] : [`exit ${r.status}: ${r.stderr}`])].map((p) => `${STDOUT_COMMANDS[i]!.command}: ${p}`));
    expect(problems, problems.join('\n')).toEqual([]);
  });
  it('stdout is a pipe its reader closed (| head -c 0): ends quietly, exit 0', async () => {
    const runs = await pool(STDOUT_COMMANDS.map((row) => () => runCliAsync(row.args(good().path), { stdout: 'closed' })), CONCURRENCY);
    const problems = runs.flatMap((r, i) => [...cleanExit(r), ...(r.status === 0 && r.stderr === '' ? [] : [`exit ${r.status}: ${r.stderr}`])].map((p) => `${STDOUT_COMMANDS[i]!.command}: ${p}`));
    expect(problems, problems.join('\n')).toEqual([]);
  });
});

const fileCase = (f: BadFile): Case => ({ ...f, make: (d) => ({ path: f.make(d) }) });

describe('bad model configs (--model)', () => {
  for (const f of BAD_MODELS) it(f.name, () => runCase(fileCase(f), MODEL_COMMANDS));
});

describe('bad nsys-tp configs (--config)', () => {
  for (const f of BAD_CONFIGS) it(f.name, () => runCase(fileCase(f), CONFIG_COMMANDS));
});

describe('bad stdin', () => {
  for (const f of BAD_STDIN) it(f.name, () => runCase(fileCase(f), STDIN_COMMANDS, { stdin: 'bytes' }));
});

afterAll(() => {
  const lines = [...tally].map(([cmd, t]) => `  ${cmd}: ${t.tried} bad inputs, ${t.refused} refused (exit 2), ${t.read} read (exit 0)`);
  console.log(`bad-input catalogue, per command:\n${lines.join('\n')}`);
});
