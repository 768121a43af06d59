/**
 * Passes: runs of steps the workload repeats, e.g. a warm-up `generate` then the measured one, or several
 * benchmark requests one after the other. The first pass pays for set-up (cuDNN/cuBLAS plans,
 * communicator init, compilation, graph capture), so the numbers describe the last pass and the others are
 * listed as earlier passes, never mixed in (a warm-up decode 0 of 128 ms must not stand in for a measured
 * decode 0 of 2.1 ms).
 *
 * A new pass starts where the step names start over (NVTX: the first name of the pass comes again, and the
 * pass had more than one name), or, without names, at a prefill after decode steps when the GPU idled
 * longer before it than between any two steps of the pass so far (x1.5, and 5 ms at least), or after an
 * idle second whatever the phases.
 */
import type { Pass, Step } from './types.js';
import { PHASE_ORDER, type Phase } from '../contract/vocabulary.js';

export const PASS_GAP_FACTOR = 1.5;
export const PASS_GAP_MIN_NS = 5e6;
export const PASS_PAUSE_NS = 1e9;

/** Pass index of each of a device's steps (time order), and why each pass after the first started. */
export function devicePasses(steps: Step[], named: boolean): { pass: number[]; reasons: string[] } {
  const pass: number[] = steps.map(() => 0);
  const reasons: string[] = [];
  let current = 0;
  let begin = 0;
  let seen = new Map<string, number>();
  let maxGap = 0;
  const open = (at: number, reason: string) => {
    current++;
    reasons.push(reason);
    for (let q = at; q < steps.length; q++) pass[q] = current;
    seen = new Map();
    for (let q = at; q < steps.length && q < begin; q++) seen.set(steps[q]!.name, q);
    begin = at;
    maxGap = 0;
  };
  for (let k = 0; k < steps.length; k++) {
    const s = steps[k]!;
    if (k > begin) {
      const prev = steps[k - 1]!;
      const gap = s.start - prev.end;
      if (named) {
        // The names start over: the pass's first name again, or a numbered name (`decode 0`) again. The new
        // pass opens at the prefill that came before the repeat, if one did (`decode 0, decode 1, prefill,
        // decode 0`: the prefill starts the pass).
        const before = seen.get(s.name);
        const distinct = new Set([...seen.keys()]).size;
        if (before !== undefined && ((before === begin && distinct > 1) || /\d/.test(s.name))) {
          let at = k;
          for (let q = k; q > before; q--) if (steps[q]!.phase === 'prefill') { at = q; break; }
          open(at, `the step names start over ("${s.name}" again)`);
          for (let q = at; q <= k; q++) seen.set(steps[q]!.name, q);
          continue;
        }
      } else if (gap >= PASS_PAUSE_NS) {
        open(k, `the GPU idled ${(gap / 1e6).toFixed(0)} ms before it`);
      } else if (s.phase === 'prefill' && prev.phase !== 'prefill' && gap >= PASS_GAP_MIN_NS && gap > PASS_GAP_FACTOR * maxGap) {
        open(k, `a prefill after an idle gap of ${(gap / 1e6).toFixed(1)} ms, longer than any between the steps before`);
      } else {
        maxGap = Math.max(maxGap, gap);
      }
    }
    if (!seen.has(s.name)) seen.set(s.name, k);
  }
  return { pass, reasons };
}

/** Pass summaries over all devices, from per-step pass indices. */
export function summarisePasses(byDevice: Step[][], reasons: string[]): Pass[] {
  const passes: Pass[] = [];
  const ref = byDevice.find((l) => l.length > 0);
  for (const list of byDevice) {
    for (const s of list) {
      while (passes.length <= s.pass) {
        const i = passes.length;
        passes.push({ index: i, start: Infinity, end: -Infinity, counts: {}, reason: i === 0 ? null : reasons[i - 1] ?? null });
      }
      const p = passes[s.pass]!;
      p.start = Math.min(p.start, s.start);
      p.end = Math.max(p.end, s.end);
      if (list === ref) p.counts[s.phase] = (p.counts[s.phase] ?? 0) + 1;
    }
  }
  return passes;
}

/** The pass the numbers describe: the last one holding at least half the steps of the largest. */
export function measuredPassOf(passes: Pass[]): number | null {
  if (passes.length < 2) return null;
  const size = (p: Pass) => Object.values(p.counts).reduce((a, b) => a + (b ?? 0), 0);
  const largest = Math.max(...passes.map(size));
  for (let i = passes.length - 1; i >= 0; i--) if (size(passes[i]!) * 2 >= largest) return i;
  return passes.length - 1;
}

export function describeCounts(counts: Partial<Record<Phase, number>>): string {
  return PHASE_ORDER.filter((p) => counts[p]).map((p) => `${counts[p]} ${p === 'step' ? 'step' : p}${(counts[p] ?? 0) > 1 && p === 'step' ? 's' : ''}`).join(' + ');
}
