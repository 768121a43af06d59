/**
 * Layers (issue 4): the layer count of every prefill and decode step, how the layers were found (NVTX,
 * the TP collective pattern, the TP=1 kernel pattern), the kernel pattern agreeing with the NVTX ranges
 * wherever both exist, and the per-layer windows adding up to the step to the nanosecond.
 */
import { describe, expect, it } from 'vitest';
import { Analysis, loadTrace } from '../index.js';
import { KERNEL_CLASSES } from '../analyzer/contract/vocabulary.js';
import { GRAPH_KERNELS_HIDDEN, tpCollectives } from '../analyzer/layers/findLayers.js';
import type { WindowTimes } from '../analyzer/layers/layerBreakdown.js';
import { layerAnalysis } from '../analyzer/layers/layerSummary.js';
import type { LayerPhaseSummary } from '../analyzer/contract/layers.js';
import { patternLayers } from '../analyzer/layers/patternLayers.js';
import { diagnoseJsonIn } from './support/cli.js';
import { HAVE_TRACES, samplePath, sharedTrace, TP_TRACES } from './support/traces.js';

const analyse = (path: string) => {
  const a = new Analysis(loadTrace(path));
  return { a, la: layerAnalysis(a) };
};

/**
 * How the numbers add up, for every step with layers: the windows (prologue, then each layer's attention
 * and MLP window, then the epilogue) are contiguous from the step's first op start to its last op end, so
 *   prologue.span + Σ_layers (attention.span + mlp.span) + epilogue.span = step end − step start
 * exactly in ns; and since each window measures the ops clipped to it, the windows' busy, compute, comm,
 * exposed comm and idle times sum to the step breakdown's, and inside each window
 *   compute + exposed comm + copies + idle = span.
 */
function expectAddsUp(a: Analysis, la: ReturnType<typeof layerAnalysis>): number {
  let checked = 0;
  for (const s of a.steps.steps) {
    const b = la.breakdowns[s.index];
    if (!b) continue;
    const windows: WindowTimes[] = [b.prologue, ...b.layers.flatMap((l) => [l.attention, l.mlp]), b.epilogue];
    expect(windows[0]!.startNs).toBe(s.start);
    expect(windows[windows.length - 1]!.endNs).toBe(s.end);
    for (let i = 1; i < windows.length; i++) expect(windows[i]!.startNs).toBe(windows[i - 1]!.endNs);
    const sum = (f: (w: WindowTimes) => number) => windows.reduce((acc, w) => acc + f(w), 0);
    const step = a.breakdowns[s.index]!;
    expect(sum((w) => w.spanNs)).toBe(s.end - s.start);
    expect(sum((w) => w.busyNs)).toBe(step.busyNs);
    expect(sum((w) => w.idleNs)).toBe(step.idleNs);
    expect(sum((w) => w.commNs)).toBe(step.commNs);
    expect(sum((w) => w.computeNs)).toBe(step.computeNs);
    expect(sum((w) => w.exposedCommNs)).toBe(step.exposedCommNs);
    for (const w of windows) expect(w.computeNs + w.exposedCommNs + w.copyNs + w.idleNs).toBe(w.spanNs);
    checked++;
  }
  return checked;
}

/** The per-layer means add up to the mean step too (floating point: the means divide). */
function expectMeansAddUp(p: LayerPhaseSummary) {
  const layers = p.rows.reduce((acc, r) => acc + r.spanNs.mean, 0);
  expect(p.prologueNs + layers + p.epilogueNs).toBeCloseTo(p.stepSpanNs, 3);
  for (const r of p.rows) {
    expect(r.spanNs.min).toBeLessThanOrEqual(r.spanNs.p10);
    expect(r.spanNs.p10).toBeLessThanOrEqual(r.spanNs.median);
    expect(r.spanNs.median).toBeLessThanOrEqual(r.spanNs.p90);
    expect(r.spanNs.p90).toBeLessThanOrEqual(r.spanNs.max);
  }
}

const className = (a: Analysis, op: number) => KERNEL_CLASSES[a.classes.opClass[op]!];
const commOps = (a: Analysis, ops: number[]) => ops.filter((op) => className(a, op) === 'communication').map((op) => a.classes.byName[a.model.ops.name[op]!]!.op);

describe('layers on committed samples', () => {
  it('tp4graph decode (CUDA graph, no layer NVTX): 8 layers from the collectives, each attention → all-reduce → MLP → all-reduce', () => {
    const { a, la } = analyse(samplePath('tp4graph-decode.sqlite'));
    expect(a.steps.steps).toHaveLength(12);
    for (const s of a.steps.steps) {
      const l = la.layers[s.index]!;
      expect(l.source).toBe('collectives');
      expect(l.cuts).toHaveLength(8);
      const seq = [...s.ops];
      // The prologue is the token copied into the graph's input buffer, before the replay.
      expect(l.cuts[0]!.first).toBe(1);
      expect(a.model.opNames[a.model.ops.name[seq[0]!]!]!.short).toBe('[CUDA memcpy DtoD]');
      expect(l.cuts[7]!.end).toBe(seq.length);
      for (const c of l.cuts) {
        const attention = seq.slice(c.first, c.split);
        const mlp = seq.slice(c.split, c.end);
        expect(commOps(a, attention)).toEqual(['all-reduce']);
        expect(commOps(a, mlp)).toEqual(['all-reduce']);
        expect(attention.some((op) => className(a, op) === 'attention')).toBe(true);
        expect(mlp.some((op) => className(a, op) === 'attention')).toBe(false);
        // The layer opens at its input norm; the MLP at the post-attention norm.
        expect(className(a, seq[c.first]!)).toBe('norm');
        expect(className(a, seq[c.split]!)).toBe('norm');
      }
    }
    expect(expectAddsUp(a, la)).toBe(12);
    const decode = la.summaries.filter((p) => p.phase === 'decode');
    expect(decode).toHaveLength(4);
    for (const p of decode) {
      expect(p.layers).toBe(8);
      expect(p.counts).toEqual([8, 8, 8]);
      expectMeansAddUp(p);
      // Measured: ~227 µs per layer (8 of them plus a 4 µs input copy make the 1.82 ms step): attention
      // compute ~54 µs, MLP compute ~140 µs, each all-reduce ~11-13 µs and exposed (no overlap), ~10 µs idle.
      expect(p.prologueNs).toBeGreaterThan(3e3);
      expect(p.prologueNs).toBeLessThan(5e3);
      expect(p.epilogueNs).toBe(0);
      for (const r of p.rows) {
        expect(r.spanNs.mean).toBeGreaterThan(224e3);
        expect(r.spanNs.mean).toBeLessThan(234e3);
        expect(r.attentionComputeNs).toBeGreaterThan(50e3);
        expect(r.attentionComputeNs).toBeLessThan(57e3);
        expect(r.mlpComputeNs).toBeGreaterThan(136e3);
        expect(r.mlpComputeNs).toBeLessThan(143e3);
        for (const comm of [r.attentionCommNs, r.mlpCommNs]) {
          expect(comm).toBeGreaterThan(9e3);
          expect(comm).toBeLessThan(15e3);
        }
        expect(r.exposedCommNs).toBeCloseTo(r.attentionCommNs + r.mlpCommNs, 6);
        expect(r.copyNs).toBe(0);
      }
      expect(p.outliers).toEqual([]);
    }
  });

  it('tp4 eager: 8 NVTX layers per prefill and decode step, and the kernel pattern finds the very same cuts', () => {
    const { a, la } = analyse(samplePath('tp4-eager.sqlite'));
    for (const s of a.steps.steps) {
      const l = la.layers[s.index]!;
      expect(l.source).toBe('nvtx');
      expect(l.cuts.map((c) => c.name)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((k) => `layer ${k}`));
      const p = patternLayers(s.ops, a.classes.opClass, tpCollectives(a));
      expect(p.source).toBe('collectives');
      if (p.source) expect(p.cuts).toEqual(l.cuts);
    }
    expect(expectAddsUp(a, la)).toBe(12);
    for (const p of la.summaries) {
      expect(p.layers).toBe(8);
      expectMeansAddUp(p);
    }
  });

  it('tp4 eager decode: layer 0 is the outlier, idle on the GPU that plans attention, waiting in the all-reduce on the others', () => {
    const { la } = analyse(samplePath('tp4-eager.sqlite'));
    const decode = la.summaries.filter((p) => p.phase === 'decode');
    for (const p of decode) {
      expect(p.outliers.map((o) => o.name)).toEqual(['layer 0']);
      // ~78 ms against ~1.9 ms for the median layer: cuDNN builds a new SDPA plan on the host each step.
      expect(p.outliers[0]!.spanNs).toBeGreaterThan(70e6);
      expect(p.outliers[0]!.ratio).toBeGreaterThan(30);
      // The attention and MLP kernels themselves take what they take in the CUDA-graph run.
      for (const r of p.rows) {
        expect(r.attentionComputeNs).toBeGreaterThan(50e3);
        expect(r.attentionComputeNs).toBeLessThan(57e3);
      }
    }
    expect(decode[0]!.outliers[0]!.cause).toMatch(/^idle \+7\d\.\d ms$/);
    expect(decode[3]!.outliers[0]!.cause).toMatch(/^exposed comm \+6\d\.\d ms$/);
    // GPU 3 waits in the layer-0 attention all-reduce for the GPU still planning: 64 ms of it.
    expect(decode[3]!.rows[0]!.attentionCommNs).toBeGreaterThan(60e6);
  });

  it('graph-level CUDA graphs (tp4graphg): no layers, with the reason', () => {
    const { a, la } = analyse(samplePath('tp4graphg-decode.sqlite'));
    expect(a.steps.steps).toHaveLength(8);
    for (const l of la.layers) expect(l).toMatchObject({ source: null, cuts: [], reason: GRAPH_KERNELS_HIDDEN });
    for (const p of la.summaries) {
      expect(p.layers).toBe(0);
      expect(p.missing).toEqual({ [GRAPH_KERNELS_HIDDEN]: 2 });
    }
  });

  it('the JSON has layers per decode (and prefill) step, null where none were found', async () => {
    expect((await diagnoseJsonIn([samplePath('tp4graph-decode.sqlite')])).devices.map((d: any) => d.decode.layers)).toEqual([8, 8, 8, 8]);
    expect((await diagnoseJsonIn([samplePath('tp4graphg-decode.sqlite')])).devices.map((d: any) => d.decode.layers)).toEqual([null, null, null, null]);
    const eager = await diagnoseJsonIn([samplePath('tp4-eager.sqlite')]);
    expect(eager.devices.map((d: any) => [d.prefill.layers, d.decode.layers])).toEqual(Array(4).fill([8, 8]));
  });
});

describe.skipIf(!HAVE_TRACES)('layers on ../shared/traces', () => {
  const GRAPH_DECODE: Record<string, string> = { tp1graph: 'kernels', tp2graph: 'collectives', 'tp2graph-blobs': 'collectives', tp4graph: 'collectives' };
  for (const name of TP_TRACES) {
    const depth = name === 'tp4big' ? 80 : 8;
    it(`${name}: ${depth} layers in every prefill and decode step, adding up to the step`, () => {
      const { a, la } = analyse(sharedTrace(name));
      for (const s of a.steps.steps) {
        const l = la.layers[s.index]!;
        if (name === 'tp4graphg' && s.phase === 'decode') {
          expect(l.reason).toBe(GRAPH_KERNELS_HIDDEN);
          continue;
        }
        expect(l.cuts.length, `${s.name} on device ${s.device}`).toBe(depth);
        // Graph replays have no layer ranges: the warm-up decode steps were captured into the graph.
        const expected = s.phase === 'decode' && GRAPH_DECODE[name] ? GRAPH_DECODE[name] : 'nvtx';
        expect(l.source, `${s.name} on device ${s.device}`).toBe(expected);
      }
      expect(expectAddsUp(a, la)).toBeGreaterThan(0);
      for (const p of la.summaries) if (p.layers) expectMeansAddUp(p);
    });
  }

  for (const name of ['tp1', 'tp2', 'tp4', 'tp4big', 'tp4sp', 'tp4serial', 'tp4nop2p', 'tp4tree', 'tp4overlap']) {
    it(`${name}: without its NVTX ranges, the kernel pattern cuts every layer where the ranges do`, () => {
      const { a, la } = analyse(sharedTrace(name));
      let compared = 0;
      for (const s of a.steps.steps) {
        const nvtx = la.layers[s.index]!;
        const p = patternLayers(s.ops, a.classes.opClass, tpCollectives(a));
        expect(p.source).toBe(name === 'tp1' ? 'kernels' : 'collectives');
        if (!p.source) continue;
        expect(p.cuts.map((c) => [c.first, c.split])).toEqual(nvtx.cuts.map((c) => [c.first, c.split]));
        // tp4overlap launches one copy after its last layer range; the pattern keeps it in the last layer.
        const ends = (cuts: { end: number }[]) => cuts.map((c) => c.end).slice(0, name === 'tp4overlap' ? -1 : undefined);
        expect(ends(p.cuts)).toEqual(ends(nvtx.cuts));
        compared++;
      }
      expect(compared).toBe(a.steps.steps.length);
    });
  }

  it('pipeline send/recv does not end a TP block: a training trace with SendRecv gets the TP=1 kernel pattern', () => {
    // Stretches between idle gaps hold several of its iterations, so the kernel pattern repeats inside them.
    const a = new Analysis(loadTrace(sharedTrace('external/nsys-ai-mfu_2gpu_before')), { steps: { source: 'gaps' } });
    const sources = new Set(layerAnalysis(a).layers.map((l) => l.source));
    expect(sources.has('collectives')).toBe(false);
    expect(sources.has('kernels')).toBe(true);
  });
  it('layers are never invented: one iteration of the kernels\' rhythm (two attention sites, three norms) has no layer pattern', () => {
    const { la } = analyse(sharedTrace('external/nsys-ai-mfu_2gpu_before'));
    expect(la.layers.every((l) => l.source === null && l.cuts.length === 0)).toBe(true);
  });

  it('tp4sp: each collective point of a layer is a reduce-scatter + all-gather pair', () => {
    const { a, la } = analyse(sharedTrace('tp4sp'));
    for (const s of a.steps.steps) {
      const seq = [...s.ops];
      for (const c of la.layers[s.index]!.cuts) {
        expect(commOps(a, seq.slice(c.first, c.split))).toEqual(['reduce-scatter', 'all-gather']);
        expect(commOps(a, seq.slice(c.split, c.end))).toEqual(['reduce-scatter', 'all-gather']);
      }
    }
  });

  it('tp4overlap: two micro-batches make two all-reduces per block, still one layer', () => {
    const { a } = analyse(sharedTrace('tp4overlap'));
    const s = a.steps.steps.find((x) => x.phase === 'decode')!;
    const p = patternLayers(s.ops, a.classes.opClass, tpCollectives(a));
    expect(p.source).toBe('collectives');
    const seq = [...s.ops];
    if (p.source) for (const c of p.cuts) expect(commOps(a, seq.slice(c.first, c.end))).toEqual(Array(4).fill('all-reduce'));
  });

  it('tp1graph: no collectives at TP=1, so layers come from one attention kernel each, opened by the norm before it', () => {
    const { a, la } = analyse(sharedTrace('tp1graph'));
    for (const s of a.steps.steps.filter((x) => x.phase === 'decode')) {
      const seq = [...s.ops];
      const cuts = la.layers[s.index]!.cuts;
      expect(cuts).toHaveLength(8);
      for (const c of cuts) {
        expect(seq.slice(c.first, c.split).filter((op) => className(a, op) === 'attention')).toHaveLength(1);
        expect(className(a, seq[c.first]!)).toBe('norm');
        expect(className(a, seq[c.split]!)).toBe('norm');
      }
    }
  });
});
