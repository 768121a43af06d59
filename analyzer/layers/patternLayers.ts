/**
 * Layers from the kernels alone (docs/architecture.md §3, TP layer), for steps without layer NVTX ranges: CUDA-graph
 * decode and most production traces.
 *
 * The step's op sequence is cut into units. With TP, a unit ends with a collective: an all-reduce, or a
 * reduce-scatter + all-gather pair (sequence parallelism; collectives with no GEMM or attention kernel
 * between them are one point). The next unit opens at the norm kernel that starts the next block (the
 * residual add before it stays behind, where the model's own layer ranges put it), or right after the
 * collective when no norm comes before the block's first GEMM. Without collectives (TP=1), units open at
 * norm kernels. A layer is then a run of units with an attention kernel (the attention block, with its
 * collective) followed by a run of units without (the MLP block): attention → collective → MLP →
 * collective, or twice each with micro-batches. Units before the first attention are the prologue
 * (embedding, the graph's input copy); units past the shape of the other layers are the epilogue (final
 * norm, LM head, sampling). Only collectives TP places there end a block (all-reduce, reduce-scatter,
 * all-gather); a pattern found fewer than twice is not taken for layers.
 */
import { KERNEL_CLASSES, type LayerSource } from '../contract/vocabulary.js';
import { CLASS_INDEX, COMM } from '../classify/opClasses.js';
import type { LayerCut } from './types.js';

const ATTENTION = CLASS_INDEX.attention;
const OTHER = CLASS_INDEX.other;
const NORM = CLASS_INDEX.norm;
/** Kernels that do a block's real work: a norm after one of these no longer opens the block. */
const HEAVY = new Uint8Array(KERNEL_CLASSES.length);
HEAVY[CLASS_INDEX.gemm] = 1;
HEAVY[CLASS_INDEX.attention] = 1;
HEAVY[CLASS_INDEX.moe] = 1;

export interface Unit {
  /** Positions in the step's op sequence: [start, end). */
  start: number;
  end: number;
  attention: boolean;
}

export type PatternResult = { source: LayerSource; cuts: LayerCut[]; units: Unit[] } | { source: null; reason: string; units: Unit[] };

/** Where a unit opens in the block starting at `from`: its first norm, if one comes before any real work. */
function openingNorm(cls: (p: number) => number, from: number, n: number): number {
  for (let p = from; p < n; p++) {
    const c = cls(p);
    if (c === NORM) return p;
    if (HEAVY[c] || c === COMM) break;
  }
  return from;
}

function collectiveOpenings(cls: (p: number) => number, n: number): number[] {
  const opens = [0, openingNorm(cls, 0, n)];
  let p = 0;
  while (p < n) {
    while (p < n && cls(p) !== COMM) p++;
    if (p >= n) break;
    let last = p;
    for (let q = p + 1; q < n; q++) {
      const c = cls(q);
      if (c === COMM) last = q;
      else if (HEAVY[c]) break;
    }
    if (last + 1 < n) opens.push(openingNorm(cls, last + 1, n));
    p = last + 1;
  }
  return opens;
}

function normOpenings(cls: (p: number) => number, n: number): number[] {
  const opens = [0];
  for (let p = 0; p < n; p++) if (cls(p) === NORM && (p === 0 || cls(p - 1) !== NORM)) opens.push(p);
  return opens;
}

/** The step cut into units; a unit without real work (a lone residual add, a final norm) joins the one before. */
export function stepUnits(seq: ArrayLike<number>, opClass: Uint8Array, tpCollective: (op: number) => boolean): { units: Unit[]; collectives: boolean } {
  const n = seq.length;
  // Only TP collectives end blocks: pipeline send/recv, expert all-to-all and broadcasts are ordinary work.
  const cls = (p: number) => {
    const c = opClass[seq[p]!]!;
    return c === COMM && !tpCollective(seq[p]!) ? OTHER : c;
  };
  let collectives = false;
  for (let p = 0; p < n && !collectives; p++) collectives = cls(p) === COMM;
  const opens = [...new Set(collectives ? collectiveOpenings(cls, n) : normOpenings(cls, n))].sort((a, b) => a - b);
  const units: Unit[] = [];
  for (let i = 0; i < opens.length; i++) {
    const start = opens[i]!;
    const end = i + 1 < opens.length ? opens[i + 1]! : n;
    if (end <= start) continue;
    let attention = false;
    let work = false;
    for (let p = start; p < end; p++) {
      const c = cls(p);
      if (c === ATTENTION) attention = true;
      if (HEAVY[c] || c === COMM) work = true;
    }
    const prev = units[units.length - 1];
    if (!work && prev) {
      prev.end = end;
      continue;
    }
    units.push({ start, end, attention });
  }
  return { units, collectives };
}

/** Whether the attention kernel at p continues the site before it (only non-GEMM kernels between them: cuDNN's SDPA + lean_reduction). */
function runsOn(seq: ArrayLike<number>, opClass: Uint8Array, p: number): boolean {
  for (let q = p - 1; q >= 0; q--) {
    const c = opClass[seq[q]!]!;
    if (c === ATTENTION) return true;
    if (HEAVY[c]) return false;
  }
  return false;
}

export function patternLayers(seq: ArrayLike<number>, opClass: Uint8Array, tpCollective: (op: number) => boolean): PatternResult {
  const { units, collectives } = stepUnits(seq, opClass, tpCollective);
  const n = seq.length;
  if (!units.some((u) => u.attention)) return { source: null, reason: 'no attention kernel in the step', units };
  const spans: { start: number; split: number; end: number }[] = [];
  let u = 0;
  while (u < units.length && !units[u]!.attention) u++;
  while (u < units.length) {
    const start = u;
    while (u < units.length && units[u]!.attention) u++;
    const split = u;
    while (u < units.length && !units[u]!.attention) u++;
    spans.push({ start, split, end: u });
  }
  // The last layer keeps as many MLP units as the others have; what follows is the epilogue.
  if (spans.length >= 2) {
    const mlpUnits = spans.slice(0, -1).map((s) => s.end - s.split).sort((a, b) => a - b);
    const typical = mlpUnits[mlpUnits.length >> 1]!;
    const last = spans[spans.length - 1]!;
    if (last.end - last.split > typical) last.end = last.split + typical;
  }
  // One "layer" spanning the step says nothing: the pattern must repeat to be a layer.
  if (spans.length < 2) {
    // Layers the attention kernels show but nothing marks the end of: eager RMSNorm runs as elementwise
    // kernels, and without collectives (TP=1) no other kernel closes a block. Say so rather than invent cuts.
    let sites = 0;
    for (let p = 0; p < n; p++) if (opClass[seq[p]!] === ATTENTION && (p === 0 || opClass[seq[p - 1]!] !== ATTENTION) && !runsOn(seq, opClass, p)) sites++;
    if (!collectives && sites >= 2) {
      return { source: null, reason: `${sites} attention sites (layers), but no norm kernel or collective marks where a layer ends (eager RMSNorm runs as elementwise kernels): per-layer times are not split`, units };
    }
    return { source: null, reason: 'the kernel pattern does not repeat: fewer than two layers', units };
  }
  const at = (unit: number) => (unit < units.length ? units[unit]!.start : n);
  const cuts = spans.map((s, k) => ({ name: `layer ${k}`, first: at(s.start), split: at(s.split), end: at(s.end) }));
  return { source: collectives ? 'collectives' : 'kernels', cuts, units };
}
