/**
 * Every rule on tiny hand-made exports (test/support/tinyTrace.ts), ESLint's RuleTester style: for each
 * rule the traces it must stay silent on (valid) and the traces it must fire on (invalid), with the message
 * it reports and the ids and numbers of its data (the words are the templates', rules/messageFormat.ts). The real traces' expectations are in rules.traces.test.ts; these pin each rule's
 * logic on the smallest trace that shows it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { Analysis, loadTrace, PLAN_RULES, RULES, runRules, SCALING_RULES, modelShape, scaling, type AnalyseConfig } from '../index.js';
import { runPlanRules, runScalingRules } from '../rules/engine.js';
import { optionValues } from '../rules/options.js';
import { planRow } from '../analyzer/plan/tpPlan.js';
import { gpuSpecFor } from '../analyzer/hardware/gpuSpecs.js';
import type { Rule } from '../rules/types.js';
import { tempDir } from './support/fixtures.js';
import { NAMES, tpSteps, writeTinyTrace, type TinyTrace } from './support/tinyTrace.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

interface Case {
  name: string;
  trace: TinyTrace;
  config?: AnalyseConfig;
  /** For invalid cases: the report's message id and (part of) its data, as the workload sets them. */
  report?: { messageId: string; data?: Record<string, unknown> };
  /** For invalid cases whose report lowers the rule's severity (a guess, a cost under the threshold): the severity. */
  severity?: 'info' | 'warning' | 'error';
}

const byId = (id: string): Rule => RULES.find((r) => r.meta.id === id)!;

function analysed(c: Case): Analysis {
  const path = writeTinyTrace(dir, c.trace, `t${n++}.sqlite`);
  const cfg = c.config ?? {};
  return new Analysis(loadTrace(path), { workload: cfg.workload, gpu: cfg.gpu });
}

function findings(rule: Rule, c: Case) {
  return runRules(analysed(c), [rule], c.config?.rules);
}

function ruleTester(id: string, cases: { valid: Case[]; invalid: Case[] }) {
  describe(id, () => {
    for (const c of cases.valid) {
      it(`valid: ${c.name}`, () => {
        const out = findings(byId(id), c);
        expect(out.notRun).toEqual([]);
        expect(out.findings.map((f) => f.message)).toEqual([]);
      });
    }
    for (const c of cases.invalid) {
      it(`invalid: ${c.name}`, () => {
        const a = analysed(c);
        const out = runRules(a, [byId(id)], c.config?.rules);
        expect(out.findings.length, out.findings.map((f) => f.message).join('\n')).toBeGreaterThan(0);
        for (const f of out.findings) {
          expect(f.rule).toBe(id);
          expect(f.severity).toBe(c.severity ?? byId(id).meta.severity);
        }
        if (c.report) {
          expect(out.findings.map((f) => f.messageId)).toContain(c.report.messageId);
          const reports = byId(id).check(a, optionValues(byId(id).meta.options, {}));
          expect(reports[0]).toMatchObject(c.report);
        }
      });
    }
  });
}

const G = NAMES.gemm;
const AR = NAMES.allReduce;
/** A decode step at TP=2: two GEMMs and two all-reduces per layer. */
const decode = (over: Partial<Parameters<typeof tpSteps>[0]> = {}) =>
  tpSteps({ gpus: 2, steps: 6, layers: 2, layer: [[NAMES.attention, 20], [G, 100], [AR, 10], [G, 100], [AR, 10]], ...over });

ruleTester('comm-dominant-step', {
  valid: [{ name: 'all-reduces a tenth of the step', trace: decode() }],
  invalid: [
    { name: 'all-reduce transfer 60% of the step', trace: decode({ layer: [[NAMES.attention, 5], [G, 20], [AR, 40], [G, 20], [AR, 40]] }), report: { messageId: 'dominant', data: { phase: 'decode', tp: 2, transferShare: expect.closeTo(0.64, 1), suspectSettings: null } } },
    {
      name: 'bandwidth-scale all-reduces of unknown size with NCCL_P2P_DISABLE=1 recorded: the setting is named, as a list',
      trace: { ...decode({ layer: [[NAMES.attention, 5], [G, 20], [AR, 200], [G, 20], [AR, 200]] }), env: { NCCL_P2P_DISABLE: '1' } },
      report: { messageId: 'dominant', data: { suspectSettings: { messageId: 'settingList', data: { settings: [{ name: 'NCCL_P2P_DISABLE', value: '1' }] } } } },
    },
  ],
});

ruleTester('comm-serialized', {
  valid: [
    { name: 'all-reduces overlap the next micro-batch\'s GEMM', trace: decode({ layer: [[NAMES.attention, 5], [G, 60], [AR, 30], [G, 60], [AR, 30]], overlapComm: true }) },
    { name: 'exposed transfer under 10% of the step', trace: decode() },
  ],
  invalid: [{ name: 'all-reduces with compute idle, 30% of the step', trace: decode({ layer: [[NAMES.attention, 5], [G, 60], [AR, 30], [G, 60], [AR, 30]] }), report: { messageId: 'serialized', data: { phase: 'decode', overlap: 0 } } }],
});

const late = (gpu: number) => (gpu === 1 ? 200 : 0);

ruleTester('collective-wait', {
  valid: [{ name: 'ranks arrive together', trace: decode() }],
  invalid: [{ name: 'GPU 1 arrives 200 µs late at every collective', trace: decode({ lateBy: late }), report: { messageId: 'waiting', data: { phase: 'decode', late: { labels: ['GPU 1'], lastArrivals: 24 }, instances: 24, cause: { kind: 'idle', host: { messageId: 'hostCalls', data: { calls: [], libraryLoad: false } } } } } }],
});

ruleTester('straggler-rank', {
  valid: [
    { name: 'ranks arrive together', trace: decode() },
    { name: 'the late rank is only 5 µs late (below minSkewNs)', trace: decode({ lateBy: (g) => (g === 1 ? 5 : 0) }) },
  ],
  invalid: [
    { name: 'GPU 1 always late', trace: decode({ lateBy: late }), report: { messageId: 'straggler', data: { phase: 'decode', fairShare: 0.5, ranks: [{ label: 'GPU 1', share: 1 }], alternation: null } } },
    {
      name: 'GPU 1 and GPU 2 late by turns at TP=4',
      trace: tpSteps({ gpus: 4, steps: 8, layers: 2, layer: [[NAMES.attention, 20], [G, 100], [AR, 10], [G, 100], [AR, 10]], lateBy: (g, k) => (g === 1 + (k % 2) ? 300 : 0) }),
      report: { messageId: 'straggler', data: { ranks: [{ label: 'GPU 1' }, { label: 'GPU 2' }], alternation: [{ steps: 4 }, { steps: 4 }], steps: 8 } },
    },
  ],
});

ruleTester('host-bound-gaps', {
  valid: [{ name: 'kernels back to back', trace: decode() }],
  invalid: [{ name: 'the host launches every kernel 100 µs late', trace: decode({ hostIdleUs: () => 100 }), report: { messageId: 'idle', data: { phase: 'decode', devices: [{ label: expect.stringMatching(/^GPU \d$/) }, { label: expect.stringMatching(/^GPU \d$/) }], largestGap: { host: { messageId: 'hostCalls', data: { calls: [], mostlyUncovered: true, libraryLoad: false } } } } } }],
});

/** TP=1 decode steps of 160 µs; with `sync`, a cudaDeviceSynchronize waits out the first GEMM, the next kernel starts 40 µs after the GEMM ends. */
function syncSteps(sync: boolean): TinyTrace {
  const t: TinyTrace = { ops: [], ranges: [], calls: [] };
  for (let k = 0; k < 5; k++) {
    const t0 = k * 1000;
    t.ops.push({ gpu: 0, name: G, startUs: t0, durUs: 100 }, { gpu: 0, name: NAMES.attention, startUs: t0 + 140, durUs: 20, launchUs: t0 + 135 });
    if (sync) t.calls!.push({ gpu: 0, name: 'cudaDeviceSynchronize_v3020', startUs: t0 + 2, endUs: t0 + 105 });
    t.ranges.push({ gpu: 0, name: `decode ${k}`, startUs: t0 - 20, endUs: t0 + 170 });
  }
  return t;
}

ruleTester('sync-in-step', {
  valid: [{ name: 'no synchronization', trace: syncSteps(false) }],
  invalid: [{ name: 'a device synchronize in every step', trace: syncSteps(true), report: { messageId: 'syncs', data: { phase: 'decode', syncsPerStep: 1, devices: ['GPU 0'], calls: { messageId: 'calls', data: { calls: [{ name: 'cudaDeviceSynchronize_v3020', count: 5 }] } }, drainNsPerStep: 40_000, stepSpanNs: 160_000 } } }],
});

ruleTester('latency-bound-collectives', {
  valid: [{ name: 'four small all-reduces per step', trace: decode() }],
  invalid: [{ name: 'sixteen 10 µs all-reduces per step, 8% of it', trace: decode({ layers: 8 }), report: { messageId: 'floor', data: { phase: 'decode', perStep: 16, ops: ['all-reduce'], sizes: [null], medianTransferNs: 10_000 } } }],
});

ruleTester('nccl-algorithm-override', {
  valid: [{ name: 'ring all-reduce kernels', trace: decode() }],
  invalid: [
    { name: 'Tree kernels on one node', trace: decode({ layer: [[NAMES.attention, 20], [G, 100], [NAMES.allReduceTree, 10]] }), report: { messageId: 'tree', data: { treeKernels: ['ncclDevKernel_AllReduce_Sum_bf16_TREE_LL'] } } },
    { name: 'NCCL_PROTO forced in the environment', trace: { ...decode(), env: { NCCL_PROTO: 'Simple' } }, report: { messageId: 'forced', data: { treeKernels: [], settings: { NCCL_PROTO: 'Simple' } } } },
  ],
});

ruleTester('sequence-parallel', {
  valid: [{ name: 'all-reduces', trace: decode() }],
  invalid: [{ name: 'reduce-scatter + all-gather pairs', trace: decode({ layer: [[NAMES.attention, 20], [G, 100], [NAMES.reduceScatter, 6], [NAMES.allGather, 6], [G, 100], [NAMES.reduceScatter, 6], [NAMES.allGather, 6]] }), report: { messageId: 'pairs', data: { reduceScatters: 24, allGathers: 24, allReduces: 0 } } }],
});

/** The all-reduce message size that decode at this batch moves: batch × hidden × 2 bytes. */
const llama = modelShape('llama-3.3-70b')!;
const slowFabric = { workload: { model: llama, batch: 1024, prompt: 1 } };

ruleTester('low-bus-bandwidth', {
  valid: [
    { name: '16 MiB all-reduces in 60 µs (280 GB/s at TP=2)', trace: decode({ layer: [[NAMES.attention, 20], [G, 100], [AR, 60]] }), config: slowFabric },
    { name: 'sizes unknown and nothing recorded that steers NCCL off NVLink', trace: decode({ layer: [[NAMES.attention, 20], [G, 100], [AR, 600]] }) },
    // Tree and LL still run over NVLink: a forced algorithm is nccl-algorithm-override's finding, not a fabric guess.
    { name: 'sizes unknown, NCCL_ALGO=Tree recorded', trace: { ...decode({ layer: [[NAMES.attention, 20], [G, 100], [AR, 600]] }), env: { NCCL_ALGO: 'Tree' } } },
  ],
  invalid: [
    { name: '16 MiB all-reduces in 600 µs', trace: decode({ layer: [[NAMES.attention, 20], [G, 100], [AR, 600]] }), config: slowFabric, report: { messageId: 'slow', data: { op: 'all-reduce', bytes: 16 * 1024 * 1024, transferMedianNs: 600_000, busGBps: expect.closeTo(28, 0) } } },
    { name: 'NCCL_P2P_DISABLE=1 and bandwidth-scale collectives of unknown size', trace: { ...decode({ layer: [[NAMES.attention, 20], [G, 100], [AR, 600]] }), env: { NCCL_P2P_DISABLE: '1' } }, severity: 'info', report: { messageId: 'suspect', data: { bytes: null, transferMedianNs: 600_000, settings: { NCCL_P2P_DISABLE: '1' } } } },
  ],
});

/** Prefill at TP=2, eight layers (so the roofline counts the trace's layers, not the model's 80). */
const prefill = (gemmUs: number) => tpSteps({ gpus: 2, steps: 3, layers: 8, name: () => 'prefill', layer: [[NAMES.attention, 50], [G, gemmUs / 2], [AR, 10], [G, gemmUs / 2], [AR, 10]] });

ruleTester('low-flops-achievement', {
  valid: [{ name: 'prefill GEMMs near peak', trace: prefill(4000), config: { workload: { model: llama, batch: 8, prompt: 512 } } }],
  invalid: [{ name: 'prefill GEMMs at a tenth of peak', trace: prefill(40000), config: { workload: { model: llama, batch: 8, prompt: 512 } }, report: { messageId: 'low', data: { tp: 2 } } }],
});

ruleTester('low-hbm-bandwidth', {
  valid: [{ name: 'decode streams the weights at HBM speed', trace: decode({ layers: 8, layer: [[NAMES.attention, 5], [G, 30], [AR, 10], [G, 30], [AR, 10]] }), config: { workload: { model: llama, batch: 8, prompt: 512 } } }],
  invalid: [{ name: 'decode GEMMs far slower than streaming the weights', trace: decode({ layers: 8, layer: [[NAMES.attention, 5], [G, 1000], [AR, 10], [G, 1000], [AR, 10]] }), config: { workload: { model: llama, batch: 8, prompt: 512 } }, report: { messageId: 'low', data: { peakHbmGBps: expect.closeTo(3350, -2) } } }],
});

describe('graph-kernels-hidden', () => {
  // Graph executions need the graph-trace table: real slices of a graph-level capture carry it (rule.graph-kernels-hidden.test.ts).
  it('is tested on real graph-level and node-level slices', () => expect(byId('graph-kernels-hidden').meta.requires).toEqual([]));
});

describe('requirements: a rule that cannot run says why', () => {
  it('the model-dependent rules are listed as not run without --model', () => {
    const out = findings(byId('low-hbm-bandwidth'), { name: '', trace: decode() });
    expect(out.notRun).toEqual([{ rule: 'low-hbm-bandwidth', title: byId('low-hbm-bandwidth').meta.title, reason: 'needs --model and --batch' }]);
  });
  it('collective rules are not run on one GPU', () => {
    const out = findings(byId('collective-wait'), { name: '', trace: tpSteps({ gpus: 1, steps: 3, layers: 2, layer: [[NAMES.attention, 20], [G, 100]] }) });
    expect(out.notRun.map((x) => x.reason)).toEqual(['no collectives across GPUs: one GPU, or one rank traced']);
  });
});

describe('options are checked in the core', () => {
  const path = () => writeTinyTrace(dir, decode(), `o${n++}.sqlite`);
  it('a ratio given as a percent, an unknown option and an unknown rule are refused with their reason', () => {
    const a = new Analysis(loadTrace(path()));
    expect(() => runRules(a, RULES, { options: { 'collective-wait': { minShareOfStep: 20 } } })).toThrow(/collective-wait\.minShareOfStep is a fraction between 0 and 1 \(0\.1 means 10%\), not 20/);
    expect(() => runRules(a, RULES, { options: { 'collective-wait': JSON.parse('{"__proto__": 1}') } })).toThrow(/has no option "__proto__"/);
    expect(() => runRules(a, RULES, { options: { nope: {} } })).toThrow(/unknown rule "nope"/);
  });
  it('an option changes the threshold', () => {
    const a = new Analysis(loadTrace(writeTinyTrace(dir, decode({ layers: 8 }), `o${n++}.sqlite`)));
    expect(runRules(a, [byId('latency-bound-collectives')]).findings).toHaveLength(1);
    expect(runRules(a, [byId('latency-bound-collectives')], { options: { 'latency-bound-collectives': { minPerStep: 17 } } }).findings).toHaveLength(0);
  });
});

describe('plan rules', () => {
  const h100 = gpuSpecFor('H100')!;
  const row = (model: string, tp: number) => {
    const m = modelShape(model)!;
    return { model: m, plan: planRow(m, tp, { tps: [], gpu: h100, batch: 1, context: null, memoryUtilization: 0.9, activationBytes: 2 }) };
  };
  const plan = (id: string) => PLAN_RULES.filter((r) => r.meta.id === id);
  it('fp8-block-misaligned: Qwen 2.5 72B\'s FFN 29568 at TP=4 (57.75 blocks); Llama 70B\'s 28672 aligns', () => {
    expect(runPlanRules(row('llama-3.3-70b', 4), plan('fp8-block-misaligned')).findings).toEqual([]);
    expect(runPlanRules(row('qwen-2.5-72b', 4), plan('fp8-block-misaligned')).findings).toHaveLength(1);
    expect(plan('fp8-block-misaligned')[0]!.check(row('qwen-2.5-72b', 4), { block: 128 })).toMatchObject([
      { messageId: 'misaligned', data: { tp: 4, block: 128, misaligned: [{ dim: expect.stringMatching(/\(intermediate\)$/), full: 29568, perRank: 7392 }] } },
    ]);
  });
  it('kv-heads-replicated: 8 KV heads fit TP=8, not TP=16', () => {
    expect(runPlanRules(row('llama-3.3-70b', 8), plan('kv-heads-replicated')).findings).toEqual([]);
    expect(runPlanRules(row('llama-3.3-70b', 16), plan('kv-heads-replicated')).findings).toHaveLength(1);
    expect(plan('kv-heads-replicated')[0]!.check(row('llama-3.3-70b', 16), {})).toMatchObject([{ messageId: 'replicated', data: { tp: 16, kvHeads: 8, replication: 2 } }]);
  });
});

describe('poor-tp-scaling', () => {
  const tp = (gpus: number, gemmUs: number) => writeTinyTrace(dir, tpSteps({ gpus, steps: 5, layers: 2, layer: [[NAMES.attention, 20], [G, gemmUs], [AR, 10]] }), `s${n++}.sqlite`);
  it('valid: TP=2 halves the GEMMs (efficiency near 1)', async () => {
    const r = await scaling([tp(1, 400), tp(2, 190)], { batch: 8, prompt: null, gpuHourPrice: null });
    expect(r.findings).toEqual([]);
  });
  it('invalid: TP=2 barely faster; the lost time is named', async () => {
    const r = await scaling([tp(1, 400), tp(2, 380)], { batch: 8, prompt: null, gpuHourPrice: null });
    expect(r.findings.map((f) => f.rule)).toEqual(['poor-tp-scaling']);
    expect(SCALING_RULES[0]!.check(r.rows, { threshold: 0.7 })).toMatchObject([{ messageId: 'poor', data: { phase: 'decode', tp: 2, baseTp: 1 } }]);
    expect(runScalingRules(r.rows, SCALING_RULES, { options: { 'poor-tp-scaling': { threshold: 0.1 } } }).findings).toEqual([]);
  });
});
