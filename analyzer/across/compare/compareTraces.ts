/**
 * Two traces side by side, for reviewing a change: per phase the step time (steady replica steps, with
 * a noise judgement), time per kernel class, communication split into transfer and waiting, CUDA-graph
 * launches and per-layer deltas; collectives per size class; findings added and resolved; what differs
 * in the setup; and a verdict that says what changed and why. Reads the two traces' summaries only.
 */
import type { TimeClass } from '../../breakdown/steadyProfile.js';
import type { PhaseProfile, TraceSummary } from '../../contract/summary.js';
import { PHASES, type Phase } from '../../contract/vocabulary.js';
import { compareLayers } from './layerDeltas.js';
import { findingsDiff } from './findingsDiff.js';
import { setupDiff } from './setupDiff.js';
import { judgeShift, stepSample } from './stepShift.js';
import type { CollectiveComparison, CollectiveStats, Comparison, PhaseComparison, PhaseSide, SideInfo } from '../../contract/comparison.js';
import { verdict } from './verdict.js';


/** Steps found from idle gaps are stretches of work, not named iterations: their times compare only when
 *  they hold about the same number of GPU ops (within this factor). */
const SAME_WORK = 1.5;

function sideInfo(s: TraceSummary): SideInfo {
  return { paths: s.paths, nsysVersion: s.nsysVersion, stepDetection: s.stepDetection, stepTimes: s.stepTimes };
}

function phaseSide(p: PhaseProfile | undefined): PhaseSide | null {
  if (!p) return null;
  return {
    steps: stepSample(p.stepTimesNs), opsPerStep: p.opsPerStep, classNs: p.classNs, commShare: p.commShare, idleShare: p.idleShare,
    graphShare: p.graphShare, comm: p.comm,
  };
}

function collectiveStats(p: PhaseProfile | undefined): Map<string, { op: string; bytes: number | null; stats: CollectiveStats }> {
  const out = new Map<string, { op: string; bytes: number | null; stats: CollectiveStats }>();
  for (const k of p?.collectives ?? []) {
    const { op, bytes, ...stats } = k;
    out.set(`${op}|${bytes ?? '?'}`, { op, bytes, stats });
  }
  return out;
}

/**
 * One collective is one row even when only one side knows its size (one trace analysed with --model or
 * exported with blobs, the other not): a class of unknown size is paired with the other side's class of the
 * same op when that is the one class of that op either side has left unpaired.
 */
function pairUnknownSizes(a: ReturnType<typeof collectiveStats>, b: ReturnType<typeof collectiveStats>): void {
  const unpaired = (m: ReturnType<typeof collectiveStats>, other: ReturnType<typeof collectiveStats>, op: string) =>
    [...m].filter(([k, v]) => v.op === op && !other.has(k));
  for (const [x, y] of [[a, b], [b, a]] as const) {
    for (const op of new Set([...x.values()].map((v) => v.op))) {
      const mine = unpaired(x, y, op);
      const theirs = unpaired(y, x, op);
      if (mine.length !== 1 || theirs.length !== 1) continue;
      const [mk, mv] = mine[0]!;
      const [tk, tv] = theirs[0]!;
      if (mv.bytes !== null || tv.bytes === null) continue;
      // Re-key the unknown class under the known size: the row then carries both sides.
      x.delete(mk);
      x.set(tk, { ...mv, bytes: null });
    }
  }
}

const phaseOf = (s: TraceSummary, phase: Phase) => s.phases.find((p) => p.phase === phase);

export function compareTraces(base: TraceSummary, next: TraceSummary): Comparison {
  const phases: PhaseComparison[] = [];
  const collectives: CollectiveComparison[] = [];
  for (const phase of PHASES) {
    const pb = phaseOf(base, phase);
    const pn = phaseOf(next, phase);
    const b = phaseSide(pb);
    const n = phaseSide(pn);
    if (!b && !n) continue;
    const shift = pb && pn ? judgeShift(pb.stepTimesNs, pn.stepTimesNs) : null;
    if (shift && b && n && (base.stepSource === 'gaps' || next.stepSource === 'gaps')) {
      const ratio = n.opsPerStep / b.opsPerStep;
      if (ratio > SAME_WORK || ratio < 1 / SAME_WORK) {
        shift.verdict = 'incomparable';
        shift.reason = `not the same work: steps found from idle gaps hold ${b.opsPerStep.toFixed(0)} vs ${n.opsPerStep.toFixed(0)} GPU ops per step`;
      }
    }
    phases.push({ phase, base: b, new: n, shift, layers: compareLayers(pb?.layers ?? [], pn?.layers ?? []) });
    const cb = collectiveStats(pb);
    const cn = collectiveStats(pn);
    pairUnknownSizes(cb, cn);
    for (const k of new Set([...cb.keys(), ...cn.keys()])) {
      const x = cb.get(k) ?? cn.get(k)!;
      const bytes = cb.get(k)?.bytes ?? cn.get(k)?.bytes ?? null;
      collectives.push({ phase, op: x.op, bytes, base: cb.get(k)?.stats ?? null, new: cn.get(k)?.stats ?? null });
    }
  }
  const setup = setupDiff(base, next);
  const findings = findingsDiff(base.findings, next.findings, {
    base: new Set(phases.filter((p) => p.base).map((p) => p.phase)),
    new: new Set(phases.filter((p) => p.new).map((p) => p.phase)),
  }, { base: base.superseded ?? [], new: next.superseded ?? [] });
  const warnings = [...base.warnings.map((w) => `base: ${w}`), ...next.warnings.map((w) => `new: ${w}`)];
  if (setup.tp.base !== setup.tp.new) {
    warnings.push(`TP differs (${setup.tp.base} → ${setup.tp.new}): per-GPU times compare different shards; nsys-tp scaling weighs TP degrees`);
  }
  // A phase only one side has is often not a change in the run but in what was selected as steps.
  // The selection, not what it found: a --steps pattern, else how steps were detected.
  const selection = (x: TraceSummary) => /matching \/.*\//.exec(x.stepDetection)?.[0] ?? `auto:${x.stepSource}`;
  if (selection(base) !== selection(next)) {
    const lone = phases.filter((p) => !p.base || !p.new).map((p) => p.phase);
    warnings.push(
      `the traces' steps were selected differently (base: ${base.stepDetection}; new: ${next.stepDetection})` +
        (lone.length ? `: ${lone.join(' and ')} only in one trace may come from the selection, not the run` : ''),
    );
  }
  return { base: sideInfo(base), new: sideInfo(next), setup, phases, collectives, findings, verdict: verdict(phases, setup, findings), warnings };
}
