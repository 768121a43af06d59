/**
 * Hostile strings (issue 8, item 2): a copy of a real sample whose NVTX names, kernel and API names, thread
 * and GPU names, nsys version, command line, environment and file name carry HTML, Markdown and terminal
 * escapes. Each must reach every format as inert text: terminal control characters stripped, HTML escaped,
 * Markdown escaped, JSON that parses back to the very string. Each tag is checked present in each output
 * that shows it, so a channel that stops showing a string is noticed rather than passing for safe.
 */
import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { htmlEscape, mdEscape, termSafe } from '../analyzer/report/format.js';
import { BENCH_RESULT, cleanExit, pool, runCliAsync, type Run } from './support/catalogue.js';
import { tempDir, textFile } from './support/fixtures.js';
import { samplePath } from './support/traces.js';
import { hostile, hostileShort, hostileTrace, TAGS } from './support/hostile.js';

type Tag = keyof typeof TAGS;

/** What was injected under each tag. */
const PAYLOAD: Record<Tag, string> = {
  step: hostileShort(TAGS.step), kernel: hostileShort(TAGS.kernel), layer: hostile(TAGS.layer), api: hostile(TAGS.api),
  thread: hostile(TAGS.thread), gpu: hostile(TAGS.gpu), version: hostile(TAGS.version), command: hostile(TAGS.command),
  env: hostile(TAGS.env), path: `${TAGS.path}<b>|\`p\``, model: hostile(TAGS.model),
};
/** The payload up to its first space: reports wrap lines at spaces, so this much stays on one line. */
const probe = (t: Tag) => PAYLOAD[t].split(/\s/)[0]!;

/** Names piped into classify: one per line, so without the payloads' line breaks. */
const CLASSIFY_IN = [PAYLOAD.kernel, PAYLOAD.api, `ncclDevKernel_${PAYLOAD.layer}`].map((n) => n.replace(/\n/g, ' '));

/** Characters no terminal report may hold: C0 (but newline) and C1 controls, bidi controls, line separators. */
const TERMINAL_UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

/** The tags each output shows (measured on this trace); thread names are shown nowhere. */
const SHOWN = {
  diagnoseTerminal: ['path', 'version', 'gpu', 'step', 'command', 'kernel', 'api', 'env'],
  diagnoseMd: ['path', 'version', 'gpu', 'step', 'kernel', 'api', 'env'],
  diagnoseHtml: ['path', 'version', 'gpu', 'step', 'kernel', 'api', 'env', 'layer'],
  layersTerminal: ['path', 'step', 'layer'],
  layersMd: ['path', 'step', 'layer'],
  compareTerminal: ['path', 'gpu', 'step', 'command', 'kernel', 'api', 'env'],
  compareMd: ['path', 'gpu', 'step', 'command', 'kernel', 'api', 'env'],
  scalingTerminal: ['path', 'gpu'],
  scalingMd: ['path', 'gpu'],
  attachMd: ['path', 'gpu', 'step', 'kernel', 'api', 'env'],
} satisfies Record<string, Tag[]>;

let dir: string;
let trace: string;
const runs = new Map<string, Run>();
let charts: Map<string, string>;
let html: string;
let diagnoseMd: string;
let layersMd: string;
let others: Record<'compareMd' | 'scalingMd' | 'attachMd', string>;
let attachJson: string;

beforeAll(async () => {
  dir = tempDir();
  trace = hostileTrace(dir);
  const model = textFile(dir, 'config.json', JSON.stringify({
    _name_or_path: PAYLOAD.model, hidden_size: 8192, intermediate_size: 28672, num_attention_heads: 64, num_key_value_heads: 8,
    num_hidden_layers: 80, vocab_size: 128256, torch_dtype: 'bfloat16',
  }));
  const out = join(dir, 'out');
  mkdirSync(out);
  const commands: Record<string, [string[], string?]> = {
    diagnoseTerminal: [['diagnose', trace]],
    diagnoseJson: [['diagnose', trace, '--format', 'json']],
    diagnoseMd: [['diagnose', trace, '--format', 'md', '-o', join(out, 'report.md'), '--chart', join(out, 'charts')]],
    diagnoseHtml: [['diagnose', trace, '--format', 'html', '-o', join(out, 'report.html')]],
    layersTerminal: [['layers', trace]],
    layersJson: [['layers', trace, '--format', 'json']],
    layersMd: [['layers', trace, '--format', 'md', '-o', join(out, 'layers.md')]],
    slice: [['slice', trace, '--steps', 'decode', '-o', join(out, `${PAYLOAD.path} \u001b[31mslice.sqlite`)]],
    planTerminal: [['plan', '--model', model]],
    planJson: [['plan', '--model', model, '--format', 'json']],
    classify: [['classify'], CLASSIFY_IN.map((n) => `${n}\n`).join('')],
    // The hostile trace is TP=4 eager; the clean TP=4 sample beside it, and a TP=2 one for scaling.
    compareTerminal: [['compare', samplePath('tp4graph-decode.sqlite'), trace]],
    compareJson: [['compare', trace, samplePath('tp4graph-decode.sqlite'), '--format', 'json']],
    compareMd: [['compare', samplePath('tp4graph-decode.sqlite'), trace, '--format', 'md', '-o', join(out, 'compare.md')]],
    scalingTerminal: [['scaling', samplePath('tp2graph-decode.sqlite'), trace, '--batch', '8']],
    scalingMd: [['scaling', samplePath('tp2graph-decode.sqlite'), trace, '--batch', '8', '--format', 'md', '-o', join(out, 'scaling.md')]],
    attachMd: [['attach', textFile(out, 'bench.md', '# Benchmark\n'), trace, '--format', 'md']],
    attachJson: [['attach', textFile(out, 'bench.json', BENCH_RESULT), trace]],
  };
  const names = Object.keys(commands);
  const results = await pool(names.map((n) => () => runCliAsync(commands[n]![0], { stdin: commands[n]![1] })), 4);
  names.forEach((n, i) => runs.set(n, results[i]!));
  html = readFileSync(join(out, 'report.html'), 'utf8');
  diagnoseMd = readFileSync(join(out, 'report.md'), 'utf8');
  layersMd = readFileSync(join(out, 'layers.md'), 'utf8');
  others = {
    compareMd: readFileSync(join(out, 'compare.md'), 'utf8'),
    scalingMd: readFileSync(join(out, 'scaling.md'), 'utf8'),
    attachMd: readFileSync(join(out, 'bench.md'), 'utf8'),
  };
  attachJson = readFileSync(join(out, 'bench.json'), 'utf8');
  charts = new Map(readdirSync(join(out, 'charts')).map((f) => [f, readFileSync(join(out, 'charts', f), 'utf8')]));
});

const stdout = (name: string) => {
  const r = runs.get(name)!;
  expect(cleanExit(r), r.stderr).toEqual([]);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};

/** The first match of `re` in `text` with some context, or null: failures print this, not a whole report. */
function around(text: string, re: RegExp): string | null {
  const m = re.exec(text);
  return m ? JSON.stringify(text.slice(Math.max(0, m.index - 60), m.index + m[0].length + 60)) : null;
}
/** Fails with the place of the first match, if any. */
const absent = (text: string, re: RegExp, what = '') => expect(around(text, re), `${what} ${re}`).toBeNull();
const present = (text: string, s: string, what = '') => expect(text.includes(s), `${what} shows ${JSON.stringify(s)}`).toBe(true);

/** Every string value in a parsed JSON document. */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => strings(x, out));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => strings(x, out));
  return out;
}

describe('hostile strings in every output', () => {
  it('terminal: control characters and bidi overrides stripped, the text kept', () => {
    for (const [name, tags] of [
      ['diagnoseTerminal', SHOWN.diagnoseTerminal], ['layersTerminal', SHOWN.layersTerminal], ['planTerminal', ['model']],
      ['compareTerminal', SHOWN.compareTerminal], ['scalingTerminal', SHOWN.scalingTerminal],
    ] as const) {
      const text = stdout(name);
      absent(text, TERMINAL_UNSAFE, name);
      for (const t of tags) present(text, termSafe(probe(t)), `${name} shows ${t}`);
    }
    // The OSC 8 hyperlink is dropped whole, its target too; the visible word stays.
    absent(stdout('diagnoseTerminal'), /evil\.example/);
    present(stdout('diagnoseTerminal'), 'red click bell');
  });

  it('classify echoes names without their control characters', () => {
    const text = stdout('classify');
    // Its output is class<TAB>name lines: the tab is its own.
    absent(text.replace(/^(\S+)\t/gm, '$1 '), TERMINAL_UNSAFE);
    expect(text.trim().split('\n')).toEqual(CLASSIFY_IN.map((n) => `other\t${termSafe(n)}`));
  });

  it('Markdown: markup, links, code spans and table pipes escaped, every table row whole', () => {
    for (const [name, md, tags] of [
      ['diagnose', diagnoseMd, SHOWN.diagnoseMd], ['layers', layersMd, SHOWN.layersMd], ['compare', others.compareMd, SHOWN.compareMd],
      ['scaling', others.scalingMd, SHOWN.scalingMd], ['attach', others.attachMd, SHOWN.attachMd],
    ] as const) {
      absent(md, TERMINAL_UNSAFE, name);
      // The reports write no links and no HTML of their own but folded sections (<details>) and attach's
      // markers: any other would be the trace's.
      // attach writes the trace paths as code spans (issue 23): a span's text is literal, nothing in it is
      // Markdown, so it is left out of the check on text and must hold the path as it is.
      // An opening run is not escaped (\`); inside a span a backslash is literal, so the closing run may follow one.
      const SPAN = /(?<![`\\])(`+)(?!`)(.*?[^`])\1(?!`)/g;
      const spans = name === 'attach' ? [...md.matchAll(SPAN)].map((m) => m[2]!) : [];
      const text = name === 'attach' ? md.replace(SPAN, '') : md;
      absent(text.replace(/<\/?(details|summary)( open)?>|<!-- nsys-tp:(begin|end) -->/g, ''), /(^|[^\\])[<[]/m, name);
      for (const t of tags) {
        if (name === 'attach' && t === 'path') expect(spans.some((x) => x.includes(termSafe(probe(t)))), `${name} shows ${t} in a code span`).toBe(true);
        else present(text, mdEscape(probe(t)), `${name} shows ${t}`);
      }
      // A row of a table has as many unescaped pipes as the table's header.
      let cols = -1;
      for (const line of md.split('\n')) {
        if (!line.startsWith('|')) {
          cols = -1;
          continue;
        }
        const pipes = line.match(/(^|[^\\])\|/g)!.length;
        if (cols < 0) cols = pipes;
        expect(pipes, `${name}: ${line}`).toBe(cols);
      }
    }
    // The payload's backticks cannot open a code span: each is escaped.
    present(diagnoseMd, mdEscape(PAYLOAD.kernel));
    present(diagnoseMd, '\\`s\\`');
  });

  it('HTML: only the report\'s own elements, no event handler or script URL, every string escaped', () => {
    absent(html, TERMINAL_UNSAFE);
    const own = new Set(['html', 'head', 'meta', 'title', 'style', 'body', 'h1', 'h2', 'h3', 'p', 'div', 'strong', 'span', 'em', 'code', 'table', 'caption', 'thead', 'tbody', 'tr', 'th', 'td', 'ul', 'li', 'details', 'summary', 'figure', 'svg', 'g', 'path', 'line', 'text', 'rect', 'clippath', 'defs']);
    const tags = new Set([...html.matchAll(/<([a-zA-Z][\w-]*)/g)].map((m) => m[1]!.toLowerCase()));
    expect([...tags].filter((t) => !own.has(t))).toEqual([]);
    absent(html, /<[^>]*\son[a-z]+\s*=/i);
    absent(html, /\s(href|src|xlink:href|action|formaction)\s*=\s*["']?\s*(javascript|https?|data):/i);
    // Findings turn `a` into <code>a</code> (after escaping): the probe stops before a backtick.
    for (const t of SHOWN.diagnoseHtml) present(html, htmlEscape(termSafe(probe(t).split('`')[0]!)), `html shows ${t}`);
    present(html, 'HXapi&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
  });

  it('SVG charts: text escaped by the renderer, no control characters (an SVG file must be valid XML)', () => {
    expect([...charts.keys()].sort()).toEqual(['classes.svg', 'layers-decode.svg', 'layers-prefill.svg', 'timeline.svg']);
    for (const [name, svg] of charts) {
      absent(svg, TERMINAL_UNSAFE, name);
      const tags = new Set([...svg.matchAll(/<([a-zA-Z][\w-]*)/g)].map((m) => m[1]!));
      expect([...tags].filter((t) => !['svg', 'g', 'path', 'line', 'text', 'rect', 'clipPath', 'defs', 'title', 'desc'].includes(t)), name).toEqual([]);
      absent(svg, /<[^>]*\son[a-z]+\s*=/i, name);
    }
    // The timeline's title names its step.
    present(charts.get('timeline.svg')!, 'HXstep&lt;script&gt;x()&lt;/script&gt;|`s` ');
  });

  it('JSON: valid, strings round-trip exactly, nothing a terminal acts on left raw', () => {
    for (const name of ['diagnoseJson', 'layersJson', 'planJson', 'compareJson']) {
      const text = stdout(name);
      // JSON escapes C0 controls itself; the rest are written as \u escapes too.
      absent(text, TERMINAL_UNSAFE, name);
      expect(() => JSON.parse(text), name).not.toThrow();
    }
    const j = JSON.parse(stdout('diagnoseJson'));
    expect(j.trace.path).toBe(trace);
    expect(j.trace.nsysVersion).toBe(PAYLOAD.version);
    expect(j.trace.gpus.map((g: any) => g.name)).toEqual([PAYLOAD.gpu, PAYLOAD.gpu, PAYLOAD.gpu, PAYLOAD.gpu]);
    expect(j.findings.find((f: any) => f.rule === 'nccl-algorithm-override').evidence.environment).toEqual({ NCCL_ALGO: PAYLOAD.env });
    const all = strings(j);
    for (const t of ['step', 'kernel', 'api'] as const) expect(all.some((s) => s.includes(PAYLOAD[t])), t).toBe(true);
    expect(strings(JSON.parse(stdout('layersJson'))).some((s) => s === `${PAYLOAD.layer} layer 3`)).toBe(true);
    expect(JSON.parse(stdout('planJson')).model.name).toBe(PAYLOAD.model);
    expect(JSON.parse(stdout('compareJson')).base.paths).toEqual([trace]);
    absent(attachJson, TERMINAL_UNSAFE, 'attach');
    expect(JSON.parse(attachJson).nsysTp.traces).toEqual([trace]);
  });

  it('slice keeps every hostile string byte for byte, and names its output safely', () => {
    const r = runs.get('slice')!;
    expect(cleanExit(r)).toEqual([]);
    expect(r.status, r.stderr).toBe(0);
    absent(r.stderr, TERMINAL_UNSAFE);
    const db = new Database(join(dir, 'out', `${PAYLOAD.path} \u001b[31mslice.sqlite`), { readonly: true });
    const texts = db.prepare('SELECT DISTINCT text FROM NVTX_EVENTS WHERE text IS NOT NULL').pluck().all();
    const values = new Set(db.prepare('SELECT value FROM StringIds').pluck().all());
    db.close();
    expect(texts).toContain(`${PAYLOAD.step} decode 3`);
    expect(texts).toContain(`${PAYLOAD.layer} layer 3`);
    for (const t of ['kernel', 'api', 'thread'] as const) expect(values.has(PAYLOAD[t]), t).toBe(true);
  });
});
