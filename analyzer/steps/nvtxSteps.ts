/**
 * Steps from NVTX ranges: auto-detected from repeated, phase-named ranges (`prefill`, `decode 12`,
 * `step 3`), or picked by the user's regular expression. Every matching range is a step, a warm-up pass
 * included: outliers are reported later, never dropped here.
 */
import type { TraceModel } from '../model/types.js';
import type { Phase } from '../contract/vocabulary.js';

/** Domains of libraries, whose ranges describe calls into the library, never model steps. */
export const LIBRARY_DOMAINS = /^(nccl|mpi|ucx|ucc|nvshmem|cudnn|cublas|cupti|cuda|nvtx|omp|openmp)$/i;

const PREFILL = /prefill|prompt|context[ _-]?phase|(^|[^a-z])extend([^a-z]|$)/i;
const DECODE = /decode|generation|generate/i;
/** Names of a whole model iteration: `step 3`, `iteration 12`, `forward`, `execute_model`, `model_forward`. */
const STEP = /^(\w+[ _])?(step|iteration|iter|forward|execute_model|model_forward|forward_batch)([ _:#]*\d*)$/i;
/** Operator-level ranges (PyTorch autograd `aten::mm, op_id = 3`, C++ scopes): never a step. */
const OPERATOR = /::|op_id\s*=|seq\s*=/;

export function phaseOf(name: string): Phase | null {
  if (DECODE.test(name)) return 'decode';
  if (PREFILL.test(name)) return 'prefill';
  return null;
}

/** `decode 12` → `decode N`: ranges that differ only by numbers are one kind of range. */
export function rangeKind(name: string): string {
  return name.trim().replace(/\d+/g, 'N');
}

export interface StepRange {
  nvtx: number;
  name: string;
  phase: Phase;
  thread: number;
  start: number;
  end: number;
  /** The range reached into the next one on its thread and was cut where that one starts (exclusive end). */
  cut?: boolean;
}

/** Ranges on one thread that overlap without one holding the other: how many, and the deepest overlap. */
export interface RangeOverlap {
  count: number;
  maxNs: number;
}

/**
 * Outermost ranges among the candidates, per thread: a `decode` range inside a `step` range is part of
 * that step, not a second step. The outer range takes its phase from the inner ones when it has none.
 * A range that starts inside the previous one but ends after it (each `decode N` closed a little after
 * `decode N+1` opened) is not inside it: the earlier range is cut where the later starts, so an op
 * launched in the overlap counts once, in the step that had begun, and `overlap` says it happened.
 */
function outermost(model: TraceModel, cand: number[], overlap: RangeOverlap = { count: 0, maxNs: 0 }): StepRange[] {
  const { nvtx } = model;
  const byThread = new Map<number, number[]>();
  for (const i of cand) {
    const t = nvtx.thread[i]!;
    let l = byThread.get(t);
    if (!l) byThread.set(t, (l = []));
    l.push(i);
  }
  const out: StepRange[] = [];
  for (const [thread, list] of byThread) {
    list.sort((a, b) => nvtx.start[a]! - nvtx.start[b]! || nvtx.end[b]! - nvtx.end[a]!);
    let outer: StepRange | null = null;
    const innerPhases = new Map<StepRange, Set<Phase>>();
    for (const i of list) {
      const s = nvtx.start[i]!;
      const e = nvtx.end[i]!;
      const name = nvtx.texts[nvtx.text[i]!]!;
      if (outer && s >= outer.start && e <= outer.end) {
        const p = phaseOf(name);
        if (p) innerPhases.get(outer)!.add(p);
        continue;
      }
      if (outer && s < outer.end) {
        overlap.count++;
        overlap.maxNs = Math.max(overlap.maxNs, outer.end - s);
        outer.end = s;
        outer.cut = true;
      }
      outer = { nvtx: i, name, phase: phaseOf(name) ?? 'step', thread, start: s, end: e };
      innerPhases.set(outer, new Set());
      out.push(outer);
    }
    for (const [r, phases] of innerPhases) if (r.phase === 'step' && phases.size === 1) r.phase = [...phases][0]!;
  }
  return out.sort((a, b) => a.start - b.start);
}

function usable(model: TraceModel, i: number): boolean {
  const { nvtx } = model;
  return Number.isFinite(nvtx.end[i]!) && nvtx.end[i]! >= nvtx.start[i]!;
}

/** Ranges whose text matches `pattern` (any domain); `overlap` counts those cut at the next (see outermost). */
export function rangesMatching(model: TraceModel, pattern: RegExp, overlap?: RangeOverlap): StepRange[] {
  const { nvtx } = model;
  const hit = nvtx.texts.map((t) => pattern.test(t));
  const cand: number[] = [];
  for (let i = 0; i < nvtx.n; i++) if (hit[nvtx.text[i]!] && usable(model, i)) cand.push(i);
  return outermost(model, cand, overlap);
}

/**
 * Auto-detection: ranges of the application's own domains whose name says prefill, decode or step and
 * that occur more than once in the trace (per kind, numbers ignored) or carry a phase name.
 */
export function autoStepRanges(model: TraceModel): { ranges: StepRange[]; kinds: string[]; overlap: RangeOverlap } {
  const { nvtx } = model;
  const libDomain = nvtx.domains.map((d) => LIBRARY_DOMAINS.test(d));
  const textOk = nvtx.texts.map((t) => !OPERATOR.test(t) && t.length <= 64 && (phaseOf(t) !== null || STEP.test(t.trim())));
  const kindCount = new Map<string, number>();
  for (let i = 0; i < nvtx.n; i++) {
    if (libDomain[nvtx.domain[i]!] || !textOk[nvtx.text[i]!]) continue;
    const k = rangeKind(nvtx.texts[nvtx.text[i]!]!);
    kindCount.set(k, (kindCount.get(k) ?? 0) + 1);
  }
  const cand: number[] = [];
  for (let i = 0; i < nvtx.n; i++) {
    if (libDomain[nvtx.domain[i]!] || !textOk[nvtx.text[i]!] || !usable(model, i)) continue;
    const text = nvtx.texts[nvtx.text[i]!]!;
    if (phaseOf(text) !== null || (kindCount.get(rangeKind(text)) ?? 0) > 1) cand.push(i);
  }
  const overlap = { count: 0, maxNs: 0 };
  const ranges = outermost(model, cand, overlap);
  const kinds = [...new Set(ranges.map((r) => rangeKind(r.name)))];
  return { ranges, kinds, overlap };
}
