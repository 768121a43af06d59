/**
 * The HTML report as a reader opens it: headless Chromium (Debian's package, installed by
 * `npm run setup:browser`, driven by playwright-core) loads the page with the network refused, and the
 * page must render without console errors, fetch nothing, run nothing, and show every chart with its marks.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { tempDir } from './support/fixtures.js';
import { HOSTILE_LAYER, hostileEager } from './support/hostile.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('the HTML report in headless Chromium', () => {
  it('renders without console errors, loads nothing, runs nothing, and shows the charts with their marks', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run \`npm run setup:browser\` (what .ci/run does before npm test)`);
    const dir = tempDir();
    const r = runCli(['diagnose', hostileEager(dir), '--format', 'html']);
    expect(r.status, r.stderr).toBe(0);
    const page = join(dir, 'report.html');
    writeFileSync(page, r.stdout);

    const ctx = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'nsys-tp-chromium-')), { executablePath: CHROMIUM, headless: true, args: ARGS });
    try {
      const tab = await ctx.newPage();
      const problems: string[] = [];
      tab.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
      });
      tab.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      tab.on('dialog', (d) => {
        problems.push(`dialog: ${d.message()}`);
        void d.dismiss();
      });
      await tab.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:')) return route.continue();
        problems.push(`request: ${url}`);
        return route.abort();
      });
      await tab.goto(pathToFileURL(page).href, { waitUntil: 'load' });
      const seen = await tab.evaluate(() => ({
        scripts: document.scripts.length,
        images: document.images.length,
        figures: [...document.querySelectorAll('figure')].map((f) => {
          const box = f.querySelector('svg')!.getBoundingClientRect();
          const n = (role: string) => f.querySelectorAll(`[aria-roledescription="${role}"]`).length;
          return { label: f.getAttribute('aria-label'), width: Math.round(box.width), height: Math.round(box.height), bars: n('bar'), rects: n('rect mark'), ticks: n('tick') };
        }),
        text: document.body.innerText,
      }));
      expect(problems).toEqual([]);
      expect(seen.scripts).toBe(0);
      expect(seen.images).toBe(0);
      expect(seen.figures.map((f) => f.label)).toEqual(['Time by kernel class per GPU', 'One step, every GPU', 'Per-layer time, prefill', 'Per-layer time, decode']);
      for (const f of seen.figures) {
        expect(f.width, f.label!).toBeGreaterThan(300);
        expect(f.height, f.label!).toBeGreaterThan(100);
      }
      // Marks: a bar per GPU x phase x class (+ idle); every op of one decode step on each GPU and a tick
      // per layer; a bar per GPU x layer x part.
      const [classes, timeline, prefill, decode] = seen.figures;
      expect(classes!.bars).toBe(4 * 2 * 9);
      expect(timeline!.rects).toBe(4 * 136);
      expect(timeline!.ticks).toBe(4 * 8);
      expect(prefill!.bars).toBe(4 * 8 * 6);
      expect(decode!.bars).toBe(4 * 8 * 6);
      // The trace's markup is text on the page, not markup.
      expect(seen.text).toContain(HOSTILE_LAYER);
    } finally {
      await ctx.close();
    }
  }, 90_000);
});
