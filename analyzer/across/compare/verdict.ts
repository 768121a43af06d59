/**
 * The verdict of a comparison: one line saying which phases got faster or slower beyond noise, and the
 * reasons found: what differs in the setup, the time classes that moved most in each changed phase (with
 * communication split into transfer and waiting), CUDA-graph launches, and findings resolved or added.
 */
import type { Phase } from '../../contract/vocabulary.js';
import { changeText } from '../../text/change.js';
import { fmtNs } from '../../text/units.js';

export { changeText };
import type { ComparedFinding as FindingRef, FindingsDiff, PhaseComparison, SetupDiff, Verdict } from '../../contract/comparison.js';
import type { ShiftVerdict } from './stepShift.js';

/** A class explains a change when it moved by at least this share of the step's change. */
const EXPLAINS = 0.1;

const ms = (ns: number) => (ns / 1e6).toFixed(2);
const signed = (ns: number) => `${ns >= 0 ? '+' : '−'}${fmtNs(Math.abs(ns))}`;


function phaseClause(p: PhaseComparison): string {
  if (!p.base) return `${p.phase} only in the new trace`;
  if (!p.new) return `${p.phase} only in the base trace`;
  const s = p.shift!;
  const times = `${ms(s.base.medianNs)} → ${ms(s.new.medianNs)} ms per step`;
 return s.verdict === 'unchanged' || s.verdict === 'incomparable' ? `${p.phase} ${changeText(s.change, s.verdict)}: ${times}, ${s.reason}` : `${p.phase} ${changeText(s.change, s.verdict)} (${times})`;
}

function setupReasons(s: SetupDiff): string[] {
  const out: string[] = [];
  if (s.tp.base !== s.tp.new) out.push(`TP ${s.tp.base} → ${s.tp.new}`);
  if (s.gpus.base !== s.gpus.new) out.push(`GPUs ${s.gpus.base} → ${s.gpus.new}`);
  if (s.runtime.base !== s.runtime.new) out.push(`runtime ${s.runtime.base} → ${s.runtime.new}`);
  const c = s.commandLine;
  if (c && (c.added.length || c.removed.length)) {
    out.push(`command line: ${[...c.added.map((x) => `${x} added`), ...c.removed.map((x) => `${x} removed`)].join(', ')}`);
  }
  if (s.environment.length) {
    out.push(`environment: ${s.environment.map((e) => `${e.name} ${e.base ?? 'unset'} → ${e.new ?? 'unset'}`).join(', ')}`);
  }
  return out;
}

function mechanism(p: PhaseComparison): string | null {
  const b = p.base!;
  const n = p.new!;
  const step = n.steps.medianNs - b.steps.medianNs;
  const moved = (Object.keys(b.classNs) as (keyof typeof b.classNs)[])
    .map((c) => ({ c, d: n.classNs[c] - b.classNs[c] }))
    .filter((x) => Math.abs(x.d) >= EXPLAINS * Math.abs(step))
    .sort((x, y) => Math.abs(y.d) - Math.abs(x.d))
    .slice(0, 3);
  const parts = moved.map(({ c, d }) => {
    let text = `${c} ${signed(d)}`;
    if (c === 'communication' && (b.comm || n.comm)) {
      const w = (n.comm?.waitNs ?? 0) - (b.comm?.waitNs ?? 0);
      const t = (n.comm?.transferNs ?? 0) - (b.comm?.transferNs ?? 0);
      text += ` (waiting for other ranks ${signed(w)}, transfer ${signed(t)})`;
    }
    return text;
  });
  if (Math.abs(n.opsPerStep / b.opsPerStep - 1) >= EXPLAINS) parts.push(`GPU ops per step ${b.opsPerStep.toFixed(0)} → ${n.opsPerStep.toFixed(0)}`);
  if (Math.abs(n.graphShare - b.graphShare) >= 0.5) {
    parts.push(`kernels launched from CUDA graphs ${(b.graphShare * 100).toFixed(0)}% → ${(n.graphShare * 100).toFixed(0)}%`);
  }
  return parts.length ? `${p.phase}, per GPU and step: ${parts.join('; ')}` : null;
}

function findingList(xs: FindingRef[]): string {
  return xs.map((f) => `${f.rule}${f.phase || f.deviceId !== null ? ` (${[f.phase, f.deviceId !== null ? `GPU ${f.deviceId}` : null].filter(Boolean).join(', ')})` : ''}`).join(', ');
}

export function verdict(phases: PhaseComparison[], setup: SetupDiff, findings: FindingsDiff): Verdict {
  const changes = phases.filter((p) => p.shift).map((p) => ({ phase: p.phase, verdict: p.shift!.verdict, change: p.shift!.change }));
  const why = setupReasons(setup);
  for (const p of phases) if (p.shift && (p.shift.verdict === 'slower' || p.shift.verdict === 'faster')) {
    const m = mechanism(p);
    if (m) why.push(m);
  }
  if (findings.resolved.length) why.push(`findings resolved: ${findingList(findings.resolved)}`);
  if (findings.added.length) why.push(`findings added: ${findingList(findings.added)}`);
  for (const side of ['new', 'base'] as const) {
    const xs = findings.superseded.filter((x) => x.in === side);
    for (const rule of new Set(xs.map((x) => x.by))) {
      why.push(`in the ${side} trace ${findingList(xs.filter((x) => x.by === rule))} ${xs.length > 1 ? 'are' : 'is'} superseded by ${rule}, which explains ${xs.length > 1 ? 'them' : 'it'} (not resolved)`);
    }
  }
  // Phases that changed lead the line.
  const changed = (p: PhaseComparison) => Number(p.shift?.verdict === 'slower' || p.shift?.verdict === 'faster');
  const ordered = [...phases].sort((a, b) => changed(b) - changed(a));
  return { line: ordered.map(phaseClause).join('; ') || 'no steps in either trace', why, changes };
}

/** The CI gate of `compare --fail-on-regression PCT`: phases slower beyond noise and by more than the fraction. */
export function regressionsOver(v: Verdict, fraction: number): Verdict['changes'] {
  return v.changes.filter((c) => c.verdict === 'slower' && c.change > fraction);
}
