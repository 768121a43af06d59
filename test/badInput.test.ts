/**
 * Bad input (issue 2, item 8): each case is one clear line on stderr, a non-zero exit, no stack trace,
 * and the input file unchanged.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { cpuOnlyExport, foreignSqlite, tempDir, textFile } from './support/fixtures.js';
import { repoTrace, samplePath } from './support/traces.js';

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

function expectCleanError(args: string[], pattern: RegExp, code = 2) {
  const r = runCli(args);
  expect(r.status, r.stderr).toBe(code);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^nsys-tp: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('bad input to diagnose', () => {
  const dir = tempDir();
  it('a path that does not exist', () => expectCleanError(['diagnose', join(dir, 'nope.sqlite')], /no such file/));
  it('a directory', () => {
    const d = join(dir, 'a-dir');
    mkdirSync(d);
    expectCleanError(['diagnose', d], /is a directory/);
  });
  it('a file that is not SQLite', () => expectCleanError(['diagnose', textFile(dir, 'notes.sqlite', 'hello world, not a database\n'.repeat(40))], /not an SQLite file.*nsys export --type sqlite/));
  it('an empty file', () => expectCleanError(['diagnose', textFile(dir, 'empty.sqlite', '')], /empty file/));
  it('a truncated SQLite header', () => expectCleanError(['diagnose', textFile(dir, 'cut.sqlite', 'SQLite form')], /truncated SQLite file/));
  it('a .nsys-rep without nsys on PATH gets the exact export command', () => {
    const rep = textFile(dir, 'run 1.nsys-rep', 'QDSTRM-ish binary report');
    const r = runCli(['diagnose', rep]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`nsys export --type sqlite --output "${rep.replace(/\.nsys-rep$/, '.sqlite')}" "${rep}"`);
  });
  it('a .qdstrm', () => expectCleanError(['diagnose', textFile(dir, 'cap.qdstrm', 'raw stream')], /unfinished capture.*QdstrmImporter/));
  it('an SQLite database that is not an nsys export', () => expectCleanError(['diagnose', foreignSqlite(dir)], /not an Nsight Systems export/));
  it('an export of a CPU-only profile', () => expectCleanError(['diagnose', cpuOnlyExport(dir)], /no GPU activity.*-t cuda/));
  it('a bad --steps regular expression is a usage error', () => {
    const r = runCli(['diagnose', samplePath('tp4graph-decode.sqlite'), '--steps', '(unclosed']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not a valid regular expression/);
  });
  it('a step selection that matches nothing is a usage error, so no gate passes over nothing', () => {
    // hf-eager-range: steps from the kernels' rhythm, whose forward split once read an empty window.
    const cases = [['--steps', '^no such range$'], ['--steps', '^no such range$', '--fail-on', 'warning'], ['--from', '100'], ['--from', '2', '--to', '1']].map((a) => [samplePath('tp4graph-decode.sqlite'), a] as const);
    for (const [trace, args] of [...cases, [repoTrace('hf-eager-range'), ['--from', '100']] as const]) {
      const r = runCli(['diagnose', trace, ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/no steps|not before --to/);
    }
  });
  it('the trace is opened read-only and is byte-identical afterwards', () => {
    const p = samplePath('tp4graph-decode.sqlite');
    const before = sha(p);
    for (const f of ['terminal', 'json', 'md']) expect(runCli(['diagnose', p, '--format', f]).status).toBe(0);
    expect(sha(p)).toBe(before);
  });
  it('refuses to write the report over the trace', () => {
    const p = samplePath('tp4graph-decode.sqlite');
    const before = sha(p);
    expectCleanError(['diagnose', p, '-o', p], /refusing to overwrite an input trace/);
    expect(sha(p)).toBe(before);
  });
});

describe('a .nsys-rep with nsys on PATH (a fake nsys that counts its runs)', () => {
  const dir = tempDir();
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const count = join(dir, 'runs');
  writeFileSync(join(bin, 'nsys'), `#!/bin/sh\necho run >> "${count}"\nout=""; while [ $# -gt 0 ]; do [ "$1" = "--output" ] && out="$2"; shift; done\ncp "${samplePath('tp4graph-decode.sqlite')}" "$out"\n`, { mode: 0o755 });
  const cache = join(dir, 'cache');
  const env = { PATH: `${bin}:${process.env.PATH}`, XDG_CACHE_HOME: cache, NSYS_TP_CACHE: '' };
  const runs = () => (existsSync(count) ? readFileSync(count, 'utf8').split('\n').filter(Boolean).length : 0);

  it('exports once into the cache folder (not beside the report), says where and how long, and reuses it', () => {
    mkdirSync(join(dir, 'reports'));
    const rep = textFile(join(dir, 'reports'), 'run 1.nsys-rep', 'report bytes');
    const first = runCli(['diagnose', rep, '--format', 'json'], { env });
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toMatch(new RegExp(`^nsys-tp: exported .*run 1\\.nsys-rep with nsys in \\d+\\.\\d s to ${cache}/nsys-tp/run 1-[0-9a-f]{16}\\.sqlite; later runs reuse it \\(delete ${cache}/nsys-tp to clear the cache\\)\\n$`));
    expect(JSON.parse(first.stdout).trace.path).toBe(rep);
    const second = runCli(['diagnose', rep, '--format', 'json'], { env });
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/^nsys-tp: reading .*run 1-[0-9a-f]{16}\.sqlite, the export of .*run 1\.nsys-rep made earlier; delete .* to clear the cache\n$/);
    expect(runs()).toBe(1);
    expect(readdirSync(join(dir, 'reports'))).toEqual(['run 1.nsys-rep']);
  });

  it('a .sqlite beside the report is used when newer, else the report is exported again (into the cache)', () => {
    mkdirSync(join(dir, 'beside'));
    const rep = textFile(join(dir, 'beside'), 'r.nsys-rep', 'report bytes, another report');
    const sqlite = join(dir, 'beside', 'r.sqlite');
    copyFileSync(samplePath('tp4graph-decode.sqlite'), sqlite);
    const before = runs();
    const fresh = runCli(['diagnose', rep], { env });
    expect(fresh.status, fresh.stderr).toBe(0);
    expect(fresh.stderr).toContain(`nsys-tp: reading ${sqlite}, the export beside ${rep} (newer than the report)`);
    expect(runs()).toBe(before);
    utimesSync(sqlite, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    const stale = runCli(['diagnose', rep], { env });
    expect(stale.status, stale.stderr).toBe(0);
    expect(stale.stderr).toContain(`(${sqlite} is older than the report)`);
    expect(runs()).toBe(before + 1);
    expect(readdirSync(join(dir, 'beside')).sort()).toEqual(['r.nsys-rep', 'r.sqlite']);
  });
});
