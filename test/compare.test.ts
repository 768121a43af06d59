/**
 * `nsys-tp compare`: step medians against the independent SQL computation (test/support/referenceScaling.ts),
 * the noise judgement, what changed and why on real pairs, the regression gate and the formats.
 */
import { describe, expect, it } from 'vitest';
import { cli } from './support/cli.js';
import { referencePhase, referenceSteps } from './support/reference.js';
import { referenceScaling } from './support/referenceScaling.js';
import { HAVE_TRACES, samplePath, sharedTrace } from './support/traces.js';

async function compareJson(args: string[]): Promise<any> {
  const r = await cli(['compare', '--format', 'json', ...args]);
  if (r.status !== 0) throw new Error(`compare failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const phase = (r: any, p: string) => r.phases.find((x: any) => x.phase === p);
const maxWidth = (text: string) => Math.max(...text.split('\n').map((l) => [...l].length));

describe('compare on the committed samples', () => {
  const eager = samplePath('tp4-eager.sqlite');
  const graph = samplePath('tp4graph-decode.sqlite');

  it('eager vs CUDA-graph decode: medians equal the SQL reference, decode faster, the reasons named', async () => {
    const r = await compareJson([eager, graph]);
    const d = phase(r, 'decode');
    expect(d.shift.base.medianNs).toBe(referenceScaling(eager).decode.stepNs);
    expect(d.shift.new.medianNs).toBe(referenceScaling(graph).decode.stepNs);
    expect([d.shift.base.count, d.shift.new.count]).toEqual([2, 3]);
    expect(d.shift.verdict).toBe('faster');
    // 2 and 3 steps cannot reach p < 0.05 in a rank test: the floor and the bands decide.
    expect(d.shift.p).toBeNull();
    expect(d.shift.base.medianNs / d.shift.new.medianNs).toBeGreaterThan(40);
    expect(phase(r, 'prefill').new).toBeNull();
    expect(r.setup.commandLine.added).toEqual(['--graph']);
    expect(d.new.graphShare).toBeGreaterThan(0.95);
    expect(d.base.graphShare).toBe(0);
    // Waiting for the other ranks, not transfer, is what went away.
    expect(d.base.comm.waitNs - d.new.comm.waitNs).toBeGreaterThan(40e6);
    expect(Math.abs(d.base.comm.transferNs - d.new.comm.transferNs)).toBeLessThan(0.1e6);
    expect(r.findings.resolved.map((f: any) => f.rule).sort()).toEqual(['collective-wait', 'host-bound-gaps', 'straggler-rank']);
    expect(r.findings.added.map((f: any) => f.rule)).toEqual(['latency-bound-collectives']);
    // comm-serialized is about prefill, which the graph sample does not have: neither resolved nor added.
    expect(r.findings.unpaired.map((f: any) => f.rule)).toEqual(['comm-serialized']);
    expect(r.verdict.line).toMatch(/^decode 50\.\d× faster/);
  });

  it('time per class per step and GPU agrees with the SQL reference (every decode step of these slices is steady)', async () => {
    const r = await compareJson([eager, graph]);
    const d = phase(r, 'decode');
    for (const [side, path] of [['base', eager], ['new', graph]] as const) {
      const ref = referenceSteps(path, ['decode [0-9]*']);
      const devices = [...new Set(ref.map((x) => x.deviceId))];
      const per = devices.map((id) => referencePhase(ref, id, () => true));
      expect(per.every((p) => p.count === d.shift[side].count)).toBe(true);
      for (const c of ['gemm', 'attention', 'communication', 'norm', 'idle']) {
        const mean = per.reduce((a, p) => a + p.timeNs[c]! / p.count, 0) / per.length;
        expect(d[side].classNs[c], `${side} ${c}`).toBeCloseTo(mean, 3);
      }
    }
  });

  it('a trace against itself: every phase unchanged, no findings added or resolved', async () => {
    const r = await compareJson([eager, eager]);
    for (const p of r.phases) {
      expect(p.shift.change).toBe(0);
      expect(p.shift.verdict).toBe('unchanged');
    }
    expect(r.findings.added).toEqual([]);
    expect(r.findings.resolved).toEqual([]);
  });

  it('--fail-on-regression exits 1 only for a slowdown beyond noise and the percentage', async () => {
    expect((await cli(['compare', eager, graph, '--fail-on-regression', '5'])).status).toBe(0);
    const r = await cli(['compare', graph, eager, '--fail-on-regression', '5']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^nsys-tp: --fail-on-regression 5: decode 50\.\d× slower$/);
    expect((await cli(['compare', eager, eager, '--fail-on-regression', '0'])).status).toBe(0);
  });

  it('terminal within 100 columns; Markdown for a pull request with the verdict on top', async () => {
    const t = await cli(['compare', eager, graph]);
    expect(t.status).toBe(0);
    expect(maxWidth(t.stdout)).toBeLessThanOrEqual(100);
    expect(t.stdout).toMatch(/VERDICT · decode 50\.\d× faster/);
    const md = (await cli(['compare', eager, graph, '--format', 'md'])).stdout;
    expect(md.split('\n')[0]).toBe('# nsys-tp 0.1.0 compare');
    // The verdict leads, right after who is compared.
    expect(md).toMatch(/^# nsys-tp 0\.1\.0 compare\n\nbase: [^\n]+\nnew: [^\n]+\nstep time: [^\n]+\n\n## Verdict\n\ndecode 50\.\d× faster/);
    expect(md).toContain('| phase | base (ms) | new (ms) | change |');
  });

  it('bad input: one line on stderr, exit 2', async () => {
    const r = await cli(['compare', eager, 'no-such.sqlite']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^nsys-tp: no-such\.sqlite: .*no such file/);
    const p = await cli(['compare', eager, graph, '--fail-on-regression', 'lots']);
    expect(p.status).toBe(2);
    expect(p.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe.skipIf(!HAVE_TRACES)('compare on ../shared/traces', () => {
  it('tp4 vs tp4graph: decode 40× faster because the rank waiting and host gaps are gone; prefill unchanged', async () => {
    const [b, n] = [sharedTrace('tp4'), sharedTrace('tp4graph')];
    const r = await compareJson([b, n]);
    const d = phase(r, 'decode');
    expect(d.shift.base.medianNs).toBe(referenceScaling(b).decode.stepNs);
    expect(d.shift.new.medianNs).toBe(referenceScaling(n).decode.stepNs);
    // The measured passes: 16 decode steps each (the warm-up passes are left out).
    expect([d.shift.base.count, d.shift.new.count]).toEqual([16, 16]);
    expect(d.shift.verdict).toBe('faster');
    expect(d.shift.p).toBeLessThan(1e-8);
    expect((d.shift.base.medianNs / d.shift.new.medianNs).toFixed(1)).toBe('40.2');
    const p = phase(r, 'prefill');
    expect(p.shift.base.medianNs).toBe(referenceScaling(b).prefill!.stepNs);
    expect(p.shift.verdict).toBe('unchanged');
    // Per GPU and step, communication fell by 39 ms of which 39 ms was waiting; idle fell by 26 ms.
    expect((d.base.comm.waitNs - d.new.comm.waitNs) / 1e6).toBeGreaterThan(39);
    expect((d.base.classNs.idle - d.new.classNs.idle) / 1e6).toBeGreaterThan(25);
    expect(r.setup.commandLine).toEqual({ removed: [], added: ['--graph'] });
    expect(r.findings.resolved.map((f: any) => f.rule).sort()).toEqual(['collective-wait', 'host-bound-gaps', 'straggler-rank']);
    expect(r.findings.added.map((f: any) => f.rule)).toEqual(['latency-bound-collectives']);
    expect(r.verdict.why.join('\n')).toMatch(/command line: --graph added[\s\S]*waiting for other ranks −39\.\d+ ms[\s\S]*CUDA graphs 0% → 99%/);
    // Eight layers paired; each decode layer shrank.
    expect(d.layers.rows).toHaveLength(8);
    for (const l of d.layers.rows) expect(l.newNs).toBeLessThan(l.baseNs);
  });

  it('tp2graph vs tp2graph-blobs, one configuration captured twice: nothing changed', async () => {
    const r = await compareJson([sharedTrace('tp2graph'), sharedTrace('tp2graph-blobs')]);
    expect(r.phases.map((p: any) => [p.phase, p.shift.verdict])).toEqual([['prefill', 'unchanged'], ['decode', 'unchanged']]);
    expect(r.findings.added).toEqual([]);
    expect(r.findings.resolved).toEqual([]);
  });

  it('tp4 vs tp4nop2p: prefill 3× slower from transfer time, with NCCL_P2P_DISABLE named; the gate trips', async () => {
    const [b, n] = [sharedTrace('tp4'), sharedTrace('tp4nop2p')];
    const r = await compareJson([b, n]);
    const p = phase(r, 'prefill');
    expect(p.shift.verdict).toBe('slower');
    expect(p.shift.new.medianNs / p.shift.base.medianNs).toBeGreaterThan(3);
    expect(p.new.comm.transferNs - p.base.comm.transferNs).toBeGreaterThan(50e6);
    expect(r.setup.environment).toContainEqual({ name: 'NCCL_P2P_DISABLE', base: null, new: '1' });
    // Eager decode steps spread from 55 to 128 ms: a 4.5% shift is inside that.
    expect(phase(r, 'decode').shift.verdict).toBe('unchanged');
    const gate = await cli(['compare', b, n, '--fail-on-regression', '100']);
    expect(gate.status).toBe(1);
    expect(gate.stderr).toMatch(/prefill 3\.\d× slower/);
  });

  it('tp4 vs tp4serial and tp4overlap: eager decode noise is not called a change', async () => {
    for (const other of ['tp4serial', 'tp4overlap']) {
      const r = await compareJson([sharedTrace('tp4'), sharedTrace(other)]);
      expect(phase(r, 'decode').shift.verdict, other).toBe('unchanged');
      expect(r.setup.commandLine.added).toEqual([`--${other.slice(3)}`]);
    }
  });

  it('nsys-ai mfu before/after: steps from the kernels\' rhythm hold the same work, so they compare', async () => {
    const r = await compareJson([sharedTrace('external/nsys-ai-mfu_2gpu_before'), sharedTrace('external/nsys-ai-mfu_2gpu_after')]);
    // Without step ranges the forward's repeating kernel sequence cuts the steps (2 attention sites each):
    // the same GPU ops per step in both, so the step times compare; the difference is within the spread.
    const s = phase(r, 'decode');
    expect(s.new.opsPerStep / s.base.opsPerStep).toBeCloseTo(1, 1);
    expect(s.shift.verdict).toBe('unchanged');
    expect((await cli(['compare', sharedTrace('external/nsys-ai-mfu_2gpu_before'), sharedTrace('external/nsys-ai-mfu_2gpu_after'), '--fail-on-regression', '1'])).status).toBe(0);
  });

  it('terminal output of tp4 vs tp4graph fits 100 columns', async () => {
    const t = await cli(['compare', sharedTrace('tp4'), sharedTrace('tp4graph')]);
    expect(t.status).toBe(0);
    expect(maxWidth(t.stdout)).toBeLessThanOrEqual(100);
  });
});
