/**
 * One case of the bad-input catalogue (test/catalogue*.test.ts): a broken input tried on every command of
 * a list, each run checked to end cleanly (exit 0 with a whole report, or exit 2 with one line), the input
 * byte-identical afterwards and no temp file left. The first command runs as a process, the others
 * in-process where nothing about the case needs a process.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, chmodSync, copyFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import type { BadFile, BadTrace, Made } from './broken.js';
import { cleanExit, cliForNobody, IS_ROOT, leftoverTemps, NOBODY, NOT_TP, pool, runCliAsync, type CommandRow } from './catalogue.js';
import { tempDir } from './fixtures.js';
import { runCliInProcess } from './inProcess.js';
import { wellFormedProblems } from './xml.js';
import { reportProblems } from './sanity.js';
import { samplePath } from './traces.js';

/** A file's content hash; for what is not a regular file, its kind (reading /dev/zero would never end). */
export const sha = (p: string) => {
  if (!existsSync(p)) return 'absent';
  const st = statSync(p);
  if (st.isDirectory()) return 'folder';
  if (!st.isFile()) return st.isFIFO() ? 'fifo' : st.isCharacterDevice() ? 'device' : 'special';
  return createHash('sha256').update(readFileSync(p)).digest('hex');
};
export const listing = (d: string, ignore?: RegExp) => (existsSync(d) ? readdirSync(d).filter((f) => !ignore?.test(f)).sort().join('\n') : '');
export const CONCURRENCY = Math.max(2, availableParallelism());

/** Per command: bad inputs tried, refused with exit 2, read with exit 0. */
const tally = new Map<string, { tried: number; refused: number; read: number }>();

export interface Case {
  name: string;
  expect: 'error' | 'ok';
  message?: RegExp;
  check?: BadTrace['check'];
  sideFiles?: RegExp;
  asNobody?: boolean;
  processes?: boolean;
  waits?: boolean;
  make(dir: string): Made | Promise<Made>;
}

export interface CaseOptions {
  /** The input is piped into stdin (its bytes), or opened as stdin (`path`: a folder, a device). */
  stdin?: 'bytes' | 'path';
  env?: Record<string, string>;
  /** Every command as a process: a pattern that backtracks would hang the test process itself. */
  processes?: boolean;
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
export const nobody = IS_ROOT ? cliForNobody() : null;
export const nobodySkip = nobody && 'skip' in nobody ? nobody.skip : null;
if (nobodySkip) console.log(`catalogue: the cases run as an unprivileged user are skipped: ${nobodySkip}`);

export async function runCase(c: Case, rows: CommandRow[], o: CaseOptions = {}): Promise<void> {
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
  // The first command runs as a process (a hang, the memory held, what reaches stderr from outside main);
  // the others in-process when nothing about the case needs one: a plain file (or none), stdin (if any)
  // bytes the run can be given, no other user. Its environment is the run's (the CLI reads it per call).
  const kind = sha(made.path);
  const inProcess = !o.processes && !c.processes && !c.waits && !asNobody && o.stdin !== 'path' && (kind === 'absent' || !['folder', 'fifo', 'device', 'special'].includes(kind));
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
        const r = inProcess && i > 0
          ? await runCliInProcess(args, { stdin, env: { ...o.env, ...made.env } })
          : await runCliAsync(args, {
            stdin, stdinPath: o.stdin === 'path' ? made.path : undefined, env: { ...o.env, ...made.env },
            ...(asNobody && nobody && 'cli' in nobody ? { uid: NOBODY, cli: nobody.cli } : {}),
          });
        return { row, r, out, kept };
      }),
      c.waits ? rows.length : CONCURRENCY,
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

export const fileCase = (f: BadFile): Case => ({ ...f, make: (d) => ({ path: f.make(d) }) });

/** What the cases of a file tried, per command: bad inputs tried, refused with exit 2, read with exit 0. */
export function tallyText(): string {
  const lines = [...tally].map(([cmd, t]) => `  ${cmd}: ${t.tried} bad inputs, ${t.refused} refused (exit 2), ${t.read} read (exit 0)`);
  tally.clear(); // a worker runs several files: each says what its own cases tried
  return `bad-input catalogue, per command:\n${lines.join('\n')}`;
}
