/**
 * Where users work after the first report (issue 17), tried as a user would on the real traces: finding
 * locations on the capture's clock in every format, every step, the top kernels, layers across ranks,
 * saved baselines in compare, a terminal that fits, and help that teaches. Each number a view adds is the
 * same in the JSON and the text a person reads.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, diagnoseJsonIn } from './support/cli.js';
import { tempDir } from './support/fixtures.js';
import { HAVE_TRACES, REPO, samplePath, sharedTrace, SHARED_TRACES } from './support/traces.js';

const ok = async (args: string[], env?: Record<string, string>) => {
  const r = await cli(args, { env });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};
const json = async (args: string[]) => JSON.parse(await ok([...args, '--format', 'json']));
const fail = async (args: string[], env?: Record<string, string>) => {
  const r = await cli(args, { env });
  expect(r.status, r.stdout).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  return r.stderr.trim();
};
/** Text as a reader sees it: lines joined, so a wrapped sentence matches. */
const flat = (s: string) => s.replace(/\s+/g, ' ');

describe.skipIf(!HAVE_TRACES)('finding locations on the capture clock', () => {
  it('tp4: every finding names where to look, the same in terminal, Markdown and HTML as in the JSON', async () => {
    const tp4 = sharedTrace('tp4');
    const d = await diagnoseJsonIn([tp4]);
    expect(d.findings.length).toBeGreaterThan(0);
    const term = flat(await ok(['diagnose', tp4]));
    const md = flat(await ok(['diagnose', tp4, '--format', 'md']));
    const html = flat(await ok(['diagnose', tp4, '--format', 'html']));
    for (const f of d.findings) {
      expect(f.locations.length, f.rule).toBeGreaterThan(0);
      for (const l of f.locations) {
        expect(l.endNs).toBeGreaterThanOrEqual(l.startNs);
        const at = `${(l.startNs / 1e9).toFixed(6)}–${(l.endNs / 1e9).toFixed(6)} s · ${l.label}${l.stream === null ? '' : `, stream ${l.stream}`}`;
        expect(term, f.rule).toContain(at);
        expect(md, f.rule).toContain(at);
        expect(html, f.rule).toContain(at);
      }
    }
    // The largest gap is where host-bound-gaps says: GPU 0 idle 82.34 ms in decode 4, before the attention kernel.
    const gaps = d.findings.find((f: { rule: string }) => f.rule === 'host-bound-gaps');
    expect(gaps.locations[0]).toMatchObject({ deviceId: 0, stream: 7 });
    expect((gaps.locations[0].endNs - gaps.locations[0].startNs) / 1e6).toBeCloseTo(82.34, 2);
    expect(gaps.locations[0].startNs).toBe(gaps.evidence.largestGaps[0].startNs);
    // The latest arrival of collective-wait is the largest late arrival straggler-rank names first.
    const wait = d.findings.find((f: { rule: string }) => f.rule === 'collective-wait');
    const straggler = d.findings.find((f: { rule: string }) => f.rule === 'straggler-rank');
    expect(wait.locations[1].startNs).toBe(straggler.locations[0].startNs);
  });

  it('tp4graphg and tp4nop2p: a graph execution, an example collective', async () => {
    const g = (await diagnoseJsonIn([sharedTrace('tp4graphg')])).findings.find((f: { rule: string }) => f.rule === 'graph-kernels-hidden');
    expect(g.locations[0].what).toMatch(/^the longest graph execution/);
    const n = (await diagnoseJsonIn([sharedTrace('tp4nop2p')])).findings.find((f: { rule: string }) => f.rule === 'low-bus-bandwidth');
    expect(n.locations[0].what).toMatch(/^a typical prefill all-reduce/);
    expect(n.locations[0].stream).not.toBeNull();
  });
});

describe.skipIf(!HAVE_TRACES)('steps: every step', () => {
  it('tp4 decode: the warm-up pass apart, the measured steps 2-99 ms, the alternating late rank, parts within the span, one number everywhere', async () => {
    const tp4 = sharedTrace('tp4');
    const r = await json(['steps', tp4]);
    const decode = r.rows.filter((x: { phase: string }) => x.phase === 'decode');
    expect(decode.length).toBe(18);
    // The warm-up pass's two decode steps are listed, not in the numbers.
    expect(decode.filter((x: { excluded: string | null }) => x.excluded === 'earlier-pass').map((x: { name: string }) => x.name)).toEqual(['decode 0', 'decode 1']);
    const steady = decode.filter((x: { steady: boolean }) => x.steady);
    expect(steady.length).toBe(16);
    expect(Math.min(...steady.map((x: { spanNs: number }) => x.spanNs)) / 1e6).toBeCloseTo(2.11, 2);
    expect(Math.max(...steady.map((x: { spanNs: number }) => x.spanNs)) / 1e6).toBeCloseTo(98.70, 2);
    // The late rank alternates between GPU 0 and GPU 1 over the slow steps.
    const slow = steady.filter((x: { spanNs: number }) => x.spanNs > 50e6);
    expect(new Set(slow.map((x: { lateRank: { label: string } }) => x.lateRank.label))).toEqual(new Set(['GPU 0', 'GPU 1']));
    for (const x of r.rows) {
      for (const g of x.gpus) {
        const t = g.times;
        expect(t.commTransfer + t.commWait).toBeCloseTo(t.communication, 3);
        for (const k of ['gemm', 'attention', 'communication', 'idle']) expect(t[k]).toBeLessThanOrEqual(t.span + 1e-6);
        expect(t.span).toBeLessThanOrEqual(x.spanNs + 1e-6);
      }
    }
    // The per-step rows are the diagnosis' rows: a diagnose JSON carries them.
    expect((await diagnoseJsonIn([tp4])).stepRows).toEqual(r.rows);
    // The terminal row of decode 4 reads the JSON's numbers.
    const d4 = decode.find((x: { name: string }) => x.name === 'decode 4');
    const line = (await ok(['steps', tp4])).split('\n').find((l) => l.trimStart().startsWith('decode 4 '))!;
    expect(line).toContain((d4.startNs / 1e9).toFixed(3));
    expect(line).toContain((d4.spanNs / 1e6).toFixed(2));
    expect(line).toContain((d4.times.commWait / 1e6).toFixed(2));
    expect(line).toContain(`${d4.lateRank.label} ${d4.lateRank.count}/${d4.lateRank.of}`);
    // One GPU: its own times.
    const one = await json(['steps', tp4, '--device', '2']);
    expect(one.device.label).toBe('GPU 2');
    expect(one.rows.find((x: { name: string; phase: string; steady: boolean }) => x.name === 'decode 4').times).toEqual(d4.gpus.find((g: { deviceId: number }) => g.deviceId === 2).times);
    expect(await fail(['steps', tp4, '--device', '7'])).toBe('nsys-tp: --device 7: the trace has GPUs 0, 1, 2, 3');
  });
});

describe.skipIf(!HAVE_TRACES)('kernels: what the class time is made of', () => {
  it('tp4graph: shares are parts of their whole, the decode GEMM is the nvjet kernels, the same in diagnose', async () => {
    const t = sharedTrace('tp4graph');
    const k = await json(['kernels', t]);
    const decode = k.phases.find((p: { phase: string }) => p.phase === 'decode');
    expect(decode.top[0].name).toMatch(/^nvjet_sm90/);
    expect(decode.top[0].class).toBe('gemm');
    expect(decode.top.reduce((s: number, r: { share: number }) => s + r.share, 0)).toBeLessThanOrEqual(1 + 1e-9);
    expect(decode.byClass.reduce((s: number, c: { share: number }) => s + c.share, 0)).toBeCloseTo(1, 9);
    for (const c of decode.byClass) for (const r of c.top) expect(r.share).toBeLessThanOrEqual(c.share + 1e-12);
    expect(decode.layer.top.reduce((s: number, r: { share: number }) => s + r.share, 0)).toBeLessThanOrEqual(1 + 1e-9);
    // diagnose shows the same top five, with the same spelling.
    const term = await ok(['diagnose', t]);
    const row = term.split('\n').find((l) => l.includes(decode.top[0].name))!;
    expect(row).toContain(`${(decode.top[0].nsPerStep / 1e6).toFixed(2)} ms`);
  });
});

describe.skipIf(!HAVE_TRACES)('layers across ranks', () => {
  it('tp4big: 80 layers on one screen, min / median / max and the GPU the others wait for; --device N in full', async () => {
    const big = sharedTrace('tp4big');
    const text = await ok(['layers', big]);
    expect(text.split('\n').length).toBeLessThan(80);
    const r = await json(['layers', big]);
    const decode = r.acrossRanks.find((x: { phase: string }) => x.phase === 'decode');
    expect(decode.layers).toBe(80);
    expect(decode.rows.length).toBe(16);
    for (const row of decode.rows) {
      expect(row.spanNs.min).toBeLessThanOrEqual(row.spanNs.median);
      expect(row.spanNs.median).toBeLessThanOrEqual(row.spanNs.max);
      expect(row.slowest.ownNs).toBeGreaterThanOrEqual(row.slowest.medianOwnNs);
    }
    const tp4 = (await json(['layers', sharedTrace('tp4')])).acrossRanks.find((x: { phase: string }) => x.phase === 'decode');
    // In tp4 decode GPU 0 is the late rank (straggler-rank): the others wait for it in every layer.
    expect(tp4.rows.every((x: { slowest: { label: string } }) => x.slowest.label === 'GPU 0')).toBe(true);
    const one = await ok(['layers', big, '--device', '2']);
    expect(one).toContain('GPU 2 · 80 layers per step');
    expect(one).not.toContain('GPU 1 · 80 layers');
  });
});

describe.skipIf(!HAVE_TRACES)('saved baselines in compare', () => {
  it('a saved diagnose result stands in for its trace on either side, with the gate', async () => {
    const dir = tempDir();
    const base = join(dir, 'base.json');
    await ok(['diagnose', sharedTrace('tp4graph'), '--format', 'json', '-o', base]);
    const fromTraces = await ok(['compare', sharedTrace('tp4graph'), sharedTrace('tp4')]);
    expect(await ok(['compare', base, sharedTrace('tp4')])).toBe(fromTraces);
    const gate = await cli(['compare', base, sharedTrace('tp4'), '--fail-on-regression', '5']);
    expect(gate.status).toBe(1);
    expect(gate.stderr).toMatch(/^nsys-tp: --fail-on-regression 5: decode \d+\.\d× slower/);
    expect((await cli(['compare', sharedTrace('tp4'), base, '--fail-on-regression', '5'])).status).toBe(0);
  });

  it('a cut-short, hand-edited or wrong-kind result is one line, exit 2', async () => {
    const dir = tempDir();
    const text = await ok(['diagnose', samplePath('tp4graph-decode.sqlite'), '--format', 'json']);
    const cut = join(dir, 'cut.json');
    writeFileSync(cut, text.slice(0, Math.floor(text.length / 2)));
    expect(await fail(['compare', cut, samplePath('tp4graph-decode.sqlite')])).toMatch(/cut\.json: not a JSON result \(cut short\?\)/);
    const edited = JSON.parse(text);
    edited.summary.phases[0].stepTimesNs[0] = 'fast';
    const e = join(dir, 'edited.json');
    writeFileSync(e, JSON.stringify(edited));
    expect(await fail(['compare', e, samplePath('tp4graph-decode.sqlite')])).toBe(`nsys-tp: ${e}: not a diagnose result as nsys-tp writes it: summary.phases[0].stepTimesNs[0]: expected a number, found a string`);
    delete edited.summary;
    writeFileSync(e, JSON.stringify(edited));
    expect(await fail(['render', e])).toMatch(/summary: missing$/);
    const plan = join(dir, 'plan.json');
    await ok(['plan', '--model', 'llama-3.3-70b', '--format', 'json', '-o', plan]);
    expect(await fail(['compare', plan, samplePath('tp4graph-decode.sqlite')])).toMatch(/a saved plan result; compare takes a trace or a saved diagnose result/);
    // A field deep inside, which no command computes on, is checked too (it used to pass the check and break only the
    // rendering, said as "a saved diagnose result nsys-tp cannot render"): the same one line naming the field.
    const deep = JSON.parse(text);
    deep.devices[0].decode = 5;
    writeFileSync(e, JSON.stringify(deep));
    expect(await fail(['render', e])).toBe(`nsys-tp: ${e}: not a diagnose result as nsys-tp writes it: devices[0].decode: expected an object, found a number`);
  });
});

describe('a terminal that fits', () => {
  const sample = samplePath('tp4-eager.sqlite');
  it('colour only when asked or on a terminal, never on a pipe; NO_COLOR and FORCE_COLOR', async () => {
    expect(await ok(['diagnose', sample])).not.toContain('\x1b[');
    expect(await ok(['diagnose', sample], { FORCE_COLOR: '1' })).toMatch(/\x1b\[1;33mWARN\x1b\[0m/);
    expect(await ok(['diagnose', sample], { FORCE_COLOR: '0' })).not.toContain('\x1b[');
    expect(await ok(['diagnose', sample], { NO_COLOR: '1' })).not.toContain('\x1b[');
    const dir = tempDir();
    await ok(['diagnose', sample, '-o', join(dir, 'r.txt')], { FORCE_COLOR: '1' });
    expect(readFileSync(join(dir, 'r.txt'), 'utf8')).not.toContain('\x1b[');
  });

  it('100 columns on a pipe, the terminal\'s width when told (80 stays readable)', async () => {
    const widest = (s: string) => Math.max(...s.split('\n').map((l) => [...l].length));
    expect(widest(await ok(['diagnose', sample]))).toBeLessThanOrEqual(100);
    for (const cmd of ['diagnose', 'steps', 'layers', 'kernels']) expect(widest(await ok([cmd, sample], { COLUMNS: '80' })), cmd).toBeLessThanOrEqual(80);
  });

  it('--quiet prints the findings only, and only for the terminal', async () => {
    const q = await ok(['diagnose', sample, '--quiet']);
    expect(q.split('\n')[0]).toMatch(/^FINDINGS · /);
    expect(q).not.toContain('Where the time goes');
    expect(await fail(['diagnose', sample, '--quiet', '--format', 'json'])).toMatch(/--quiet prints the findings of the terminal report/);
  });
});

describe('help that teaches', () => {
  it('nsys-tp rules lists every rule with severity, needs and options; rules ID prints its doc', async () => {
    const list = await ok(['rules']);
    const all = JSON.parse(await ok(['rules', '--format', 'json']));
    for (const r of all) expect(list).toContain(`${r.id} ${r.severity}:`);
    expect(list).toContain('minShareOfStep (fraction 0-1, default 0.1)');
    expect(list).toContain('minSkewNs (ns, default 20000)');
    const doc = await ok(['rules', 'host-bound-gaps']);
    expect(doc).toMatch(/^host-bound-gaps · warning · GPU idle waiting for the host/);
    expect(doc).toContain('# host-bound-gaps');
    expect(doc).toContain('## Fix');
    expect(await fail(['rules', 'host-bound-gap'])).toBe('nsys-tp: unknown rule "host-bound-gap" (did you mean "host-bound-gaps"?)');
  });

  it('--help lists the exit codes, for every command', async () => {
    for (const args of [['--help'], ['diagnose', '--help'], ['compare', '--help'], ['mcp', '--help']]) {
      const h = await ok(args);
      expect(h, args.join(' ')).toContain('Exit codes:');
      expect(h).toMatch(/1 {2}a gate tripped/);
    }
  });

  it('did you mean, aliases, fractions, compressed exports', async () => {
    const s = samplePath('tp4-eager.sqlite');
    expect(await fail(['diagnose', s, '--rule', 'straggler-rnk.minSkewNs=1'])).toMatch(/unknown rule "straggler-rnk" \(did you mean "straggler-rank"\?\)/);
    expect(await fail(['diagnose', s, '--rule', 'straggler-rank.minSkew=1'])).toMatch(/has no option "minSkew" \(did you mean "minSkewNs"\?\)/);
    expect(await fail(['diagnose', s, '--model', 'lama-3.3-70b', '--batch', '8'])).toMatch(/did you mean "llama-3\.3-70b"\?/);
    expect(await fail(['diagnose', s, '--gpu', 'H10'])).toMatch(/did you mean "H100"\?/);
    expect(await fail(['diagnose', s, '--rule', 'collective-wait.minShareOfStep=20'])).toMatch(/is a fraction between 0 and 1 \(0\.1 means 10%\), not 20; for 20% write 0\.2/);
    const alias = await cli(['plan', '--model', 'llama-3-70b']);
    expect(alias.status).toBe(0);
    expect(alias.stderr).toBe('nsys-tp: --model llama-3-70b: the preset llama-3.3-70b (Llama 3.3 70B, 80 layers)\n');
    if (HAVE_TRACES) {
      expect(await fail(['diagnose', join(SHARED_TRACES, 'tp1.sqlite.xz')])).toMatch(/xz-compressed; decompress it first: xz -dk ".*tp1\.sqlite\.xz" \(writes ".*tp1\.sqlite"\)/);
    }
    const q = join(tempDir(), 'run.qdstrm');
    writeFileSync(q, 'x');
    expect(await fail(['diagnose', q])).toMatch(/QdstrmImporter/);
  });

  it('the rule docs ship in the npm package and are found when installed', () => {
    const dir = tempDir();
    const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: REPO, encoding: 'utf8' });
    const files = (JSON.parse(out)[0].files as { path: string }[]).map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['rules/host-bound-gaps.md', 'dist/cli/main.js', 'dist/index.js', 'README.md']));
    expect(files.some((f) => f.startsWith('test/') || f.startsWith('dist/test/'))).toBe(false);
    const tgz = join(dir, JSON.parse(out)[0].filename);
    const root = join(dir, 'installed');
    mkdirSync(root);
    execFileSync('tar', ['-xzf', tgz, '-C', root]);
    symlinkSync(join(REPO, 'node_modules'), join(root, 'package/node_modules'));
    const doc = execFileSync(process.execPath, [join(root, 'package/dist/cli/main.js'), 'rules', 'straggler-rank'], { encoding: 'utf8' });
    expect(doc).toContain('# straggler-rank');
  });
});
