/**
 * The stages of the rhythm split (analyzer/steps/rhythmSteps.ts), each on its own: small hand-built inputs
 * for the rules of each stage, and hf-eager-range (test/traces: 16 forwards of 4 layers, each layer one
 * cuDNN SDPA kernel, each later forward opening with an indexSelect embedding; README) for the stages in a
 * row, checked against what SQL and the kernel names say, not against the tool. Also the medians of
 * analyzer/util/stats: one name, one meaning.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../analyzer/classify/classifier.js';
import { CLASS_INDEX, classifyOps } from '../analyzer/classify/opClasses.js';
import { OpKind } from '../analyzer/model/types.js';
import {
  columnBoundaries, cutBoundaries, deviceSequences, dropPartial, findBoundaries, findSites, gapSignatures, idleBefore, layerShape, period,
  siteForwards, siteLaunches, stepDrafts, structuralBoundaries, tokenizer, withReplays, type Gap, type Signatures, type Unit,
} from '../analyzer/steps/rhythmSteps.js';
import { lowerMedian, median, nearestRankQuantile, percentile } from '../analyzer/util/stats.js';
import { loadTrace } from '../index.js';
import { repoTrace } from './support/traces.js';

const A = CLASS_INDEX.attention;
const G = CLASS_INDEX.gemm;
const M = CLASS_INDEX.moe;
const X = CLASS_INDEX.elementwise;

describe('stats: median interpolates, lowerMedian and nearestRankQuantile pick a value', () => {
  it('on an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(lowerMedian([4, 1, 3, 2])).toBe(2);
    expect(percentile([1, 2, 3, 4], 0.9)).toBeCloseTo(3.7, 12);
    // round(0.9 · 3) = 3 → the 4th smallest; round(0.1 · 3) = 0 → the smallest
    expect(nearestRankQuantile([4, 1, 3, 2], 0.9)).toBe(4);
    expect(nearestRankQuantile([4, 1, 3, 2], 0.1)).toBe(1);
  });
  it('on an odd count all agree; empty is NaN; the input is not reordered', () => {
    const xs = [9, 1, 5];
    expect(median(xs)).toBe(5);
    expect(lowerMedian(xs)).toBe(5);
    expect(xs).toEqual([9, 1, 5]);
    expect(lowerMedian([])).toBeNaN();
    expect(nearestRankQuantile([], 0.5)).toBeNaN();
  });
});

describe('rhythm stages on hand-built inputs', () => {
  it('findSites: attention runs, broken by a GEMM or a MoE kernel, or a graph launch traced at graph level', () => {
    const cls = [A, A, X, A, G, A, M, A, X];
    const seq = cls.map((_, i) => i);
    const kernels = cls.map(() => OpKind.kernel);
    expect(findSites(seq, Uint8Array.from(cls), kernels)).toEqual([{ start: 0, end: 4 }, { start: 5, end: 6 }, { start: 7, end: 8 }]);
    // Piecewise graphs: the projections are inside the launches, between eager attention kernels.
    const pieces = [A, X, A, X, A];
    const kind = [OpKind.kernel, OpKind.graph, OpKind.kernel, OpKind.kernel, OpKind.kernel];
    expect(findSites([0, 1, 2, 3, 4], Uint8Array.from(pieces), kind)).toEqual([{ start: 0, end: 1 }, { start: 2, end: 5 }]);
  });

  it('tokenizer: op names in order, a MoE block as one token', () => {
    const names = [10, 11, 12, 13, 14, 15];
    const cls = Uint8Array.from([X, M, M, X, M, X]);
    const t = tokenizer(names, [0, 1, 2, 3, 4, 5], cls);
    expect(t(0, 6)).toEqual([10, -1, 13, -1, 15]);
    expect(t(1, 3)).toEqual([-1]);
    expect(t(2, 2)).toEqual([]);
  });

  it('gapSignatures: one id per distinct gap, counted; a gap of over 8192 ops is known by its length', () => {
    const sites = [{ start: 0, end: 1 }, { start: 3, end: 4 }, { start: 6, end: 7 }, { start: 7, end: 8 }, { start: 9000, end: 9001 }];
    const tokens = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => (from + i) % 3 === 0 ? 7 : 8);
    const sg = gapSignatures(sites, tokens);
    expect(sg.gaps.map((g) => [g.from, g.to, g.count])).toEqual([[1, 3, 2], [4, 6, 2], [7, 7, 0], [8, 9000, 8992]]);
    // Positions 1, 2 and 4, 5 are tokens 8, 8 both times (only multiples of 3 are 7): one signature.
    expect(sg.gaps[0]!.sig).toBe(sg.gaps[1]!.sig);
    expect(new Set(sg.gaps.map((g) => g.sig)).size).toBe(3);
    expect(sg.count.get(sg.gaps[0]!.sig)).toBe(2);
    expect(sg.tokens[sg.gaps[3]!.sig]).toEqual([]);
  });

  it('period: the lag at which the uncommon gaps repeat', () => {
    // Identical layers, a boundary every third gap.
    expect(period([0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1]).p).toBe(3);
    // Inductor: every position its own names, repeating every 3.
    expect(period([1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3]).p).toBe(3);
    // Boundaries that never repeat (continuous batching): their spacing.
    expect(period([0, 0, 5, 0, 0, 6, 0, 0, 7, 0, 0, 8])).toEqual({ p: 3, score: 1 });
    // Every gap alike: 1.
    expect(period([4, 4, 4, 4])).toEqual({ p: 1, score: 1 });
  });

  const gapsOf = (sigs: number[], counts: number[]): Gap[] => sigs.map((sig, k) => ({ from: k, to: k, sig, count: counts[k]! }));
  const sigsOf = (gaps: Gap[]): Signatures => {
    const count = new Map<number, number>();
    for (const g of gaps) count.set(g.sig, (count.get(g.sig) ?? 0) + 1);
    return { gaps, tokens: [...new Set(gaps.map((g) => g.sig))].sort().map((s) => [s]), count };
  };

  it('columnBoundaries: the column with the most kernels, plus rare signatures as long', () => {
    // P = 3; column 2 holds the big gaps (sig 1); gap 7 (sig 9, seen once, 12 ops) is as long: a boundary too.
    const gaps = gapsOf([0, 0, 1, 0, 0, 1, 0, 9, 1], [3, 3, 10, 3, 3, 10, 3, 12, 10]);
    expect([...columnBoundaries(sigsOf(gaps), 3)]).toEqual([0, 0, 1, 0, 0, 1, 0, 1, 1]);
    // Too short a rare gap stays a layer gap.
    const short = gapsOf([0, 0, 1, 0, 0, 1, 0, 9, 1], [3, 3, 10, 3, 3, 10, 3, 4, 10]);
    expect([...columnBoundaries(sigsOf(short), 3)]).toEqual([0, 0, 1, 0, 0, 1, 0, 0, 1]);
  });

  it('structuralBoundaries: gaps larger than their neighbours, at a regular spacing; else no rhythm', () => {
    const counts = [3, 3, 10, 3, 3, 10, 3, 3, 10, 3, 3];
    const b = structuralBoundaries(gapsOf(counts.map(() => 0), counts), counts.map(() => -1).concat(-1));
    expect(b?.P).toBe(3);
    expect([...b!.boundary]).toEqual(counts.map((c) => (c === 10 ? 1 : 0)));
    // Two graph launches that each hold sites: the gap between them is a boundary whatever its size.
    const flat = [3, 3, 3, 3, 3];
    const launches = [7, 7, 8, 8, 9, 9];
    expect([...structuralBoundaries(gapsOf(flat.map(() => 0), flat), launches)!.boundary]).toEqual([0, 1, 0, 1, 0]);
    expect(structuralBoundaries(gapsOf(flat.map(() => 0), flat), launches.map(() => -1))).toBeNull();
  });

  it('findBoundaries: one gap is a boundary, none gives none', () => {
    const one = findBoundaries(sigsOf(gapsOf([0], [5])), [-1, -1]);
    expect(one?.P).toBe(1);
    expect([...one!.boundary]).toEqual([1]);
    expect([...findBoundaries(sigsOf([]), [-1])!.boundary]).toEqual([]);
  });

  it('layerShape: the commonest layer signatures and the median layer gap', () => {
    const gaps = gapsOf([0, 0, 1, 0, 2, 1, 0], [3, 3, 10, 3, 5, 10, 3]);
    const shape = layerShape(sigsOf(gaps), Uint8Array.from([0, 0, 1, 0, 0, 1, 0]));
    expect(shape.sigs).toEqual([[0], [2]]);
    expect(shape.length).toBe(3); // counts 3, 3, 3, 5, 3
  });

  const site = (k: number) => ({ start: 10 * k, end: 10 * k + 2 });

  it('siteForwards: a run of sites per forward; runs of whole multiples split', () => {
    const sites = Array.from({ length: 12 }, (_, k) => site(k));
    const boundary = new Uint8Array(11);
    boundary[3] = 1; // runs: sites 0-3 (4), 4-11 (8) → 3 forwards of 4
    const f = siteForwards(sites, { P: 1, boundary });
    expect(f.P).toBe(4);
    expect(f.inferred).toBe(1);
    expect(f.units).toEqual([0, 4, 8].map((k) => ({ first: 10 * k, last: 10 * (k + 3) + 1, sites: 4, replay: false })));
    expect(siteForwards([], { P: 1, boundary: new Uint8Array(0) }).units).toEqual([]);
  });

  it('withReplays: graph replays outside the site forwards become forwards, in order', () => {
    const kind = [OpKind.kernel, OpKind.graph, OpKind.kernel, OpKind.graph, OpKind.kernel, OpKind.graph];
    const seq = [0, 1, 2, 3, 4, 5];
    const siteUnits: Unit[] = [{ first: 2, last: 3, sites: 1, replay: false }];
    expect(withReplays(siteUnits, seq, kind)).toEqual([
      { first: 1, last: 1, sites: 0, replay: true }, siteUnits[0], { first: 5, last: 5, sites: 0, replay: true },
    ]);
  });

  it('withReplays: graph launches mostly inside the site forwards are their pieces, not forwards', () => {
    // Two forwards of piecewise graphs: a launch before each, two between its sites, none after.
    const kind = [OpKind.graph, OpKind.kernel, OpKind.graph, OpKind.graph, OpKind.kernel, OpKind.graph, OpKind.kernel, OpKind.graph, OpKind.graph, OpKind.kernel];
    const seq = kind.map((_, i) => i);
    const siteUnits: Unit[] = [{ first: 1, last: 4, sites: 2, replay: false }, { first: 6, last: 9, sites: 2, replay: false }];
    expect(withReplays(siteUnits, seq, kind)).toEqual(siteUnits);
  });

  it('dropPartial: forwards cut short at either end go, replays stay', () => {
    const u = (sites: number, replay = false): Unit => ({ first: 0, last: 0, sites, replay });
    expect(dropPartial([u(2), u(4), u(4), u(1)], 4)).toEqual({ units: [u(4), u(4)], partial: 2 });
    expect(dropPartial([u(0, true), u(4), u(3)], 4)).toEqual({ units: [u(0, true), u(4)], partial: 1 });
    expect(dropPartial([u(2), u(3)], 1).partial).toBe(0);
  });

  it('idleBefore / longestIdle-driven cuts: at the longest idle of the median over like boundaries', () => {
    // Three forwards at positions 0-1, 5-6, 10-11; the boundaries 2-4 and 7-9 run the same kernels.
    const units: Unit[] = [0, 5, 10].map((p) => ({ first: p, last: p + 1, sites: 1, replay: false }));
    // Idle before each position: the first boundary idles most before position 3, the second before 9 (one slow call),
    // but in the median over both, position 3 (offset 1) wins: 40 and 30 against 0/50.
    const idle = Float64Array.from([0, 0, 1, 40, 0, 0, 0, 1, 30, 50, 0, 0]);
    const tokens = () => [1, 2, 3];
    const c = cutBoundaries(units, idle, [], tokens);
    expect(c.breakAt).toEqual([false, false]);
    // offset 1 → 3 and 8; median idle at offset 1 = lower of (40, 30) = 30 beats offset 2 = lower of (0, 50) = 0
    expect(c.cuts).toEqual([3, 8]);
    expect(c.tailLen).toBe(1);
    expect(c.headLen).toBe(2);
    // A stretch far longer than the usual boundary (over 4 · max(3, 4) + 16) is a break.
    const far: Unit[] = [...units, { first: 60, last: 61, sites: 1, replay: false }];
    expect(cutBoundaries(far, new Float64Array(62), [], tokens).breakAt).toEqual([false, false, true]);
  });

  it('stepDrafts: steps from cut to cut, the first and last reaching to their idle stretches', () => {
    const units: Unit[] = [{ first: 2, last: 3, sites: 1, replay: false }, { first: 6, last: 7, sites: 1, replay: false }];
    const idle = Float64Array.from([0, 9, 0, 0, 0, 8, 0, 0, 0, 0]);
    const seq = [100, 101, 102, 103, 104, 105, 106, 107, 108, 109];
    const drafts = stepDrafts(units, { cuts: [5], breakAt: [false], tailLen: 1, headLen: 1 }, idle, { sigs: [], length: 0 }, () => [], seq, 3);
    // The first starts at its longest idle before it (position 1), the last ends with the sequence (within 1.5 tails).
    expect(drafts.map((d) => [...d.ops])).toEqual([[101, 102, 103, 104], [105, 106, 107, 108, 109]]);
    expect(drafts.map((d) => d.gapBeforeNs)).toEqual([NaN, 8]);
    expect(drafts.every((d) => d.device === 3 && d.sites === 1)).toBe(true);
  });
});

describe('rhythm stages on hf-eager-range (16 forwards × 4 layers)', () => {
  const path = repoTrace('hf-eager-range');
  const db = new Database(path, { readonly: true });
  const sql = (q: string) => (db.prepare(q).pluck().get() as number);
  const sdpa = sql(`SELECT count(*) FROM CUPTI_ACTIVITY_KIND_KERNEL k JOIN StringIds s ON s.id = k.shortName WHERE s.value LIKE 'cudnn_generated_fort_native_sdpa%fprop%'`);
  const embeddings = sql(`SELECT count(*) FROM CUPTI_ACTIVITY_KIND_KERNEL k JOIN StringIds s ON s.id = k.shortName WHERE s.value LIKE '%indexSelect%'`);
  const gpuOps = sql('SELECT (SELECT count(*) FROM CUPTI_ACTIVITY_KIND_KERNEL) + (SELECT count(*) FROM CUPTI_ACTIVITY_KIND_MEMCPY) + (SELECT count(*) FROM CUPTI_ACTIVITY_KIND_MEMSET)');
  db.close();
  const model = loadTrace(path);
  const { opClass } = classifyOps(model, createClassifier());
  const seq = deviceSequences(model)[0]!;
  const name = (o: number) => model.opNames[model.ops.name[o]!]!.short;
  const isEmbedding = (o: number) => /indexSelect/.test(name(o));
  const isSdpa = (o: number) => /^cudnn_generated_fort_native_sdpa.*fprop/.test(name(o));

  const sites = findSites(seq, opClass, model.ops.kind);
  const tokens = tokenizer(model.ops.name, seq, opClass);
  const sg = gapSignatures(sites, tokens);
  const bounds = findBoundaries(sg, siteLaunches(model, seq, sites))!;
  const layer = layerShape(sg, bounds.boundary);
  const found = siteForwards(sites, bounds);
  const { units, partial } = dropPartial(withReplays(found.units, seq, model.ops.kind), found.P);
  const idle = idleBefore(model, seq);
  const cuts = cutBoundaries(units, idle, layer.sigs, tokens);
  const drafts = stepDrafts(units, cuts, idle, layer, tokens, seq, 0);

  it('the SQL truth: 64 SDPA kernels (16 × 4), 15 embeddings (the first forward\'s is before the capture), one GPU', () => {
    expect(sdpa).toBe(64);
    expect(embeddings).toBe(15);
    expect(seq.length).toBe(gpuOps);
  });

  it('sites: one per SDPA kernel, each holding one', () => {
    expect(sites.length).toBe(sdpa);
    for (const s of sites) expect(seq.slice(s.start, s.end).filter(isSdpa).length).toBe(1);
  });

  it('signatures and period: 63 gaps, a period of 4 sites (the 4 layers)', () => {
    expect(sg.gaps.length).toBe(sdpa - 1);
    expect(period(sg.gaps.map((g) => g.sig)).p).toBe(4);
  });

  it('boundaries: exactly the gaps that hold an embedding kernel', () => {
    expect(bounds.P).toBe(4);
    const holdsEmbedding = sg.gaps.map((g) => (seq.slice(g.from, g.to).some(isEmbedding) ? 1 : 0));
    expect([...bounds.boundary]).toEqual(holdsEmbedding);
    expect(holdsEmbedding.filter(Boolean).length).toBe(embeddings);
  });

  it('forwards: 16 of 4 sites, none split, none partial', () => {
    expect(units.map((u) => u.sites)).toEqual(Array(16).fill(4));
    expect(found.inferred).toBe(0);
    expect(partial).toBe(0);
  });

  it('cuts and steps: one step per forward with its 4 SDPA kernels and its embedding, disjoint and in order', () => {
    expect(cuts.cuts.length).toBe(15);
    expect(cuts.breakAt.some(Boolean)).toBe(false);
    expect(drafts.length).toBe(16);
    expect(drafts.map((d) => [...d.ops].filter(isSdpa).length)).toEqual(Array(16).fill(4));
    expect(drafts.slice(1).map((d) => [...d.ops].filter(isEmbedding).length)).toEqual(Array(15).fill(1));
    const all = drafts.flatMap((d) => [...d.ops]);
    expect(new Set(all).size).toBe(all.length);
    for (let i = 1; i < all.length; i++) expect(model.ops.start[all[i]!]! >= model.ops.start[all[i - 1]!]!).toBe(true);
    // The idle at each cut is the gap between forwards: 0.169 ms measured by truth.py (README, decode G).
    const gaps = drafts.slice(1).map((d) => d.gapBeforeNs);
    expect(Math.abs(median(gaps) - 0.169e6) / 0.169e6).toBeLessThan(0.05);
  });
});
