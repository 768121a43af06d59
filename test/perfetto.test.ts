/**
 * `nsys-tp export --format perfetto`: the Chrome trace-event JSON the Perfetto UI opens, checked by a
 * strict checker of the format (support/traceEvents.ts) on real traces, against the diagnosis of the same
 * trace (same clock, same steps, same collectives, a marker per finding location); the checker itself is
 * checked on broken traces; and the Perfetto trace processor loads it where one is installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnoseJson, runCli } from './support/cli.js';
import { tempDir } from './support/fixtures.js';
import { checkTraceEvents } from './support/traceEvents.js';
import { HAVE_TRACES, samplePath, sharedTrace } from './support/traces.js';

function exported(trace: string, dir: string): string {
  const out = join(dir, 'trace.json');
  const r = runCli(['export', trace, '--format', 'perfetto', '-o', out]);
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(out, 'utf8');
}

describe('the trace-event checker', () => {
  const ok = (events: object[]) => JSON.stringify({ traceEvents: [
    { name: 'process_name', ph: 'M', pid: 1, tid: 0, args: { name: 'GPU 0' } },
    { name: 'thread_name', ph: 'M', pid: 1, tid: 1, args: { name: 'stream 7' } },
    ...events,
  ] });
  it('accepts nested slices and refuses what a viewer would misplace', () => {
    expect(checkTraceEvents(ok([{ name: 'a', ph: 'X', pid: 1, tid: 1, ts: 0, dur: 10 }, { name: 'b', ph: 'X', pid: 1, tid: 1, ts: 2, dur: 3 }])).errors).toEqual([]);
    expect(checkTraceEvents(ok([{ name: 'a', ph: 'X', pid: 1, tid: 1, ts: 0, dur: 10 }, { name: 'b', ph: 'X', pid: 1, tid: 1, ts: 5, dur: 10 }])).errors[0]).toMatch(/without nesting/);
    expect(checkTraceEvents(ok([{ name: 'a', ph: 'X', pid: 1, tid: 1, ts: 0 }])).errors[0]).toMatch(/needs dur/);
    expect(checkTraceEvents(ok([{ name: 'a', ph: 'X', pid: 1, tid: 2, ts: 0, dur: 1 }])).errors[0]).toMatch(/no thread_name/);
    expect(checkTraceEvents(ok([{ name: 'a', ph: 'X', pid: 1, tid: 1, ts: 0, dur: 1, cname: 'blue' }])).errors[0]).toMatch(/reserved colour/);
    expect(checkTraceEvents(ok([{ name: 'a', ph: 'X', pid: '1', tid: 1, ts: 0, dur: 1 }])).errors[0]).toMatch(/pid must be an integer/);
    expect(checkTraceEvents(ok([{ name: 'a', ph: 'i', pid: 1, tid: 1, ts: 0, s: 'x' }])).errors[0]).toMatch(/instant scope/);
    expect(checkTraceEvents('[{"ph":"X"}]').errors[0]).toMatch(/Object Format/);
    expect(checkTraceEvents('{"traceEvents": [').errors[0]).toMatch(/not JSON/);
  });
});

describe('export --format perfetto', () => {
  it('the committed sample: a valid trace with a process per GPU and every op', () => {
    const text = exported(samplePath('tp4graph-decode.sqlite'), tempDir());
    const c = checkTraceEvents(text);
    expect(c.errors).toEqual([]);
    expect([...c.processes.values()].map((p) => p.split(' · ')[0])).toEqual(['GPU 0', 'GPU 1', 'GPU 2', 'GPU 3']);
  });

  it.skipIf(!HAVE_TRACES)('tp4: steps, layers, collectives split into waiting and transfer, finding markers, kernels by class, on the capture clock', () => {
    const trace = sharedTrace('tp4');
    const text = exported(trace, tempDir());
    const c = checkTraceEvents(text);
    expect(c.errors).toEqual([]);
    const d = diagnoseJson([trace]);
    const events = JSON.parse(text).traceEvents as { name: string; ph: string; pid: number; tid: number; ts: number; dur: number; cat?: string; cname?: string; args?: Record<string, unknown> }[];
    // One step slice per step and GPU, and the same steps as the diagnosis' per-step rows.
    const steps = events.filter((e) => e.ph === 'X' && e.cat?.startsWith('step'));
    expect(steps.length).toBe(d.stepRows.reduce((n: number, r: { gpus: unknown[] }) => n + r.gpus.length, 0));
    const firstDecode = d.stepRows.find((r: { phase: string }) => r.phase === 'decode');
    expect(Math.min(...steps.filter((s) => s.name === firstDecode.name).map((s) => s.ts))).toBeCloseTo(firstDecode.startNs / 1000, 2);
    // Layers: 8 per step and GPU, each with its attention and mlp blocks.
    expect(events.filter((e) => e.cat === 'layer' && /^layer \d+$/.test(e.name)).length).toBe(8 * steps.length);
    // Collectives: every instance on every rank, each with a transfer (and waiting where the rank was early).
    const coll = events.filter((e) => e.cat === 'collective');
    expect(coll.length).toBe(d.collectives.devices.reduce((n: number, x: { instances: number }) => n + x.instances, 0));
    expect(events.filter((e) => e.cat === 'collective,transfer').length).toBe(coll.length);
    expect(events.filter((e) => e.cat === 'collective,waiting').length).toBeGreaterThan(coll.length / 2);
    // Findings: a marker at every location the diagnosis names, at the same time.
    const markers = events.filter((e) => e.ph === 'i' && e.cat?.startsWith('finding'));
    const locations = d.findings.flatMap((f: { rule: string; locations: { startNs: number }[] }) => f.locations.map((l) => ({ rule: f.rule, ts: l.startNs / 1000 })));
    expect(markers.length).toBe(locations.length);
    for (const l of locations) expect(markers.some((m) => m.name.endsWith(l.rule) && Math.abs(m.ts - l.ts) < 0.002)).toBe(true);
    // Kernels: on stream tracks, coloured and categorised by class; GEMMs are GEMMs.
    const kernels = events.filter((e) => e.ph === 'X' && c.threads.get(`${e.pid}:${e.tid}`)?.startsWith('stream '));
    expect(kernels.some((k) => k.name.startsWith('nvjet') && k.cat === 'gemm' && k.cname === 'rail_load')).toBe(true);
    expect(kernels.some((k) => k.name.startsWith('ncclDevKernel') && k.cat === 'communication')).toBe(true);
    expect([...c.threads.values()]).toEqual(expect.arrayContaining(['steps', 'layers (attention | MLP)', 'collectives (waiting | transfer)', 'findings', 'stream 7']));
  });

  it.skipIf(!HAVE_TRACES)('--from / --to export a window of the capture: only what overlaps it', () => {
    const dir = tempDir();
    const out = join(dir, 'window.json');
    const r = runCli(['export', sharedTrace('tp4'), '--from', '12.6', '--to', '12.7', '-o', out]);
    expect(r.status, r.stderr).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(checkTraceEvents(text).errors).toEqual([]);
    // A collective's waiting and transfer come with it, even the part past the window.
    const xs = (JSON.parse(text).traceEvents as { ph: string; ts: number; dur: number; cat?: string }[]).filter((e) => e.ph === 'X' && !e.cat?.startsWith('collective,'));
    expect(xs.length).toBeGreaterThan(100);
    for (const e of xs) expect(e.ts + e.dur >= 12.6e6 && e.ts <= 12.7e6).toBe(true);
  });

  it.skipIf(!HAVE_TRACES)('tp4graphg (graph-level graphs) and an external trace export valid traces too', () => {
    for (const t of ['tp4graphg', 'external/nsys-ai-mfu_2gpu_before']) {
      const c = checkTraceEvents(exported(sharedTrace(t), tempDir()));
      expect(c.errors, t).toEqual([]);
    }
  });

  it('loads in the Perfetto trace processor, where one is installed', (ctx) => {
    const shell = ['trace_processor_shell', 'trace_processor'].find((b) => spawnSync('sh', ['-c', `command -v ${b}`]).status === 0);
    if (!shell) {
      ctx.skip('no Perfetto trace processor on PATH: PyPI (the `perfetto` package) is not reachable from this machine, and that package downloads ' +
        'its trace_processor binary at run time; install trace_processor_shell to run this check');
    }
    const dir = tempDir();
    const file = join(dir, 'trace.json');
    runCli(['export', samplePath('tp4graph-decode.sqlite'), '-o', file]);
    const out = execFileSync(shell!, ['-q', '/dev/stdin', file], { input: 'select count(*) as n from slice;', encoding: 'utf8' });
    expect(Number(/(\d+)\s*$/.exec(out.trim())?.[1])).toBeGreaterThan(0);
  });
});
