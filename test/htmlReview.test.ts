/**
 * The HTML pages a reviewer opens, in headless Chromium with the network refused: the diagnose report
 * carries the per-step table, the collectives, the roofline and the top kernels, with the finding
 * locations; `compare --format html` puts the two traces side by side; `steps` and `kernels` render too.
 * Each page loads nothing, runs nothing and logs no error.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { tempDir } from './support/fixtures.js';
import { HAVE_TRACES, samplePath, sharedTrace } from './support/traces.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let ctx: BrowserContext;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run \`npm run setup:browser\``);
  ctx = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'nsys-tp-chromium-')), { executablePath: CHROMIUM, headless: true, args: ARGS });
}, 60_000);
afterAll(async () => {
  await ctx?.close();
});

interface Seen {
  problems: string[];
  scripts: number;
  text: string;
  /** Table captions and their first column, by caption start. */
  tables: { caption: string; rows: string[][]; left: number; top: number }[];
  summaries: string[];
}

async function open(args: string[]): Promise<Seen> {
  const r = runCli([...args, '--format', 'html']);
  expect(r.status, r.stderr).toBe(0);
  const file = join(tempDir(), 'page.html');
  writeFileSync(file, r.stdout);
  const tab = await ctx.newPage();
  const problems: string[] = [];
  tab.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(`console ${m.type()}: ${m.text()}`));
  tab.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await tab.route('**/*', (route) => {
    if (route.request().url().startsWith('file:')) return route.continue();
    problems.push(`request: ${route.request().url()}`);
    return route.abort();
  });
  await tab.setViewportSize({ width: 1400, height: 900 });
  await tab.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  const seen = await tab.evaluate(() => ({
    scripts: document.scripts.length,
    text: document.body.innerText,
    tables: [...document.querySelectorAll('table')].map((t) => {
      const box = t.getBoundingClientRect();
      return { caption: t.caption?.textContent ?? '', rows: [...t.tBodies[0]!.rows].map((r) => [...r.cells].map((c) => c.textContent ?? '')), left: Math.round(box.left), top: Math.round(box.top + window.scrollY) };
    }),
    summaries: [...document.querySelectorAll('summary')].map((s) => s.textContent ?? ''),
  }));
  await tab.close();
  return { problems, ...seen };
}

const table = (s: Seen, caption: string) => s.tables.filter((t) => t.caption.startsWith(caption));

describe('HTML review pages in headless Chromium', () => {
  it('the sample diagnosis: per-step table, collectives, top kernels, finding locations; nothing loaded or run', async () => {
    const s = await open(['diagnose', samplePath('tp4graph-decode.sqlite')]);
    expect(s.problems).toEqual([]);
    expect(s.scripts).toBe(0);
    expect(s.summaries).toEqual(expect.arrayContaining(['Steps', 'Kernels', 'Layers']));
    expect(table(s, 'Every step').length).toBe(1);
    expect(table(s, 'Every step')[0]!.rows.length).toBe(3);
    expect(table(s, 'Top kernels, decode')[0]!.rows[0]![0]).toMatch(/^nvjet/);
    expect(s.text).toMatch(/COLLECTIVES|Collectives/);
  });

  it.skipIf(!HAVE_TRACES)('tp4 with a model: the roofline, every step with its start on the capture clock, and the locations of the findings', async () => {
    const s = await open(['diagnose', sharedTrace('tp4'), '--model', 'llama-3.3-70b', '--batch', '8', '--prompt', '512']);
    expect(s.problems).toEqual([]);
    expect(s.scripts).toBe(0);
    expect(s.text).toContain('Roofline');
    const decode = table(s, 'Every step')[1]!;
    expect(decode.rows.map((r) => r[0])).toContain('decode 4');
    const d4 = decode.rows.find((r) => r[0] === 'decode 4')!;
    expect(d4).toContain('12.600');
    expect(s.text).toContain('at 12.600586–12.682924 s · GPU 0, stream 7 · GPU idle 82.34 ms in "decode 4"');
    expect(table(s, 'Top kernels, decode')[0]!.rows[0]![0]).toBe('ncclDevKernel_AllReduce_Sum_bf16_RING_LL');
  });

  it.skipIf(!HAVE_TRACES)('compare tp4 → tp4graph: each phase\'s time and layer tables side by side', async () => {
    const s = await open(['compare', sharedTrace('tp4'), sharedTrace('tp4graph')]);
    expect(s.problems).toEqual([]);
    expect(s.scripts).toBe(0);
    expect(s.text).toMatch(/decode \d+\.\d× faster/);
    const layers = table(s, 'Per layer');
    expect(layers.length).toBe(2);
    // The layer table stands to the right of its phase's time table, at the same height.
    const times = s.tables.filter((t) => t.rows.some((r) => r[0] === 'median step (ms)'));
    for (const [k, l] of layers.entries()) {
      expect(l.left).toBeGreaterThan(times[k]!.left + 200);
      expect(Math.abs(l.top - times[k]!.top)).toBeLessThan(60);
    }
  });

  it('steps and kernels render as pages too', async () => {
    for (const cmd of ['steps', 'kernels']) {
      const s = await open([cmd, samplePath('tp4-eager.sqlite')]);
      expect(s.problems, cmd).toEqual([]);
      expect(s.tables.length, cmd).toBeGreaterThan(0);
    }
  });
});
