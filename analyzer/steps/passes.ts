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
import type { Pass, Phase, Step } from './types.js';

export const PASS_GAP_FACTOR = 1.5;
export const PASS_GAP_MIN_NS = 5e6;
export const PASS_PAUSE_NS = 1e9;

/** Pass index of each of a device's steps (time order), and why each pass after the first started. */
export function devicePasses(steps: Step[], named: boolean): { pass: number[]; reasons: string[] } {
  const pass: number[] = [];
  const reasons: string[] = [];
  let current = 0;
  let firstName = '';
  let names = new Set<string>();
  let maxGap = 0;
  steps.forEach((s, k) => {
    if (k > 0) {
      const prev = steps[k - 1]!;
      const gap = s.start - prev.end;
      let reason: string | null = null;
      if (named) {
        if (s.name === firstName && names.size > 1) reason = `the step names start over ("${s.name}" again)`;
      } else if (gap >= PASS_PAUSE_NS) {
        reason = `the GPU idled ${(gap / 1e6).toFixed(0)} ms before it`;
      } else if (s.phase === 'prefill' && prev.phase !== 'prefill' && gap >= PASS_GAP_MIN_NS && gap > PASS_GAP_FACTOR * maxGap) {
        reason = `a prefill after an idle gap of ${(gap / 1e6).toFixed(1)} ms, longer than any between the steps before`;
      }
      if (reason) {
        current++;
        reasons.push(reason);
        names = new Set();
        maxGap = 0;
      } else {
        maxGap = Math.max(maxGap, gap);
      }
    }
    if (names.size === 0) firstName = s.name;
    names.add(s.name);
    pass.push(current);
  });
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
  const order: Phase[] = ['prefill', 'mixed', 'decode', 'step'];
  return order.filter((p) => counts[p]).map((p) => `${counts[p]} ${p === 'step' ? 'step' : p}${(counts[p] ?? 0) > 1 && p === 'step' ? 's' : ''}`).join(' + ');
}
