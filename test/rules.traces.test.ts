/**
 * Which rules must fire, and by omission must not, on each real trace: the labelled table is
 * test/support/expectedFindings.ts (one row per trace and options; adding a trace is adding a row); the
 * tests below pin what a row cannot say (messages, evidence, order). Every set is exact.
 * Model configs: ../shared/models (8 layers, batch 8, prompt 512; tp4big: 80 layers, batch 32, prompt 128).
 */
import { describe, expect, it } from 'vitest';
import { diagnoseJsonIn } from './support/cli.js';
import { EXTERNAL_TRACES, HAVE_TRACES, REPO, repoTrace, samplePath, sharedTrace } from './support/traces.js';
import { TRACE_ROWS } from './support/expectedFindings.js';

const MODELS = `${REPO}/../shared/models`;
const W8 = ['--batch', '8', '--prompt', '512'];
const fired = (j: any) => [...new Set<string>(j.findings.map((f: any) => f.rule))].sort();
const finding = (j: any, rule: string) => j.findings.find((f: any) => f.rule === rule);

describe('rules on committed samples', () => {
  const json = (name: string) => diagnoseJsonIn([samplePath(name), '--model', 'llama-3.3-70b', ...W8]);
  it('tp4-eager: GPU 0 is the straggler, host-bound', async () => {
    const j = await json('tp4-eager.sqlite');
    expect(fired(j)).toEqual(['collective-wait', 'comm-serialized', 'host-bound-gaps', 'straggler-rank']);
    expect(finding(j, 'straggler-rank').evidence.deviceIds[0]).toBe(0);
    expect(finding(j, 'host-bound-gaps').evidence.largestGaps[0].hostCalls).toContain('cuLibraryLoadData');
  });
  it('tp4graph-decode: only the latency-bound all-reduces', async () => expect(fired(await json('tp4graph-decode.sqlite'))).toEqual(['latency-bound-collectives']));
  it('tp4graphg-decode: kernels hidden by graph-level tracing', async () => expect(fired(await json('tp4graphg-decode.sqlite'))).toEqual(['graph-kernels-hidden']));
  it('tp4nop2p: low bus bandwidth measured (ERROR); comm-serialized and comm-dominant-step superseded by it, not dropped', async () => {
    const j = await json('tp4nop2p.sqlite');
    expect(fired(j)).toEqual(['collective-wait', 'host-bound-gaps', 'low-bus-bandwidth', 'straggler-rank']);
    expect(finding(j, 'low-bus-bandwidth').severity).toBe('error');
    expect(j.superseded.map((f: any) => [f.rule, f.evidence.phase, f.supersededBy]).sort()).toEqual([
      ['comm-dominant-step', 'prefill', 'low-bus-bandwidth'], ['comm-serialized', 'prefill', 'low-bus-bandwidth'],
    ]);
  });
  it('tp4nop2p without sizes: the fabric is a guess (info, says so), the fix unsets what the trace shows set', async () => {
    const j = await diagnoseJsonIn([samplePath('tp4nop2p.sqlite')]);
    const f = finding(j, 'low-bus-bandwidth');
    expect(f.severity).toBe('info');
    expect(f).toMatchObject({ messageId: 'suspect', data: { bytes: null, settings: { NCCL_P2P_DISABLE: '1' } } });
    expect(f.recommendation).toMatch(/^Unset NCCL_P2P_DISABLE \(the recorded environment sets NCCL_P2P_DISABLE=1\)/);
    expect(f.recommendation).not.toMatch(/are not set/);
    // Measured: prefill transfer ~75% of the step with no overlap; fires, citing the setting.
    expect(finding(j, 'comm-dominant-step')).toMatchObject({ messageId: 'dominant', data: { phase: 'prefill', suspectSettings: 'NCCL_P2P_DISABLE=1' } });
    expect(j.superseded).toEqual([]);
  });
  it('tp4sp and tp4tree', async () => {
    expect(fired(await json('tp4sp.sqlite'))).toContain('sequence-parallel');
    expect(fired(await json('tp4tree-decode.sqlite'))).toContain('nccl-algorithm-override');
  });
  it('tp4straggle: GPU 3 runs 4 extra GEMMs per layer (tpmodel --straggle 4): named, with the extra kernels', async () => {
    const j = await json('tp4straggle.sqlite');
    const s = j.findings.filter((f: any) => f.rule === 'straggler-rank');
    expect(s.map((f: any) => [f.evidence.phase, f.evidence.deviceIds]).sort()).toEqual([['decode', [3]], ['prefill', [3]]]);
    for (const f of s) {
      const late = f.evidence.ranks[0].largestLateArrivals[0];
      expect(late.extraBusyNs).toBeGreaterThan(late.extraIdleNs);
      expect(late.extraKernels[0]).toMatchObject({ count: 4 });
      expect(late.extraKernels[0].name).toMatch(/^nvjet_/);
      expect(f).toMatchObject({ messageId: 'straggler', data: { ranks: [{ label: 'GPU 3', cause: { kind: 'busy' } }] } });
    }
  });
  it('tp2graph-blobs prefill: nothing wrong', async () => expect(fired(await json('tp2graph-blobs-prefill.sqlite'))).toEqual([]));
  it('findings are sorted by severity, then by cost (share of the step): the first costs most', async () => {
    for (const name of ['tp4nop2p.sqlite', 'tp4straggle.sqlite', 'tp4-eager.sqlite']) {
      const j = await json(name);
      const order = { error: 0, warning: 1, info: 2 } as Record<string, number>;
      for (let i = 1; i < j.findings.length; i++) {
        const [a, b] = [j.findings[i - 1], j.findings[i]];
        expect(order[a.severity]! < order[b.severity]! || (a.severity === b.severity && (a.costShare ?? -1) >= (b.costShare ?? -1))).toBe(true);
      }
      // Each cost is measured from the trace: the step's own share, never more than the whole.
      for (const f of j.findings) if (f.costShare !== undefined) expect(f.costShare).toBeGreaterThanOrEqual(0), expect(f.costShare).toBeLessThanOrEqual(1);
    }
    // tp4-eager: host-bound decode idles GPU 0 most of the step, more than any other finding costs.
    const j = await json('tp4-eager.sqlite');
    expect(j.findings[0].rule).toBe('host-bound-gaps');
    expect(j.findings[0].costShare).toBeGreaterThan(0.9);
  });
});

/** A row's trace: ../shared/traces by default, `repo:` test/traces, `sample:` samples/. */
function tracePath(t: string): string {
  if (t.startsWith('repo:')) return repoTrace(t.slice(5));
  if (t.startsWith('sample:')) return samplePath(`${t.slice(7)}.sqlite`);
  return sharedTrace(t);
}

const label = (f: { rule: string; severity: string; phase?: string | null }) => `${f.rule} ${f.severity}${f.phase ? ` ${f.phase}` : ''}`;

describe.skipIf(!HAVE_TRACES)('expected and forbidden findings per trace (test/support/expectedFindings.ts)', () => {
  for (const row of TRACE_ROWS) {
    it(`${row.trace}${row.args?.length ? ` ${row.args.filter((x) => !x.includes('/')).join(' ')}` : ''}: ${row.why}`, async () => {
      const j = await diagnoseJsonIn([tracePath(row.trace), ...(row.args ?? []).map((x) => (x.startsWith('../shared/') ? `${REPO}/${x}` : x))]);
      const got = j.findings.map((f: any) => label({ rule: f.rule, severity: f.severity, phase: f.evidence.phase })).sort();
      expect(got).toEqual(row.fire.map(label).sort());
      for (const rule of Object.keys(row.forbid ?? {})) expect(fired(j)).not.toContain(rule);
      for (const e of row.fire.filter((x) => x.ranks)) {
        const f = j.findings.find((x: any) => x.rule === e.rule && x.evidence.phase === e.phase);
        expect(f.evidence.deviceIds ?? f.evidence.lateDeviceIds).toEqual(e.ranks);
      }
      expect(j.superseded.map((f: any) => `${f.rule} ${f.evidence.phase} ${f.supersededBy}`).sort()).toEqual((row.superseded ?? []).map((x) => `${x.rule} ${x.phase} ${x.by}`).sort());
      for (const f of j.findings) {
        expect(f.message.length).toBeGreaterThan(40);
        expect(f.recommendation.length).toBeGreaterThan(40);
        expect(Object.keys(f.evidence).length).toBeGreaterThan(0);
      }
    });
  }
});

describe.skipIf(!HAVE_TRACES)('rules on ../shared/traces', () => {
  it('the environment is cited: NCCL_P2P_DISABLE=1 (tp4nop2p), NCCL_ALGO=Tree (tp4tree)', async () => {
    const w = ['--model', `${MODELS}/llama-70b-8layers.config.json`, ...W8];
    expect(finding(await diagnoseJsonIn([sharedTrace('tp4nop2p'), ...w]), 'low-bus-bandwidth')).toMatchObject({ messageId: 'slow', data: { settings: { NCCL_P2P_DISABLE: '1' } } });
    expect(finding(await diagnoseJsonIn([sharedTrace('tp4tree'), ...w]), 'nccl-algorithm-override')).toMatchObject({ messageId: 'tree', data: { settings: { NCCL_ALGO: 'Tree' } } });
  });
  it('sync-in-step fires on tp4serial (a sync after every all-reduce) in decode and prefill, 16 per step', async () => {
    const j = await diagnoseJsonIn([sharedTrace('tp4serial'), '--model', `${MODELS}/llama-70b-8layers.config.json`, ...W8]);
    const s = j.findings.filter((f: any) => f.rule === 'sync-in-step');
    expect(s.map((f: any) => f.evidence.phase).sort()).toEqual(['decode', 'prefill']);
    for (const f of s) for (const d of f.evidence.devices) expect(d.syncsPerStep).toBe(16);
  });
  it('without a model, the model-dependent rules stay silent and the others still fire', async () => {
    const j = await diagnoseJsonIn([sharedTrace('tp4overlap')]);
    expect(fired(j)).toEqual(['collective-wait', 'host-bound-gaps', 'straggler-rank']);
  });
  for (const name of EXTERNAL_TRACES) {
    it(`${name}: no TP finding on a non-TP trace`, async () => {
      const j = await diagnoseJsonIn([sharedTrace(name)]);
      for (const r of ['comm-dominant-step', 'collective-wait', 'straggler-rank', 'low-bus-bandwidth', 'latency-bound-collectives', 'sequence-parallel']) expect(fired(j)).not.toContain(r);
    });
  }
});
