/**
 * Prefill, decode or mixed for steps whose names say nothing (steps from the rhythm): from the kernels.
 *
 * A step's GEMM time grows with the tokens it runs: decode (a token per sequence) is bound by reading the
 * weights, prefill (the prompt) by math, so the steps fall into two groups with a jump between them
 * (x4.6 prefill over decode in the Hugging Face captures). Grid sizes do not tell tokens on Hopper: cuBLAS'
 * nvjet kernels run persistent grids (2x66 CTAs for a 4,096-token prefill and for an 8-token decode in
 * those captures). Attention kernels tell the rest: engines run one variant for prompts and another for
 * decode (cuDNN's flash fprop for the prompt, its split-KV kernel with lean_reduction for decode; FlashInfer
 * BatchPrefill / BatchDecode); a step running variants of both is `mixed`. One varlen attention kernel for
 * both (Hugging Face continuous batching) shows no such split: its steps are called by their GEMM time.
 *
 * GEMM time here counts the expert GEMMs of MoE layers too (class moe, part experts). Still, GEMM time is
 * not tokens: a MoE decode step can read every expert's weights while the prompt ran few tokens per expert,
 * and then the prompt is the lighter step. The structure of a generation settles it: its first forward
 * is the prompt and the many after it decode. So when the light group is the smaller one and each of its
 * steps opens a run (the first step, or one after an idle gap far longer than the others), the light steps
 * are the prefills.
 *
 * A short prompt on a small model may cost no more GEMM time than a decode step (a speculative round: the
 * draft's and the target's prompts beside the draft's proposals). Its GEMMs still run other shapes, so
 * other kernels: cuBLAS picks its tiles by the token count, and decode steps repeat the same ones. A step
 * that opens a run and spends a good part of its GEMM time in kernels only run-opening steps run is a
 * prefill, even without the jump.
 */
import { CLASS_INDEX } from '../classify/opClasses.js';
import type { TraceModel } from '../model/types.js';
import { OpKind } from '../model/types.js';
import type { Phase } from '../contract/vocabulary.js';

const ATTENTION = CLASS_INDEX.attention;
const GEMM = CLASS_INDEX.gemm;
const MOE = CLASS_INDEX.moe;
/** moeParts.ts: part 1 is the expert GEMMs. */
const EXPERTS_PART = 1;
/** Two groups of steps differ in GEMM time by at least this factor before one is called prefill. */
export const PREFILL_JUMP = 1.6;
/** Decode steps' GEMM time varies less than this around their median (weights are read whatever the batch). */
export const DECODE_SPREAD = 1.25;

export interface PhaseInput {
  device: number;
  ops: Uint32Array;
  /** False for a graph replay whose kernels are hidden (treated as decode: engines capture decode). */
  visible: boolean;
  /** False for a forward with fewer or more attention sites than the others: it does not set the groups. */
  complete: boolean;
  /** GPU idle before the step (the cut it starts at), ns; NaN for the first step of a run. */
  gapBeforeNs?: number;
}

/** A run-opening step whose GEMM time is at least this share in GEMM kernels of its own holds a prompt. */
export const PROMPT_KERNEL_SHARE = 0.3;

/** A step that opens a run: the first, or one after an idle gap ≥ 10× the median gap and ≥ 5 ms. */
const RUN_GAP_FACTOR = 10;
const RUN_GAP_MIN_NS = 5e6;

function stepFacts(model: TraceModel, opClass: Uint8Array, ops: Uint32Array, moePart?: Uint8Array) {
  let gemm = 0;
  const variants = new Set<number>();
  const gemmByName = new Map<number, number>();
  for (const o of ops) {
    const c = opClass[o]!;
    if (model.ops.kind[o] === OpKind.graph) continue;
    if (c === GEMM || (c === MOE && moePart?.[o] === EXPERTS_PART)) {
      const ns = model.ops.end[o]! - model.ops.start[o]!;
      gemm += ns;
      gemmByName.set(model.ops.name[o]!, (gemmByName.get(model.ops.name[o]!) ?? 0) + ns);
    } else if (c === ATTENTION) variants.add(model.ops.name[o]!);
  }
  return { gemm, variants, gemmByName };
}

/** Phase of each input (same order), decided per device. */
export function phasesFromKernels(model: TraceModel, opClass: Uint8Array, steps: PhaseInput[], moePart?: Uint8Array): Phase[] {
  const out: Phase[] = steps.map((s) => (s.visible ? 'step' : 'decode'));
  const byDevice = new Map<number, number[]>();
  steps.forEach((s, i) => {
    if (!s.visible) return;
    let l = byDevice.get(s.device);
    if (!l) byDevice.set(s.device, (l = []));
    l.push(i);
  });
  for (const idx of byDevice.values()) {
    const facts = idx.map((i) => stepFacts(model, opClass, steps[i]!.ops, moePart));
    const sorted = facts.filter((_, k) => steps[idx[k]!]!.complete).map((f) => f.gemm).filter((g) => g > 0).sort((a, b) => a - b);
    let threshold = Infinity;
    let jump = 1;
    for (let k = 0; k + 1 < sorted.length; k++) {
      const r = sorted[k + 1]! / sorted[k]!;
      if (r > jump) [jump, threshold] = [r, Math.sqrt(sorted[k]! * sorted[k + 1]!)];
    }
    const hasReplays = steps.some((s) => !s.visible && s.device === steps[idx[0]!]!.device);
    const gaps = idx.map((i) => steps[i]!.gapBeforeNs ?? NaN).filter((g) => Number.isFinite(g)).sort((a, b) => a - b);
    const medianGap = gaps[(gaps.length - 1) >> 1] ?? 0;
    const opensRun = (k: number) => {
      const g = steps[idx[k]!]!.gapBeforeNs;
      return k === 0 || g === undefined || Number.isNaN(g) || (g >= RUN_GAP_FACTOR * medianGap && g >= RUN_GAP_MIN_NS);
    };
    if (jump < PREFILL_JUMP) {
      // One group. Beside decode replays, eager forwards are the prompts; otherwise a forward that repeats
      // is decode (unless it opens a run with GEMM kernels of its own), and a lone step says nothing.
      const label: Phase = hasReplays ? 'prefill' : idx.length >= 3 ? 'decode' : 'step';
      const prompts = label === 'decode' ? promptsByKernels(facts, opensRun) : new Set<number>();
      idx.forEach((i, k) => (out[i] = prompts.has(k) ? 'prefill' : label));
      continue;
    }
    // Below the jump is decode; a step within the jump but clearly above the decode steps' GEMM time runs
    // some prompt tokens too (a continuous-batching step finishing a prompt's last chunk).
    const low = facts.filter((f, k) => steps[idx[k]!]!.complete && f.gemm < threshold).map((f) => f.gemm).sort((a, b) => a - b);
    const decodeGemm = low[(low.length - 1) >> 1] ?? 0;
    let heavy = facts.map((f) => f.gemm >= threshold || f.gemm > DECODE_SPREAD * decodeGemm);
    // The first forward of a generation is its prompt: a light minority that opens runs is the prefill.
    const light = facts.map((_, k) => k).filter((k) => !heavy[k] && steps[idx[k]!]!.complete);
    const heavyCount = heavy.filter((h, k) => h && steps[idx[k]!]!.complete).length;
    if (!hasReplays && light.length > 0 && heavyCount >= 4 && heavyCount >= 3 * light.length && light.every(opensRun)) heavy = facts.map((_, k) => !heavy[k]!);
    const decodeVariants = new Set<number>();
    facts.forEach((f, k) => {
      if (!heavy[k]) f.variants.forEach((v) => decodeVariants.add(v));
    });
    // A variant decode steps run is a decode kernel; one only the heavy steps run is a prompt kernel. A
    // heavy step running both kinds holds prompt and decode tokens: mixed.
    const promptKernel = (v: number) => !decodeVariants.has(v);
    const decodeKernel = (v: number) => decodeVariants.has(v);
    facts.forEach((f, k) => {
      const vs = [...f.variants];
      if (!heavy[k]) out[idx[k]!] = 'decode';
      else out[idx[k]!] = vs.some(decodeKernel) && vs.some(promptKernel) ? 'mixed' : 'prefill';
    });
  }
  return out;
}

/**
 * Run-opening steps (positions in `facts`) that spend PROMPT_KERNEL_SHARE of their GEMM time or more in
 * GEMM kernels no other step runs, other run openers aside (each generation's prompt runs the same ones).
 */
function promptsByKernels(facts: { gemm: number; gemmByName: Map<number, number> }[], opensRun: (k: number) => boolean): Set<number> {
  const openers = facts.map((_, k) => opensRun(k));
  // Not when every step opens a run: then nothing repeats to compare with.
  if (openers.every(Boolean)) return new Set();
  const elsewhere = new Set<number>();
  facts.forEach((f, k) => {
    if (!openers[k]) for (const n of f.gemmByName.keys()) elsewhere.add(n);
  });
  const out = new Set<number>();
  facts.forEach((f, k) => {
    if (!openers[k] || f.gemm <= 0) return;
    let own = 0;
    for (const [n, ns] of f.gemmByName) if (!elsewhere.has(n)) own += ns;
    if (own >= PROMPT_KERNEL_SHARE * f.gemm) out.add(k);
  });
  return out;
}
