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
import { KERNEL_CLASSES } from '../contract/vocabulary.js';
import type { Step } from './types.js';
import { group } from 'd3-array';
import { deviceSequences, type RhythmDraft, type RhythmResult } from './rhythmSteps.js';

const ATTENTION = KERNEL_CLASSES.indexOf('attention');
const GEMM = KERNEL_CLASSES.indexOf('gemm');
const EMBEDDING = /^indexSelect(Small|Large)Index$|^triton_\w*embedding/;
/**
 * A forward's embedding lookup where the prompt is long: index_select of many rows runs as a gather. Inside
 * a forward a gather is common (MoE token dispatch, rotary tables), so it opens a forward only where
 * `edgeRounds` already knows the two models' depths and checks every part against them.
 */
const PROMPT_EMBEDDING = /^vectorized_gather_kernel$/;

export interface SubForwards {
  /** Forwards per step (the commonest count over the steps). */
  forwardsPerStep: number;
  /** Attention sites of each forward of a typical step, in order. */
  depths: number[];
  /** Time per depth (sum of its forwards' spans over the steps given), by depth, deepest first. */
  byDepth: { depth: number; forwards: number; ns: number }[];
  totalNs: number;
}

/** 1 for the names of embedding lookups, which open a forward; with `prompts`, the gathers a long prompt's embedding runs as too. */
function embeddingNames(model: TraceModel, prompts = false): Uint8Array {
  return Uint8Array.from(model.opNames, (n) => (n.kind === OpKind.kernel && (EMBEDDING.test(n.short) || (prompts && PROMPT_EMBEDDING.test(n.short))) ? 1 : 0));
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
  const withPrompts = embeddingNames(model, true);
  const counts = new Map<number, number>();
  const perStep: { opens: number[]; depths: number[]; step: Step }[] = [];
  const single: { opens: number[]; depths: number[]; step: Step }[] = [];
  for (const s of steps) {
    const { opens, depths } = parts(model, opClass, isEmbedding, s.ops);
    if (opens.length < 2) {
      if (opens.length === 1) single.push({ opens, depths, step: s });
      continue;
    }
    counts.set(opens.length, (counts.get(opens.length) ?? 0) + 1);
    perStep.push({ opens, depths, step: s });
  }
  if (perStep.length === 0 || perStep.length * 2 < steps.length) return null;
  let forwardsPerStep = 0;
  let best = 0;
  for (const [n, c] of counts) if (c > best) [forwardsPerStep, best] = [n, c];
  const typical = perStep.find((p) => p.depths.length === forwardsPerStep)!;
  if (!twoModels(typical.depths)) return null;
  // With the two depths known, a round holding the prompts splits at their gathers too (see PROMPT_EMBEDDING).
  const pair = new Set(typical.depths);
  // A round of the target alone (the last of a generation) is one forward: its time is the target's.
  perStep.push(...single.filter((p) => p.depths.every((d) => pair.has(d))));
  for (const p of perStep) {
    const wide = parts(model, opClass, withPrompts, p.step.ops);
    if (wide.opens.length > p.opens.length && wide.depths.every((d) => pair.has(d))) Object.assign(p, wide);
  }
  const byDepth = new Map<number, { depth: number; forwards: number; ns: number }>();
  let totalNs = 0;
  for (const { opens, depths, step: s } of perStep) {
    depths.forEach((d, k) => {
      const from = model.ops.start[s.ops[opens[k]!]!]!;
      const span = (k + 1 < opens.length ? model.ops.start[s.ops[opens[k + 1]!]!]! : s.end) - from;
      const e = byDepth.get(d) ?? { depth: d, forwards: 0, ns: 0 };
      e.forwards++;
      e.ns += span;
      byDepth.set(d, e);
      totalNs += span;
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
  const depths = opens.map((from, k) => sitesIn(opClass, ops, from, k + 1 < opens.length ? opens[k + 1]! : ops.length));
  return { opens, depths };
}

/**
 * Rhythm steps holding several rounds of two alternating models (the draft's forwards, then the target's
 * verification, twice or more per period of the kernel sequence), split into one step per round: a round
 * ends with the deepest forward, so each cut is at the next forward's embedding lookup after it. The
 * rounds the rhythm leaves out are then taken back (see `edgeRounds`).
 */
export function splitRounds(model: TraceModel, opClass: Uint8Array, r: RhythmResult): RhythmResult {
  const isEmbedding = embeddingNames(model);
  const drafts: RhythmDraft[] = [];
  const sites: number[] = [];
  let split = 0;
  let pair: [number, number] | null = null;
  for (const d of r.drafts) {
    const { opens, depths } = parts(model, opClass, isEmbedding, d.ops);
    const deepest = Math.max(...depths, 0);
    const ends = depths.map((x, k) => (x === deepest ? k : -1)).filter((k) => k >= 0 && k + 1 < depths.length);
    if (!twoModels(depths) || ends.length === 0) {
      drafts.push(d);
      continue;
    }
    pair ??= [Math.min(...depths), deepest];
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
  if (split * 2 < r.drafts.length || !pair) return r;
  sites.sort((a, b) => a - b);
  return { ...r, drafts: edgeRounds(model, opClass, drafts, pair), sitesPerStep: sites[(sites.length - 1) >> 1]! };
}

/**
 * The rhythm keeps the rounds that repeat its period; a generation's first round (the draft's and the
 * target's prompts, then the draft's first proposals) and its last ones (fewer draft tokens as
 * max_new_tokens nears, then a verification alone) run other kernels or fewer sites, and fall before the
 * first rhythm step or after the last. Those ops are cut into rounds the same way, when every forward in
 * them has the depth of one of the two models and each round ends with the target's: otherwise they stay
 * out of the steps, as before. Ops before the first forward (the generation's set-up) are in no round.
 */
function edgeRounds(model: TraceModel, opClass: Uint8Array, drafts: RhythmDraft[], [draft, target]: [number, number]): RhythmDraft[] {
  const opens = embeddingNames(model, true);
  const seqs = deviceSequences(model);
  const out: RhythmDraft[] = [];
  for (const [device, list] of group(drafts, (d) => d.device)) {
    const seq = seqs[device]!;
    const firstOp = list[0]!.ops[0]!;
    const lastD = list[list.length - 1]!;
    const lastOp = lastD.ops[lastD.ops.length - 1]!;
    const head = seq.slice(0, seq.indexOf(firstOp));
    const tail = seq.slice(seq.indexOf(lastOp) + 1);
    out.push(...roundsIn(model, opClass, opens, head, draft, target, 'head'), ...list, ...roundsIn(model, opClass, opens, tail, draft, target, 'tail'));
  }
  return out;
}

/**
 * Rounds in a run of ops outside the rhythm steps: split at forward openings, each part's attention sites
 * its depth; a round is the forwards up to and including a target-depth one. The head's ops before its
 * first forward are left out; the tail's join its first round (they follow the last rhythm step, as the
 * ops between two rounds do). Forwards after the last verification (a round the capture cut) are left out.
 */
function roundsIn(model: TraceModel, opClass: Uint8Array, opens: Uint8Array, seq: number[], draft: number, target: number, edge: 'head' | 'tail'): RhythmDraft[] {
  const ops = Uint32Array.from(seq);
  const { opens: at, depths } = parts(model, opClass, opens, ops);
  if (at.length === 0) return [];
  // A head that starts inside a forward (the capture began mid-forward) has sites before its first opening.
  if (edge === 'head' && sitesIn(opClass, ops, 0, at[0]!) > 0) return [];
  if (!depths.every((d) => d === draft || d === target)) return [];
  const rounds: RhythmDraft[] = [];
  let from = edge === 'head' ? at[0]! : 0;
  let sites = 0;
  let busyEnd = NaN;
  for (let p = 0; p < from; p++) busyEnd = Math.max(Number.isNaN(busyEnd) ? -Infinity : busyEnd, model.ops.end[ops[p]!]!);
  for (let k = 0; k < at.length; k++) {
    sites += depths[k]!;
    if (depths[k] !== target) continue;
    const to = k + 1 < at.length ? at[k + 1]! : ops.length;
    const part = ops.slice(from, to);
    const start = model.ops.start[part[0]!]!;
    rounds.push({ device: model.ops.device[part[0]!]!, ops: part, sites, gapBeforeNs: Number.isNaN(busyEnd) ? NaN : Math.max(0, start - busyEnd) });
    for (const o of part) busyEnd = Math.max(Number.isNaN(busyEnd) ? -Infinity : busyEnd, model.ops.end[o]!);
    from = to;
    sites = 0;
  }
  return rounds;
}

/** Attention sites among ops[from, to). */
function sitesIn(opClass: Uint8Array, ops: Uint32Array, from: number, to: number): number {
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
}

/**
 * Whether a step is whole rounds of the two models (`depths` as subForwards gives them): every forward has
 * one of the depths, it opens at a forward and ends with the deepest one. A round need not have the
 * period's op count (the last rounds of a generation propose fewer tokens), so its size says nothing of a cut.
 */
export function wholeRounds(model: TraceModel, opClass: Uint8Array, ops: Uint32Array, depths: number[]): boolean {
  const { opens, depths: got } = parts(model, opClass, embeddingNames(model, true), ops);
  const deepest = Math.max(...depths);
  return opens.length > 0 && sitesIn(opClass, ops, 0, opens[0]!) === 0 && got.every((d) => depths.includes(d)) && got[got.length - 1] === deepest;
}
