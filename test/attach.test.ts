/**
 * `nsys-tp attach`: the benchmark file keeps every byte it had, gains one `nsysTp` member (or a Markdown
 * section), and is never left damaged: errors leave it byte-identical.
 *
 * test/fixtures/vllm-bench-serve.json has the fields, order and formatting `vllm bench serve --save-result`
 * writes (vllm/benchmarks/serve.py at commit 009e6d4a1cd6ba3fb2a9fc00f4ec06f5297232a1: the setup fields,
 * `--metadata tp=4`, traffic, then the benchmark result without the per-request lists, written by Python's
 * json.dump on one line with ", " and ": "); the values are made up for a TP=4 Llama-3.3-70B run.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, lstatSync, readFileSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { setTopLevelMember, parseJsonObject } from '../analyzer/report/jsonMember.js';
import { runCli } from './support/cli.js';
import { cliForNobody, NOBODY } from './support/catalogue.js';
import { tempDir, textFile } from './support/fixtures.js';
import { REPO, samplePath } from './support/traces.js';

const FIXTURE = join(REPO, 'test/fixtures/vllm-bench-serve.json');
const TRACE = samplePath('tp4graph-decode.sqlite');

function benchCopy(dir = tempDir(), name = 'bench.json'): string {
  const p = join(dir, name);
  copyFileSync(FIXTURE, p);
  return p;
}

describe('setTopLevelMember keeps the text and writes in its style', () => {
  it('one-line Python style: appended last with ", " and ": ", non-ASCII escaped', () => {
    const out = setTopLevelMember('{"a": 1.0, "b": 1e-05}', 'nsysTp', { t: '1.8 µs', n: [1, 2] });
    expect(out).toBe('{"a": 1.0, "b": 1e-05, "nsysTp": {"t": "1.8 \\u00b5s", "n": [1, 2]}}');
  });
  it('indented (json.dump indent=2 / JSON.stringify 2), CRLF kept', () => {
    const text = '{\r\n  "a": 1,\r\n  "b": [\r\n    1\r\n  ]\r\n}\r\n';
    expect(setTopLevelMember(text, 'k', { x: 1 })).toBe('{\r\n  "a": 1,\r\n  "b": [\r\n    1\r\n  ],\r\n  "k": {\r\n    "x": 1\r\n  }\r\n}\r\n');
  });
  it('an existing member is replaced in place; NaN, Infinity and braces inside strings do not confuse it', () => {
    const text = '{"s": "a}\\"{", "nsysTp": {"old": [1, {"x": 2}]}, "m": NaN, "i": -Infinity}';
    expect(setTopLevelMember(text, 'nsysTp', 3)).toBe('{"s": "a}\\"{", "nsysTp": 3, "m": NaN, "i": -Infinity}');
    expect(parseJsonObject(text)).toEqual({ s: 'a}"{', nsysTp: { old: [1, { x: 2 }] }, m: null, i: null });
  });
  it('an empty object', () => {
    expect(setTopLevelMember('{}', 'k', 1)).toBe('{"k": 1}');
  });
  it('not one JSON object: an array, two results (--append-result), a truncated file', () => {
    expect(() => setTopLevelMember('[1]', 'k', 1)).toThrow(/not a JSON object/);
    expect(() => setTopLevelMember('{"a": 1}\n{"a": 2}', 'k', 1)).toThrow(/more than one JSON value/);
    expect(() => parseJsonObject('{"a": [1, 2')).toThrow();
  });
});

describe('attach to a vllm bench serve result', () => {
  it('adds nsysTp last; every earlier byte, key and number spelling unchanged', () => {
    const p = benchCopy();
    const before = readFileSync(p, 'utf8');
    const r = runCli(['attach', p, TRACE]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`nsys-tp: added an nsys-tp section to ${p} (1 finding(s))\n`);
    const after = readFileSync(p, 'utf8');
    expect(after.slice(0, before.length - 1)).toBe(before.slice(0, -1));
    expect(after.slice(before.length - 1, before.length + 11)).toBe(', "nsysTp": ');
    expect(after).toContain('"burstiness": 1.0,');
    expect(after).toContain('"rtfx": 0.0,');
    expect(after).toContain('"std_itl_ms": 3.5064903411078e-05,');
    const json = JSON.parse(after);
    const keys = Object.keys(json);
    expect(keys.slice(0, -1)).toEqual(Object.keys(JSON.parse(before)));
    expect(keys.at(-1)).toBe('nsysTp');
    const s = json.nsysTp;
    expect(Object.keys(s)).toEqual(['tool', 'traces', 'gpus', 'tp', 'stepDetection', 'decode', 'findings']);
    expect(s.tp).toBe(4);
    expect(s.decode.steps).toBe(3);
    expect(s.decode.medianStepNs).toBeGreaterThan(1.8e6);
    expect(s.decode.medianStepNs).toBeLessThan(1.85e6);
    expect(s.findings.map((f: any) => f.rule)).toEqual(['latency-bound-collectives']);
    expect(after).toMatch(/^[\x00-\x7f]*$/);
  });

  it('attaching again replaces the section in place (another trace: its findings)', () => {
    const p = benchCopy();
    expect(runCli(['attach', p, TRACE]).status).toBe(0);
    const r = runCli(['attach', p, samplePath('tp4-eager.sqlite')]);
    expect(r.stderr).toMatch(/replaced the nsys-tp section/);
    const json = JSON.parse(readFileSync(p, 'utf8'));
    expect(Object.keys(json).filter((k) => k === 'nsysTp')).toHaveLength(1);
    expect(json.nsysTp.prefill.steps).toBe(1);
    expect(json.nsysTp.findings.map((f: any) => f.rule)).toContain('comm-serialized');
  });

  it('keeps the file mode and writes through a symlink to its target', () => {
    const dir = tempDir();
    const p = benchCopy(dir, 'real.json');
    chmodSync(p, 0o640);
    const link = join(dir, 'link.json');
    symlinkSync(p, link);
    expect(runCli(['attach', link, TRACE]).status).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(statSync(p).mode & 0o777).toBe(0o640);
    expect(JSON.parse(readFileSync(p, 'utf8')).nsysTp.tp).toBe(4);
    expect(readdirSync(dir).sort()).toEqual(['link.json', 'real.json']);
  });

  it('--format md appends a findings section to a Markdown report, and replaces it next time', () => {
    const dir = tempDir();
    const p = textFile(dir, 'report.md', '# Benchmark\n\nTTFT p99 236 ms.\n');
    expect(runCli(['attach', p, samplePath('tp4-eager.sqlite'), '--format', 'md']).status).toBe(0);
    expect(runCli(['attach', p, TRACE, '--format', 'md']).status).toBe(0);
    const text = readFileSync(p, 'utf8');
    expect(text.startsWith('# Benchmark\n\nTTFT p99 236 ms.\n\n<!-- nsys-tp:begin -->\n## nsys-tp: what the trace shows\n')).toBe(true);
    expect(text.match(/nsys-tp:begin/g)).toHaveLength(1);
    expect(text).toContain('| decode | 3 | 1.82 |');
    expect(text).toContain('`latency-bound-collectives`');
    expect(text.endsWith('<!-- nsys-tp:end -->\n')).toBe(true);
  });
});

describe('attach never damages the benchmark file', () => {
  const sha = (p: string) => readFileSync(p).toString('base64');
  function expectCleanError(args: string[], pattern: RegExp, bench: string) {
    const before = sha(bench);
    const r = runCli(args);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(sha(bench)).toBe(before);
  }

  it('a trace that fails to load leaves the file byte-identical and no temp file behind', () => {
    const dir = tempDir();
    const p = benchCopy(dir);
    expectCleanError(['attach', p, textFile(dir, 'broken.sqlite', 'not a database at all, just text\n'.repeat(20))], /not an SQLite file/, p);
    expectCleanError(['attach', p, join(dir, 'missing.sqlite')], /no such file/, p);
    expect(readdirSync(dir).sort()).toEqual(['bench.json', 'broken.sqlite']);
  });

  it('a report that is not one JSON object is refused before anything is written', () => {
    const dir = tempDir();
    const lines = textFile(dir, 'runs.json', readFileSync(FIXTURE, 'utf8') + '\n' + readFileSync(FIXTURE, 'utf8'));
    expectCleanError(['attach', lines, TRACE], /more than one JSON value/, lines);
    const md = textFile(dir, 'report.md', '# Benchmark\n');
    expectCleanError(['attach', md, TRACE], /not a benchmark result JSON object.*pass --format md/, md);
    const cut = textFile(dir, 'cut.json', readFileSync(FIXTURE, 'utf8').slice(0, 300));
    expectCleanError(['attach', cut, TRACE], /not a benchmark result JSON object/, cut);
  });

  it('refuses to write over the trace it reads', () => {
    const dir = tempDir();
    const trace = join(dir, 't.sqlite');
    copyFileSync(TRACE, trace);
    expectCleanError(['attach', trace, trace, '--format', 'md'], /refusing to overwrite an input trace/, trace);
  });

  const root = process.getuid?.() === 0;
  // Root writes anywhere: run as an unprivileged user then, through a CLI that user can run.
  const asUser = root ? cliForNobody() : null;
  if (asUser && 'skip' in asUser) console.log(`attach: the read-only folder test is skipped: ${asUser.skip}`);
  it.skipIf(!!asUser && 'skip' in asUser)('a read-only folder gives one clean line and leaves the file as it was', () => {
    const dir = tempDir();
    const p = benchCopy(dir);
    chmodSync(p, 0o644);
    // The user's own file, so that only the folder stops the write (a file it may not write is refused before).
    if (root) chownSync(p, NOBODY, NOBODY);
    chmodSync(dir, 0o555);
    const before = sha(p);
    const cli = asUser && 'cli' in asUser ? asUser.cli : join(REPO, 'dist/cli/main.js');
    // The trace too where that user can read it (the clone may sit in a folder only root may enter).
    const traceDir = tempDir();
    chmodSync(traceDir, 0o755);
    const trace = join(traceDir, 'trace.sqlite');
    copyFileSync(TRACE, trace);
    chmodSync(trace, 0o644);
    const r = spawnSync(process.execPath, [cli, 'attach', p, trace], { encoding: 'utf8', ...(root ? { uid: NOBODY, gid: NOBODY } : {}) });
    chmodSync(dir, 0o755);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toBe(`nsys-tp: ${p}: cannot write (EACCES: permission denied)\n`);
    expect(sha(p)).toBe(before);
    expect(readdirSync(dir)).toEqual(['bench.json']);
  });
});
