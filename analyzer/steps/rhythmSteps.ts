/**
 * Steps from the work itself, for traces without step ranges: a forward pass is a repeating sequence of
 * kernels. Its layers show as attention sites (runs of attention kernels with no GEMM between them: cuDNN's
 * SDPA + lean_reduction, FlashAttention's split-KV + combine are one site), and the kernels between two
 * sites repeat: within a forward they are one layer's tail and the next one's head, at a forward boundary
 * they also hold the epilogue (final norm, LM head, sampling) and the next prologue (embedding, rotary).
 *
 * 1. Each gap between consecutive sites gets a signature (the names of its kernels, in order).
 * 2. The period P (sites per forward) is the smallest lag at which the gaps that are not the commonest
 *    signature repeat: with identical layers only the boundaries differ, and they recur every P sites;
 *    with per-layer kernels (Inductor names them per position) every position recurs every P sites.
 * 3. Boundaries are the gaps at the column (position mod P) holding the most kernels, plus gaps of a rare
 *    signature at least that long (continuous batching varies its sampling work step by step).
 * 4. The sites between two boundaries are a forward (graph replays outside them are forwards of their own).
 * 5. A boundary is cut at its longest GPU idle stretch, away from the layer parts of the gap (a host-side
 *    attention plan built before the first layer's attention would otherwise be taken for the step end).
 * 6. A step runs from cut to cut: the forward and its sampling, as the engine's host loop sees it.
 * CUDA graph replays traced at graph level (no kernels inside) are a forward each when no attention site
 * sits between them; eager work between replays and an eager prefill beside them join the steps.
 */
import { CLASS_INDEX } from '../classify/opClasses.js';
import type { TraceModel } from '../model/types.js';
import { OpKind } from '../model/types.js';
import { lowerMedian } from '../util/stats.js';

const ATTENTION = CLASS_INDEX.attention;
const GEMM = CLASS_INDEX.gemm;
const MOE = CLASS_INDEX.moe;
/** The signature token of a whole MoE block (names are indices >= 0). */
const MOE_TOKEN = -1;

export interface RhythmDraft {
  device: number;
  /** Ops of the step, in start order. */
  ops: Uint32Array;
  /** Attention sites in the step (0 for a replay whose kernels are hidden). */
  sites: number;
  /** GPU idle before the step's first op (the cut it starts at), ns; NaN for the first step of a run. */
  gapBeforeNs: number;
}

export interface RhythmResult {
  drafts: RhythmDraft[];
  sitesPerStep: number;
  regularity: number;
  /** Number of forwards cut from attention sites, and of graph replays taken as forwards. */
  siteForwards: number;
  replayForwards: number;
}

/** A run of attention kernels with no GEMM between them: positions [start, end) in the device's sequence. */
export interface Site { start: number; end: number }
/** The ops between two sites, positions [from, to), with their signature id and size. */
export interface Gap { from: number; to: number; sig: number; count: number }
/** A forward: positions [first, last] of the sequence, its sites, or a graph replay (whose kernels are hidden). */
export interface Unit { first: number; last: number; sites: number; replay: boolean }

export function deviceSequences(model: TraceModel): number[][] {
  const seqs: number[][] = model.devices.map(() => []);
  for (let i = 0; i < model.ops.n; i++) seqs[model.ops.device[i]!]!.push(i);
  return seqs;
}

export function findSites(seq: number[], opClass: Uint8Array, kind: ArrayLike<number>): Site[] {
  const sites: Site[] = [];
  let open: Site | null = null;
  for (let p = 0; p < seq.length; p++) {
    const c = opClass[seq[p]!]!;
    if (c === ATTENTION) {
      if (open) open.end = p + 1;
      else sites.push((open = { start: p, end: p + 1 }));
    } else if (c === GEMM || c === MOE || kind[seq[p]!] === OpKind.graph) open = null;
  }
  return sites;
}

function commonPrefix(a: readonly number[], b: readonly number[]): number {
  let k = 0;
  while (k < a.length && k < b.length && a[k] === b[k]) k++;
  return k;
}

function commonSuffix(a: readonly number[], b: readonly number[]): number {
  let k = 0;
  while (k < a.length && k < b.length && a[a.length - 1 - k] === b[b.length - 1 - k]) k++;
  return k;
}

/** Smallest lag at which the gaps of uncommon signature repeat; 1 when every gap looks alike. */
export function period(sigs: number[]): { p: number; score: number } {
  const n = sigs.length;
  const freq = new Map<number, number>();
  for (const s of sigs) freq.set(s, (freq.get(s) ?? 0) + 1);
  let mode = -1;
  let best = -1;
  for (const [s, c] of freq) if (c > best) [mode, best] = [s, c];
  // Gaps that are neither the commonest signature nor part of a run of one signature (a run is one
  // forward's layers, the prefill's say): boundaries, or Inductor's per-layer kernels.
  const odd: number[] = [];
  for (let k = 0; k < n; k++) if (sigs[k] !== mode && sigs[k] !== sigs[k - 1] && sigs[k] !== sigs[k + 1]) odd.push(k);
  if (odd.length === 0) return { p: 1, score: 1 };
  const maxP = Math.max(1, Math.min(512, Math.floor(n / 2)));
  const g: number[] = [0];
  let top = 0;
  for (let p = 1; p <= maxP; p++) {
    let hit = 0;
    let tried = 0;
    for (const k of odd) {
      if (k + p >= n) break;
      tried++;
      if (sigs[k + p] === sigs[k]) hit++;
    }
    g[p] = tried ? hit / tried : 0;
    top = Math.max(top, g[p]!);
  }
  if (top >= 0.5) for (let p = 1; p <= maxP; p++) if (g[p]! >= 0.9 * top) return { p, score: top };
  // Uncommon gaps that never repeat (every boundary different): their typical spacing is the period.
  const dist = new Map<number, number>();
  for (let i = 1; i < odd.length; i++) dist.set(odd[i]! - odd[i - 1]!, (dist.get(odd[i]! - odd[i - 1]!) ?? 0) + 1);
  let p = 1;
  let c = 0;
  for (const [d, m] of dist) if (m > c || (m === c && d < p)) [p, c] = [d, m];
  return { p, score: odd.length > 1 ? c / (odd.length - 1) : 0 };
}

/** Idle time before each position of the sequence: its start minus the latest end before it. */
export function idleBefore(model: TraceModel, seq: number[]): Float64Array {
  const out = new Float64Array(seq.length);
  let busy = -Infinity;
  for (let p = 0; p < seq.length; p++) {
    const o = seq[p]!;
    out[p] = Number.isFinite(busy) ? Math.max(0, model.ops.start[o]! - busy) : 0;
    busy = Math.max(busy, model.ops.end[o]!);
  }
  return out;
}

/** Position in [lo, hi] with the most idle before it (ties: the later one, nearer the next forward). */
export function longestIdle(idle: Float64Array, lo: number, hi: number): number {
  let at = lo;
  for (let p = lo; p <= hi; p++) if (idle[p]! >= idle[at]!) at = p;
  return at;
}

/** Kernel names of seq[from, to), in order: what a gap's signature is made of. */
export type Tokens = (from: number, to: number) => number[];

/**
 * The tokens of a device's sequence: each op's name, except that a MoE block is one token: its expert loop
 * launches kernels only for the experts that got tokens, so its length changes from step to step while the
 * layer around it repeats.
 */
export function tokenizer(names: ArrayLike<number>, seq: readonly number[], opClass: Uint8Array): Tokens {
  return (from, to) => {
    const t: number[] = [];
    for (let p = from; p < to; p++) {
      if (opClass[seq[p]!] === MOE) {
        if (t[t.length - 1] !== MOE_TOKEN) t.push(MOE_TOKEN);
      } else t.push(names[seq[p]!]!);
    }
    return t;
  };
}

export interface Signatures {
  /** The gaps between consecutive sites, each with its signature id and size in tokens (or ops, when too long to read). */
  gaps: Gap[];
  /** Per signature id, its tokens. */
  tokens: number[][];
  /** Per signature id, how many gaps have it. */
  count: Map<number, number>;
}

/** Stage 1: the signature of each gap between consecutive sites (a gap of over 8192 ops is known by its length). */
export function gapSignatures(sites: readonly Site[], tokens: Tokens): Signatures {
  const sigIds = new Map<string, number>();
  const sigTokens: number[][] = [];
  const gaps: Gap[] = [];
  for (let k = 0; k + 1 < sites.length; k++) {
    const from = sites[k]!.end;
    const to = sites[k + 1]!.start;
    const t = to - from <= 8192 ? tokens(from, to) : [];
    const key = t.length || to === from ? t.join(',') : `long:${to - from}`;
    let id = sigIds.get(key);
    if (id === undefined) {
      sigIds.set(key, (id = sigTokens.length));
      sigTokens.push(t);
    }
    gaps.push({ from, to, sig: id, count: t.length || to === from ? t.length : to - from });
  }
  const count = new Map<number, number>();
  for (const g of gaps) count.set(g.sig, (count.get(g.sig) ?? 0) + 1);
  return { gaps, tokens: sigTokens, count };
}

/** Per site, the graph launch (correlation id) its first kernel was replayed by, or -1 for an eager site. */
export function siteLaunches(model: TraceModel, seq: readonly number[], sites: readonly Site[]): number[] {
  const { ops } = model;
  return sites.map((t) => {
    const o = seq[t.start]!;
    return ops.fromGraph[o] === 1 ? ops.correlation[o]! : -1;
  });
}

/** Where forwards end: P sites per forward, and per gap 1 for a forward boundary. */
export interface Boundaries {
  P: number;
  boundary: Uint8Array;
}

/**
 * Stage 3, with a period P > 1: the boundary column holds the most kernels, since the epilogue and prologue
 * come on top of a layer's (the median per column, so that one set-up stretch between passes does not
 * decide it); the boundaries are that column's signatures, plus gaps of a rare signature at least as long.
 */
export function columnBoundaries(sg: Signatures, P: number): Uint8Array {
  const { gaps, count: sigCount } = sg;
  const boundary = new Uint8Array(gaps.length);
  const cols: number[][] = Array.from({ length: P }, () => []);
  gaps.forEach((g, k) => cols[k % P]!.push(g.count));
  const colMedian = cols.map((c) => lowerMedian(c));
  let j = 0;
  for (let c = 1; c < P; c++) if (colMedian[c]! > colMedian[j]!) j = c;
  const home = new Map<number, number>();
  gaps.forEach((g, k) => {
    if (k % P === j) home.set(g.sig, (home.get(g.sig) ?? 0) + 1);
  });
  const boundarySig = new Set<number>();
  for (const [s, c] of home) if (c >= 0.5 * sigCount.get(s)!) boundarySig.add(s);
  let minCount = Infinity;
  gaps.forEach((g) => {
    if (boundarySig.has(g.sig)) minCount = Math.min(minCount, g.count);
  });
  gaps.forEach((g, k) => {
    if (boundarySig.has(g.sig) || (sigCount.get(g.sig)! <= 2 && g.count >= minCount)) boundary[k] = 1;
  });
  return boundary;
}

/**
 * Stage 3 when every gap looks alike by signature, or too few repeat to tell: boundaries from structure. A
 * boundary holds a layer's kernels plus the epilogue and prologue, so it is larger than the gaps around it
 * (prefill and decode layers differ in size); or it sits where the layer signature changes (a prefill's
 * layers, then a decode's); or between two CUDA graph launches that each hold sites (full-graph decode
 * replays one forward per launch). Null when the runs between such boundaries show no regular length.
 */
export function structuralBoundaries(gaps: readonly Gap[], launch: readonly number[]): Boundaries | null {
  const heavy = gaps.map((g, k) => {
    if (launch[k]! >= 0 && launch[k + 1]! >= 0 && launch[k] !== launch[k + 1]) return true;
    const near: number[] = [];
    for (let q = Math.max(0, k - 4); q <= Math.min(gaps.length - 1, k + 4); q++) if (q !== k) near.push(gaps[q]!.count);
    near.sort((a, b) => a - b);
    const local = near[near.length >> 1] ?? 0;
    const before = gaps[k - 1]?.sig;
    const after = gaps[k + 1]?.sig;
    // Between two runs of repeated signatures (not Inductor's per-layer names, which all differ).
    const change = before !== undefined && after !== undefined && before !== after && g.sig !== before && g.sig !== after &&
      gaps[k - 2]?.sig === before && gaps[k + 2]?.sig === after;
    return (g.count >= 1.5 * local && g.count >= local + 4) || change;
  });
  const runs: number[] = [];
  let run = 1;
  heavy.forEach((h) => {
    if (h) {
      runs.push(run);
      run = 1;
    } else run++;
  });
  runs.push(run);
  const freq = new Map<number, number>();
  for (const r of runs) freq.set(r, (freq.get(r) ?? 0) + 1);
  let q = 1;
  let c = 0;
  for (const [r, m] of freq) if (m > c) [q, c] = [r, m];
  const unit = Math.min(...runs);
  const multiples = unit >= 2 && runs.every((r) => r % unit === 0);
  if (runs.length >= 2 && ((q > 1 && c / runs.length >= 0.6) || multiples)) {
    return { P: multiples ? unit : q, boundary: Uint8Array.from(heavy, (h) => (h ? 1 : 0)) };
  }
  // Nothing tells one forward from the next (a model with no kernels between its forwards, or no
  // regular structure): the kernels show no rhythm to cut at, and steps must come from elsewhere.
  return null;
}

/** Stages 2 and 3: the period of the gaps' signatures, then the boundaries; null when no rhythm shows. */
export function findBoundaries(sg: Signatures, launch: readonly number[]): Boundaries | null {
  const { gaps } = sg;
  if (gaps.length >= 2) {
    const P = period(gaps.map((g) => g.sig)).p;
    return P > 1 ? { P, boundary: columnBoundaries(sg, P) } : structuralBoundaries(gaps, launch);
  }
  const boundary = new Uint8Array(gaps.length);
  if (gaps.length === 1) boundary[0] = 1;
  return { P: 1, boundary };
}

/** What a gap inside a forward looks like, to keep the cuts out of the layer parts. */
export interface LayerShape {
  /** The (at most 4) commonest signatures of gaps that are no boundary, commonest first. */
  sigs: number[][];
  /** The median size of those gaps (0 when there are none). */
  length: number;
}

export function layerShape(sg: Signatures, boundary: Uint8Array): LayerShape {
  const inLayer = new Set<number>();
  sg.gaps.forEach((g, k) => {
    if (!boundary[k]) inLayer.add(g.sig);
  });
  const sigs = [...sg.count.entries()]
    .filter(([s]) => inLayer.has(s))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([s]) => sg.tokens[s]!);
  return { sigs, length: lowerMedian(sg.gaps.filter((_, k) => !boundary[k]).map((g) => g.count)) || 0 };
}

export interface SiteForwards {
  /** One per forward, in order. */
  units: Unit[];
  /** P, made the smaller run length when runs are whole multiples of it. */
  P: number;
  /** Forwards found by splitting a run that held several (their boundaries looked like layer gaps). */
  inferred: number;
}

/**
 * Stage 4: forwards from the sites, a run of sites between boundaries each. One model, one layer count: a
 * run holding a whole multiple of the smallest run is that many forwards whose boundaries look like layer
 * gaps (a model without embedding or sampling kernels between them).
 */
export function siteForwards(sites: readonly Site[], b: Boundaries): SiteForwards {
  const { boundary } = b;
  let P = b.P;
  const units: Unit[] = [];
  let inferred = 0;
  if (sites.length) {
    const runs: [number, number][] = [];
    let first = 0;
    for (let k = 0; k <= boundary.length; k++) {
      if (k === boundary.length || boundary[k]) {
        runs.push([first, k]);
        first = k + 1;
      }
    }
    const lengths = runs.map(([a, b]) => b - a + 1);
    const unit = Math.min(...lengths);
    if (unit >= 2 && lengths.some((l) => l > unit) && lengths.every((l) => l % unit === 0)) {
      const split: [number, number][] = [];
      for (const [a, b] of runs) {
        for (let x = a; x <= b; x += unit) split.push([x, x + unit - 1]);
        inferred += (b - a + 1) / unit - 1;
      }
      runs.splice(0, runs.length, ...split);
      P = unit;
    }
    for (const [a, b] of runs) units.push({ first: sites[a]!.start, last: sites[b]!.end - 1, sites: b - a + 1, replay: false });
  }
  return { units, P, inferred };
}

/**
 * Stage 4, graph replays: site forwards with each graph replay outside them as a forward of its own, in
 * order. Graph launches mostly inside site forwards are pieces of them (piecewise graphs between eager
 * attention, traced at graph level), not forwards: then the ones outside join the forward at the cut.
 */
export function withReplays(siteUnits: readonly Unit[], seq: readonly number[], kind: ArrayLike<number>): Unit[] {
  const units = [...siteUnits];
  // Site forwards are in order and disjoint: one pointer walks them alongside the sequence.
  let at = 0;
  let inside = 0;
  const outside: number[] = [];
  for (let p = 0; p < seq.length; p++) {
    if (kind[seq[p]!] !== OpKind.graph) continue;
    while (at < siteUnits.length && siteUnits[at]!.last < p) at++;
    if (at < siteUnits.length && siteUnits[at]!.first <= p) inside++;
    else outside.push(p);
  }
  if (inside < outside.length) for (const p of outside) units.push({ first: p, last: p, sites: 0, replay: true });
  return units.sort((a, b) => a.first - b.first);
}

/** Stage 4, the ends: a forward cut short by the capture's start or end (fewer sites than P) is not a step. */
export function dropPartial(all: readonly Unit[], P: number): { units: Unit[]; partial: number } {
  const units = [...all];
  let partial = 0;
  while (P > 1 && units.length && !units[0]!.replay && units[0]!.sites < P) {
    units.shift();
    partial++;
  }
  while (P > 1 && units.length && !units[units.length - 1]!.replay && units[units.length - 1]!.sites < P) {
    units.pop();
    partial++;
  }
  return { units, partial };
}

/** Where the steps between consecutive forwards are cut. */
export interface Cuts {
  /** Per pair of consecutive forwards, the position the later step starts at; -1 at a break. */
  cuts: number[];
  /** Per pair, whether a stretch far longer than the usual boundary separates them (set-up, compile, another pass). */
  breakAt: boolean[];
  /** Typical ops of a step after its last site and before its first one (at least 1). */
  tailLen: number;
  headLen: number;
}

interface Region { lo: number; hi: number; pre: number; suf: number; key: string }

/**
 * Stage 5: each boundary is cut at its longest GPU idle stretch, away from the layer parts of the gap.
 * Boundaries that run the same kernels are cut at the same place: where the GPU idles longest in the
 * median over them (one slow host call in one step does not move that step's cut).
 */
export function cutBoundaries(units: readonly Unit[], idle: Float64Array, layerSigs: readonly number[][], tokens: Tokens): Cuts {
  // Where each boundary may be cut: [lo + pre, hi - suf], keeping out of the layer parts of the gap.
  const regionOf = (u: Unit, v: Unit): Region => {
    const lo = u.last + 1;
    const hi = v.first; // cutting before v.first starts v at its own first op
    let pre = 0;
    let suf = 0;
    const t = hi > lo && hi - lo <= 8192 ? tokens(lo, hi) : [];
    if (!u.replay && !v.replay && layerSigs.length && t.length) {
      for (const l of layerSigs) {
        pre = Math.max(pre, commonPrefix(t, l));
        suf = Math.max(suf, commonSuffix(t, l));
      }
      if (pre + suf >= t.length) [pre, suf] = [0, 0];
    }
    return { lo, hi, pre, suf, key: `${u.replay ? 'r' : 's'}${v.replay ? 'r' : 's'}:${t.join(',')}` };
  };
  // Typical boundary: how many ops a step has after its last site and before its first one.
  const between: { tail: number; head: number; length: number }[] = [];
  const cuts: number[] = [];
  const breakAt: boolean[] = [];
  const lengths = units.slice(1).map((v, i) => v.first - units[i]!.last - 1);
  const typicalLength = lowerMedian(lengths.filter((l) => l >= 0));
  const regions: (Region | null)[] = [];
  for (let i = 0; i + 1 < units.length; i++) {
    const length = units[i + 1]!.first - units[i]!.last - 1;
    // A stretch far longer than the usual boundary is set-up, compile or another pass: not part of a step.
    const isBreak = length > 4 * Math.max(typicalLength, 4) + 16;
    breakAt.push(isBreak);
    regions.push(isBreak ? null : regionOf(units[i]!, units[i + 1]!));
  }
  const groups = new Map<string, number[]>();
  regions.forEach((r, i) => {
    if (!r || r.hi <= r.lo) return;
    let g = groups.get(r.key);
    if (!g) groups.set(r.key, (g = []));
    g.push(i);
  });
  for (const g of groups.values()) {
    const r0 = regions[g[0]!]!;
    let best = r0.lo + r0.pre;
    if (g.length === 1) best = longestIdle(idle, r0.lo + r0.pre, r0.hi - r0.suf) - r0.lo;
    else {
      let bestIdle = -1;
      for (let off = r0.pre; off <= r0.hi - r0.lo - r0.suf; off++) {
        const m = lowerMedian(g.map((i) => idle[regions[i]!.lo + off] ?? 0));
        if (m >= bestIdle) [bestIdle, best] = [m, off];
      }
    }
    for (const i of g) cuts[i] = regions[i]!.lo + best;
  }
  regions.forEach((r, i) => {
    if (!r) cuts[i] = -1;
    else if (r.hi <= r.lo) cuts[i] = r.hi;
    else between.push({ tail: cuts[i]! - r.lo, head: r.hi - cuts[i]!, length: r.hi - r.lo });
  });
  return {
    cuts, breakAt,
    tailLen: Math.max(1, lowerMedian(between.map((b) => b.tail)) || 0),
    headLen: Math.max(1, lowerMedian(between.map((b) => b.head)) || 0),
  };
}

/**
 * Stage 6: the steps, one per forward, from cut to cut. A forward with no cut before it (the first of a
 * run) takes its prologue, up to twice the usual one, from the longest idle stretch; one with no cut after
 * it, its epilogue likewise.
 */
export function stepDrafts(
  units: readonly Unit[], c: Cuts, idle: Float64Array, layer: LayerShape, tokens: Tokens, seq: readonly number[], device: number,
): RhythmDraft[] {
  const { cuts, breakAt, tailLen, headLen } = c;
  const layerSigs = layer.sigs;
  const drafts: RhythmDraft[] = [];
  let prevEnd = -1;
  for (let i = 0; i < units.length; i++) {
    const u = units[i]!;
    let start: number;
    let gapBefore = NaN;
    if (i > 0 && !breakAt[i - 1]) {
      start = cuts[i - 1]!;
      gapBefore = idle[start]!;
    } else {
      // The first forward of a run: its prologue, up to twice the usual one, from the longest idle stretch.
      const reach = Math.max(2 * headLen, layer.length, 4);
      const lo = Math.max(prevEnd + 1, u.first - reach);
      let suf = 0;
      if (!u.replay && layerSigs.length && u.first > lo) {
        const t = tokens(lo, u.first);
        for (const l of layerSigs) suf = Math.max(suf, commonSuffix(t, l));
        if (suf >= t.length) suf = 0;
      }
      start = u.first > lo ? longestIdle(idle, lo, u.first - suf) : u.first;
    }
    let end: number;
    if (i + 1 < units.length && !breakAt[i]) {
      end = cuts[i]! - 1;
    } else {
      // The last forward of a run: its epilogue, up to twice the usual one, to the longest idle stretch.
      const limit = i + 1 < units.length ? units[i + 1]!.first - 1 : seq.length - 1;
      const reach = Math.max(2 * tailLen, 4);
      const hi = Math.min(limit, u.last + reach);
      if (hi <= u.last) end = u.last;
      else if (i + 1 === units.length && limit - u.last <= 1.5 * tailLen) end = limit;
      else {
        let pre = 0;
        if (!u.replay && layerSigs.length) {
          const t = tokens(u.last + 1, hi + 1);
          for (const l of layerSigs) pre = Math.max(pre, commonPrefix(t, l));
          if (pre >= t.length) pre = 0;
        }
        end = longestIdle(idle, u.last + 1 + pre, hi) - 1;
        if (idle[end + 1]! === 0 && hi === limit) end = limit;
      }
    }
    start = Math.max(start, prevEnd + 1);
    prevEnd = end;
    const list = new Uint32Array(end - start + 1);
    for (let p = start; p <= end; p++) list[p - start] = seq[p]!;
    drafts.push({ device, ops: list, sites: u.sites, gapBeforeNs: gapBefore });
  }
  return drafts;
}

/** One device's forwards: sites → signatures → period and boundaries → forwards → cuts → steps. */
function deviceRhythm(model: TraceModel, seq: number[], opClass: Uint8Array, device: number) {
  const sites = findSites(seq, opClass, model.ops.kind);
  const tokens = tokenizer(model.ops.name, seq, opClass);
  const sg = gapSignatures(sites, tokens);
  const bounds = findBoundaries(sg, siteLaunches(model, seq, sites));
  if (!bounds) return null;
  const layer = layerShape(sg, bounds.boundary);
  const found = siteForwards(sites, bounds);
  const { P, inferred } = found;
  const siteRuns = found.units.map((u) => u.sites);
  const { units, partial } = dropPartial(withReplays(found.units, seq, model.ops.kind), P);
  if (units.length === 0) return null;
  const idle = idleBefore(model, seq);
  const cuts = cutBoundaries(units, idle, layer.sigs, tokens);
  return {
    drafts: stepDrafts(units, cuts, idle, layer, tokens, seq, device),
    P,
    regular: siteRuns.filter((r) => r === P).length - inferred,
    siteForwards: siteRuns.length - partial,
    replayForwards: units.filter((u) => u.replay).length,
  };
}

/** Forwards of every device; null when no device shows a rhythm (no attention kernels, no graph replays). */
export function rhythmSteps(model: TraceModel, opClass: Uint8Array): RhythmResult | null {
  const seqs = deviceSequences(model);
  const drafts: RhythmDraft[] = [];
  const Ps: number[] = [];
  let regular = 0;
  let siteForwards = 0;
  let replayForwards = 0;
  seqs.forEach((seq, d) => {
    if (seq.length === 0) return;
    const r = deviceRhythm(model, seq, opClass, d);
    if (!r) return;
    drafts.push(...r.drafts);
    if (r.siteForwards) Ps.push(r.P);
    regular += r.regular;
    siteForwards += r.siteForwards;
    replayForwards += r.replayForwards;
  });
  if (drafts.length === 0) return null;
  return {
    drafts,
    sitesPerStep: Ps.length ? lowerMedian(Ps) : 0,
    regularity: siteForwards ? regular / siteForwards : 1,
    siteForwards,
    replayForwards,
  };
}
