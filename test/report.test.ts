/**
 * The `layers` command, `--chart DIR` and `diagnose --format html` as a user runs them: tables that fit,
 * SVG charts with their marks, one self-contained HTML page, trace strings escaped everywhere.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderSvg } from '../analyzer/report/charts/render.js';
import { cli } from './support/cli.js';
import { tempDir } from './support/fixtures.js';
import { HOSTILE_LAYER, HOSTILE_STEP, hostileEager } from './support/hostile.js';
import { HAVE_TRACES, samplePath, sharedTrace } from './support/traces.js';

const GRAPH = samplePath('tp4graph-decode.sqlite');
const EAGER = samplePath('tp4-eager.sqlite');
const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

describe('nsys-tp layers', () => {
  it('summarises across ranks, prints one GPU\'s table with --device, fits 100 columns, says how layers were found, and adds up', async () => {
    const r = await cli(['layers', GRAPH]);
    expect(r.status, r.stderr).toBe(0);
    for (const line of r.stdout.split('\n')) expect([...line].length).toBeLessThanOrEqual(100);
    expect(r.stdout).toMatch(/Layers from the TP pattern of collectives/);
    expect(r.stdout).toMatch(/\nDECODE · across 4 GPUs\n/);
    expect(r.stdout).toContain('8 layers per step on 4 GPUs · µs per step');
    for (const g of [0, 1, 2, 3]) {
      const one = (await cli(['layers', GRAPH, '--device', String(g)])).stdout;
      expect(one).toMatch(/\nDECODE\n/);
      expect(one).toContain(`  GPU ${g} · 8 layers per step (mean over 3 of 3 steps) · µs per step`);
    }
    // GPU 0: the prologue (input copy), eight ~227 µs layers and an empty epilogue make the 1.82 ms step.
    const table = (await cli(['layers', GRAPH, '--device', '0'])).stdout.split('GPU 0 · 8 layers')[1]!.split('\n\n')[0]!;
    const span = (name: string) => Number(new RegExp(`^  ${name}\\s+([\\d.]+)`, 'm').exec(table)![1]);
    const layers = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => span(`layer ${k}`));
    for (const l of layers) expect(l).toBeGreaterThan(224);
    expect(span('prologue') + layers.reduce((a, b) => a + b, 0) + span('epilogue')).toBeCloseTo(span('step'), 0);
  });

  it('--format json and md', async () => {
    const j = JSON.parse((await cli(['layers', GRAPH, '--format', 'json'])).stdout);
    expect(j.schemaVersion).toBe(1);
    expect(Object.keys(j.layers.methods)).toEqual(['collectives']);
    expect(j.layers.phases).toHaveLength(4);
    for (const p of j.layers.phases) {
      expect(p).toMatchObject({ phase: 'decode', layers: 8, steps: 3, counts: [8, 8, 8] });
      expect(p.rows).toHaveLength(8);
      expect(Object.keys(p.rows[0].spanNs).sort()).toEqual(['max', 'mean', 'median', 'min', 'p10', 'p90']);
    }
    const md = (await cli(['layers', EAGER, '--format', 'md', '--device', '0'])).stdout;
    expect(md).toMatch(/^# nsys-tp 0\.1\.0 layers · /);
    expect(md).toMatch(/## Decode\n\n\*\*GPU 0 · 8 layers per step \(mean over 2 of 2 steps\) · ms per step\*\*/);
    expect(md).toContain('| layer | span | p10…p90 | attention compute | attention comm | MLP compute | MLP comm | exposed comm | copies | idle |');
    expect(md).toMatch(/Outlier layers: layer 0 \d+× the median layer \(idle \+7\d\.\d ms\)\./);
  });

  it('--chart DIR writes the SVG charts, each with its marks', async () => {
    const dir = join(tempDir(), 'charts');
    const r = await cli(['layers', EAGER, '--chart', dir]);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['classes.svg', 'layers-decode.svg', 'layers-prefill.svg', 'timeline.svg']);
    const svg = (n: string) => readFileSync(join(dir, `${n}.svg`), 'utf8');
    for (const n of ['classes', 'layers-decode', 'layers-prefill', 'timeline']) expect(svg(n)).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    // A bar per GPU, layer and part: 4 x 8 x 6; a bar per GPU, phase and class (+ idle): 4 x 2 x 9.
    expect(count(svg('layers-decode'), /aria-roledescription="bar"/g)).toBe(192);
    expect(count(svg('classes'), /aria-roledescription="bar"/g)).toBe(72);
    // The timeline draws every op of the chosen decode step on each GPU (136: 8 layers of 17) and a tick per layer.
    expect(count(svg('timeline'), /aria-roledescription="rect mark"/g)).toBe(4 * 136);
    expect(count(svg('timeline'), /aria-roledescription="tick"/g)).toBe(4 * 8);
    expect((await cli(['diagnose', GRAPH, '--chart', dir])).status).toBe(0);
  });

  it('a --chart path that is not a folder is one clear line and exit 2', async () => {
    const dir = tempDir();
    const file = join(dir, 'file.txt');
    writeFileSync(file, 'x');
    for (const [target, msg] of [[file, /not a folder/], [join(dir, 'no', 'such'), /cannot create the chart folder \(ENOENT: no such folder\)/]] as const) {
      const r = await cli(['layers', GRAPH, '--chart', target]);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(msg);
    }
  });

  it('the SVG renderer escapes what it draws', async () => {
    const svg = await renderSvg({ data: { values: [{ k: '</text><script>x()</script>', v: 1 }] }, mark: 'bar', encoding: { x: { field: 'k', type: 'nominal' }, y: { field: 'v', type: 'quantitative' } } });
    expect(svg).not.toContain('<script');
    expect(svg).toContain('&lt;/text&gt;&lt;script&gt;x()&lt;/script&gt;');
  });
});

describe('diagnose --format html', () => {
  it('is one self-contained page: no script, nothing fetched, the charts inline', async () => {
    const out = join(tempDir(), 'report.html');
    const r = await cli(['diagnose', EAGER, '--format', 'html', '-o', out]);
    expect(r.status, r.stderr).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
    expect(html).not.toMatch(/<script|<link|<iframe|@import|url\((?!#)|\s(src|href)\s*=/i);
    // Each chart's clip paths are its own: ids are unique across the inlined SVGs.
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of html.matchAll(/url\(#([^)]+)\)/g)) expect(ids).toContain(m[1]);
    expect(count(html, /<svg /g)).toBe(4);
    expect(html).toContain('<details open><summary>Layers</summary>');
    expect(count(html, /<tr><td class="label">layer \d<\/td>/g)).toBe(2 * 4 * 8);
  });

  it('escapes every string from the trace (HTML, Markdown, terminal)', async () => {
    const p = hostileEager(tempDir());
    const html = (await cli(['diagnose', p, '--format', 'html'])).stdout;
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; layer 3');
    // The step name reaches the page through the step description ("decode N" kinds).
    expect(html).toContain('&lt;script&gt;alert(N)&lt;/script&gt; decode N');
    expect(html).not.toContain('\u001b');
    const md = (await cli(['layers', p, '--format', 'md'])).stdout;
    expect(md).not.toMatch(/(^|[^\\])<img/m);
    expect(md).toContain('\\<img src=x onerror=alert(1)\\> layer 3');
    const term = (await cli(['layers', p])).stdout;
    expect(term).not.toContain('\u001b');
    expect(term).toContain(HOSTILE_LAYER);
    // The OSC sequence (a window-title change) is dropped whole, the layer stays.
    expect(term).not.toMatch(/pwned|\u0007/);
    expect(term).toMatch(/^ +layer 5 +\d/m);
    expect(term).toContain(HOSTILE_STEP.replace(/\d+/g, 'N'));
  });

  it.skipIf(!HAVE_TRACES)('tp4big: 80 layers per step in the tables and the charts', async () => {
    const dir = join(tempDir(), 'big');
    const out = join(dir, 'report.html');
    const r = await cli(['diagnose', sharedTrace('tp4big'), '--format', 'html', '-o', out, '--chart', dir]);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'layers-decode.svg'))).toBe(true);
    expect(count(readFileSync(join(dir, 'layers-decode.svg'), 'utf8'), /aria-roledescription="bar"/g)).toBe(4 * 80 * 6);
    // Layers average the steady steps only: the warm-up prefill (about a second) is an outlier step, not a layer to draw.
    expect(readFileSync(join(dir, 'layers-prefill.svg'), 'utf8')).not.toMatch(/bars above [\d.]+ ms are cut/);
    expect(count(readFileSync(out, 'utf8'), /<tr><td class="label">layer \d+<\/td>/g)).toBe(2 * 4 * 80);
  });
});
