/**
 * Mutation fuzzing (issue 8, item 3): real exports corrupted by seeded edits (test/support/mutate.ts) and
 * run through diagnose (every format, now and then layers). A crash is an exit other than 0 or 2, a stack
 * trace or internal error, a rule that threw, or a JSON report whose times do not add up; a hang is a run
 * killed by the timeout. The input must be byte-identical afterwards.
 *
 * Besides damage, crafted files (views, SQL in the schema, computed columns, a WAL flag without its file,
 * format-breaking and backtracking-shaped names): nothing may appear beside the input, no SQL of the
 * trace's may run (its trap file never appears), every HTML page written is well-formed.
 *
 * A fixed number of cases, whatever the machine's load (the test asserts what each case does, never how
 * many fit in a time); seeded, so a failure is replayed from the seed it prints. A longer run:
 * NSYS_TP_FUZZ_CASES=100000 NSYS_TP_FUZZ_SECONDS=900 npx vitest run test/fuzz.test.ts (the seconds stop
 * a long run early; NSYS_TP_FUZZ_SEED picks the first seed; NSYS_TP_FUZZ_LOG=1 prints every refusal).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { cleanExit, pool, runCliAsync, RUN_TIMEOUT_MS } from './support/catalogue.js';
import { tempDir } from './support/fixtures.js';
import { mutatedExport } from './support/mutate.js';
import { reportProblems } from './support/sanity.js';
import { wellFormedProblems } from './support/xml.js';

export const FUZZ = {
  firstSeed: Number(process.env.NSYS_TP_FUZZ_SEED ?? 1),
  cases: Number(process.env.NSYS_TP_FUZZ_CASES ?? 40),
  /** Only for long runs: stop starting cases after this long. */
  budgetMs: process.env.NSYS_TP_FUZZ_SECONDS ? Number(process.env.NSYS_TP_FUZZ_SECONDS) * 1000 : Infinity,
};
const PARALLEL = Math.max(2, availableParallelism());
/** The test's own limit: every case may take the whole run timeout, in PARALLEL lanes (or the budget, for a long run). */
const TEST_TIMEOUT_MS = Math.min(FUZZ.budgetMs + RUN_TIMEOUT_MS, Math.ceil(FUZZ.cases / PARALLEL) * RUN_TIMEOUT_MS) + 120_000;

/** The command each case runs, by seed: diagnose in every format, layers now and then. */
function commandFor(seed: number, path: string, out: string): string[] {
  const k = seed % 8;
  if (k === 7) return ['layers', path, '--format', 'json'];
  if (k === 6) return ['diagnose', path, '--format', 'html', '-o', join(out, `report-${seed}.html`)];
  if (k === 5) return ['slice', path, '--steps', '.', '-o', join(out, `slice-${seed}.sqlite`)];
  return ['diagnose', path, '--format', ['json', 'terminal', 'md', 'json', 'terminal', 'json'][k]!];
}

it(`fuzz: ${FUZZ.cases} corrupted and crafted exports, no crash, no hang, nothing beside them`, async () => {
  const t0 = Date.now();
  const dir = tempDir();
  const failures: string[] = [];
  const exits = new Map<string, number>();
  let ran = 0;
  const seeds = Array.from({ length: FUZZ.cases }, (_, i) => FUZZ.firstSeed + i);
  await pool(
    seeds.map((seed) => async () => {
      if (Date.now() - t0 > FUZZ.budgetMs) return;
      const m = mutatedExport(dir, seed);
      const before = createHash('sha256').update(readFileSync(m.path)).digest('hex');
      const args = commandFor(seed, m.path, dir);
      const r = await runCliAsync(args);
      ran++;
      if (process.env.NSYS_TP_FUZZ_LOG && r.status === 2) console.log(`exit2 seed ${seed}: ${r.stderr.trim().replace(/^nsys-tp: \S+: /, '')}`);
      const key = `${args[0]} exit ${r.status}`;
      exits.set(key, (exits.get(key) ?? 0) + 1);
      const problems = cleanExit(r);
      if (/failed on this trace/.test(r.stdout)) problems.push('a rule crashed');
      if (r.status === 0 && args.includes('json')) {
        try {
          problems.push(...reportProblems(JSON.parse(r.stdout)));
        } catch (e) {
          problems.push(`not JSON: ${(e as Error).message}`);
        }
      }
      if (createHash('sha256').update(readFileSync(m.path)).digest('hex') !== before) problems.push('the input changed');
      for (const side of ['-wal', '-shm', '-journal']) if (existsSync(m.path + side)) problems.push(`${side} file appeared beside the input`);
      if (existsSync(m.trap)) problems.push(`the trace's own SQL ran (it created ${m.trap})`);
      const html = join(dir, `report-${seed}.html`);
      if (existsSync(html)) {
        problems.push(...wellFormedProblems(readFileSync(html, 'utf8'), 'html').slice(0, 3).map((p) => `report.html: ${p}`));
        rmSync(html);
      }
      rmSync(join(dir, `slice-${seed}.sqlite`), { force: true });
      if (problems.length) {
        failures.push(`seed ${seed} (${m.sample}: ${m.edits.join('; ')}) ${args.slice(2).join(' ')}: ${problems.join('; ')}\n  ${r.stderr.trim().slice(0, 300)}`);
      } else rmSync(m.path);
    }),
    PARALLEL,
  );
  console.log(`fuzz: ${ran} cases, seeds ${FUZZ.firstSeed}..${FUZZ.firstSeed + ran - 1}, ${((Date.now() - t0) / 1000).toFixed(0)} s; ` +
    [...exits].sort().map(([k, n]) => `${k}: ${n}`).join(', '));
  expect(failures, failures.join('\n')).toEqual([]);
  rmSync(dir, { recursive: true, force: true });
  if (FUZZ.budgetMs === Infinity) expect(ran).toBe(FUZZ.cases);
}, TEST_TIMEOUT_MS);
