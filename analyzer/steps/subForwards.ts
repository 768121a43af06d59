/**
 * Forward passes inside a step cut from the rhythm: a rhythm step is one period of the repeating kernel
 * sequence, and when two models alternate (speculative decoding: a draft proposes tokens, the target
 * verifies them) one period holds several forwards of different depths. Each forward opens with its
 * embedding lookup (`indexSelect*Index`, Inductor's fused embedding), so a step splits at those, and each
 * part's attention sites are its depth: 2, 2, 2, 2, 2, 8 is five draft forwards of a 2-layer model and
 * one verification by an 8-layer one. The time of each depth over the steady steps is then the draft's and
 * the target's share of the step. Two depths and a site in every part, or it is not two models.
 */
import type { TraceModel } from '../model/types.js';
import { OpKind } from '../model/types.js';
import { KERNEL_CLASSES } from '../classify/kernelClasses.js';
import type { Step } from './types.js';
import type { RhythmDraft, RhythmResult } from './rhythmSteps.js';

const ATTENTION = KERNEL_CLASSES.indexOf('attention');
const GEMM = KERNEL_CLASSES.indexOf('gemm');
const EMBEDDING = /^indexSelect(Small|Large)Index$|^triton_\w*embedding/;

export interface SubForwards {
  /** Forwards per step (the commonest count over the steps). */
  forwardsPerStep: number;
  /** Attention sites of each forward of a typical step, in order. */
  depths: number[];
  /** Time per depth (sum of its forwards' spans over the steps given), by depth, deepest first. */
  byDepth: { depth: number; forwards: number; ns: number }[];
  totalNs: number;
}

/** 1 for the names of embedding lookups, which open a forward. */
function embeddingNames(model: TraceModel): Uint8Array {
  return Uint8Array.from(model.opNames, (n) => (n.kind === OpKind.kernel && EMBEDDING.test(n.short) ? 1 : 0));
}

/**
 * Two models, each forward with at least one attention site: an index_select inside a forward (rotary
 * tables, cache positions) opens no forward, and the part it cuts off holds no site of its own.
 */
function twoModels(depths: number[]): boolean {
  return new Set(depths).size === 2 && depths.every((d) => d >= 1);
}

/** Null when the steps hold one forward each (the usual case), or when nothing marks where forwards open. */
export function subForwards(model: TraceModel, opClass: Uint8Array, steps: Step[]): SubForwards | null {
  const isEmbedding = embeddingNames(model);
  const counts = new Map<number, number>();
  const perStep: { depths: number[]; spans: number[] }[] = [];
  for (const s of steps) {
    const { opens, depths } = parts(model, opClass, isEmbedding, s.ops);
    if (opens.length < 2) continue;
    const spans = opens.map((from, k) => (k + 1 < opens.length ? model.ops.start[s.ops[opens[k + 1]!]!]! : s.end) - model.ops.start[s.ops[from]!]!);
    counts.set(opens.length, (counts.get(opens.length) ?? 0) + 1);
    perStep.push({ depths, spans });
  }
  if (perStep.length * 2 < steps.length) return null;
  let forwardsPerStep = 0;
  let best = 0;
  for (const [n, c] of counts) if (c > best) [forwardsPerStep, best] = [n, c];
  const typical = perStep.find((p) => p.depths.length === forwardsPerStep)!;
  if (!twoModels(typical.depths)) return null;
  const byDepth = new Map<number, { depth: number; forwards: number; ns: number }>();
  let totalNs = 0;
  for (const p of perStep) {
    p.depths.forEach((d, k) => {
      const e = byDepth.get(d) ?? { depth: d, forwards: 0, ns: 0 };
      e.forwards++;
      e.ns += p.spans[k]!;
      byDepth.set(d, e);
      totalNs += p.spans[k]!;
    });
  }
  return { forwardsPerStep, depths: typical.depths, byDepth: [...byDepth.values()].sort((a, b) => b.depth - a.depth), totalNs };
}

/** Positions in `ops` where a forward opens (its embedding lookup), and each part's attention sites. */
function parts(model: TraceModel, opClass: Uint8Array, isEmbedding: Uint8Array, ops: Uint32Array): { opens: number[]; depths: number[] } {
  const opens: number[] = [];
  ops.forEach((o, p) => {
    if (isEmbedding[model.ops.name[o]!]) opens.push(p);
  });
  const depths = opens.map((from, k) => {
    const to = k + 1 < opens.length ? opens[k + 1]! : ops.length;
    let sites = 0;
    let inSite = false;
    for (let p = from; p < to; p++) {
      const c = opClass[ops[p]!]!;
      if (c === ATTENTION) {
        if (!inSite) sites++;
        inSite = true;
      } else if (c === GEMM) inSite = false;
    }
    return sites;
  });
  return { opens, depths };
}

/**
 * Rhythm steps holding several rounds of two alternating models (the draft's forwards, then the target's
 * verification, twice or more per period of the kernel sequence), split into one step per round: a round
 * ends with the deepest forward, so each cut is at the next forward's embedding lookup after it.
 */
export function splitRounds(model: TraceModel, opClass: Uint8Array, r: RhythmResult): RhythmResult {
  const isEmbedding = embeddingNames(model);
  const drafts: RhythmDraft[] = [];
  const sites: number[] = [];
  let split = 0;
  for (const d of r.drafts) {
    const { opens, depths } = parts(model, opClass, isEmbedding, d.ops);
    const deepest = Math.max(...depths, 0);
    const ends = depths.map((x, k) => (x === deepest ? k : -1)).filter((k) => k >= 0 && k + 1 < depths.length);
    if (!twoModels(depths) || ends.length === 0) {
      drafts.push(d);
      continue;
    }
    // Cut after each verification but the last: before the embedding of the forward that follows it.
    const cuts = [0, ...ends.map((k) => opens[k + 1]!), d.ops.length];
    for (let c = 0; c + 1 < cuts.length; c++) {
      const ops = d.ops.slice(cuts[c]!, cuts[c + 1]!);
      const s = depths.filter((_, k) => opens[k]! >= cuts[c]! && opens[k]! < cuts[c + 1]!).reduce((x, y) => x + y, 0);
      drafts.push({ device: d.device, ops, sites: s, gapBeforeNs: c === 0 ? d.gapBeforeNs : 0 });
      sites.push(s);
    }
    split++;
  }
  if (split * 2 < r.drafts.length) return r;
  sites.sort((a, b) => a - b);
  return { ...r, drafts, sitesPerStep: sites[(sites.length - 1) >> 1]! };
}
