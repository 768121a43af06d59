/**
 * The bad-input catalogue (issue 8, item 1): every broken input of a kind (test/support/broken.ts) on every
 * command that reads that kind (test/support/catalogue.ts). Each run must end cleanly: exit 0 with a whole
 * report (warnings saying what was skipped) or exit 2 with one line saying what is wrong; never exit 3, a
 * stack trace or a hang. The input is byte-identical afterwards and no temp file is left anywhere.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BAD_CONFIGS, BAD_MODELS, BAD_STDIN, BAD_TRACES, type BadFile, type BadTrace, type Made } from './support/broken.js';
import {
  CONFIG_COMMANDS, MODEL_COMMANDS, STDIN_COMMANDS, TRACE_COMMANDS, cleanExit, leftoverTemps, pool, runCliAsync, type CommandRow,
} from './support/catalogue.js';
import { tempDir } from './support/fixtures.js';
import { reportProblems } from './support/sanity.js';
import { samplePath } from './support/traces.js';

const sha = (p: string) => (!existsSync(p) ? 'absent' : statSync(p).isDirectory() ? 'folder' : createHash('sha256').update(readFileSync(p)).digest('hex'));
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
  make(dir: string): Made | Promise<Made>;
}

async function runCase(c: Case, rows: CommandRow[], viaStdin = false): Promise<void> {
  const dir = tempDir();
  const good = join(dir, 'good.sqlite');
  copyFileSync(samplePath('tp4graph-decode.sqlite'), good);
  const inDir = join(dir, 'in');
  mkdirSync(inDir);
  const made = await c.make(inDir);
  const before = sha(made.path);
  const goodBefore = sha(good);
  // The input's folder (or the input, when it is one): nothing may appear there or go.
  const watched = sha(made.path) === 'folder' ? made.path : dirname(made.path);
  const beside = listing(watched, c.sideFiles);
  const problems: string[] = [];
  const stdinEmpty = viaStdin && sha(made.path) !== 'folder' && existsSync(made.path) && statSync(made.path).size === 0;
  let runs;
  try {
    runs = await pool(
      rows.map((row, i) => async () => {
        const out = join(dir, `out ${i} ü 名`);
        mkdirSync(out);
        const stdin = viaStdin ? readFileSync(made.path) : row.stdin;
        const ctx = { input: made.path, good, out };
        const args = row.args(ctx);
        const kept = (row.keeps?.(ctx) ?? []).map((f) => [f, sha(f)] as const);
        const r = await runCliAsync(args, { stdin });
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
    for (const p of cleanExit(r)) problems.push(at + p);
    if (c.expect === 'error') {
      if (r.status !== 2) problems.push(`${at}exit ${r.status}, expected 2 (stdout ${r.stdout.slice(0, 200)})`);
      else if (c.message && !c.message.test(r.stderr)) problems.push(`${at}message ${JSON.stringify(r.stderr.trim())} does not match ${c.message}`);
    } else if (r.status !== 0 && !(row.mayRefuse && r.status === 2 && row.mayRefuse.test(r.stderr))) {
      problems.push(`${at}exit ${r.status}: ${r.stderr.trim()}`);
    }
    if (r.status === 0) {
      const wrote = readdirSync(out).length > 0;
      if (!r.stdout && !wrote && !(viaStdin && stdinEmpty)) problems.push(`${at}exit 0 with nothing written`);
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

const fileCase = (f: BadFile): Case => ({ ...f, make: (d) => ({ path: f.make(d) }) });

describe('bad model configs (--model)', () => {
  for (const f of BAD_MODELS) it(f.name, () => runCase(fileCase(f), MODEL_COMMANDS));
});

describe('bad nsys-tp configs (--config)', () => {
  for (const f of BAD_CONFIGS) it(f.name, () => runCase(fileCase(f), CONFIG_COMMANDS));
});

describe('bad stdin', () => {
  for (const f of BAD_STDIN) it(f.name, () => runCase(fileCase(f), STDIN_COMMANDS, true));
});

afterAll(() => {
  const lines = [...tally].map(([cmd, t]) => `  ${cmd}: ${t.tried} bad inputs, ${t.refused} refused (exit 2), ${t.read} read (exit 0)`);
  console.log(`bad-input catalogue, per command:\n${lines.join('\n')}`);
});
