/** Pieces every document builder shares: phase names, cells, clock times, the rules that did not run. */
import type { RuleNotRun, TimelineLocation } from '../../contract/findings.js';
import { para, type Para } from '../document.js';
import type { StepDetection } from '../../contract/diagnosis.js';
import { PHASE_ORDER, type Phase } from '../../contract/index.js';

export { PHASE_ORDER };
export type ReportPhase = Phase;

export function phaseTitle(phase: string): string {
  if (phase === 'step') return 'Steps (phase not named in the trace)';
  if (phase === 'mixed') return 'Mixed (prefill and decode in one step)';
  return phase[0]!.toUpperCase() + phase.slice(1);
}

/** A share in a table cell: two significant figures below 10%, whole percent above. */
export function pctCell(x: number): string {
  const p = x * 100;
  return p >= 9.95 ? `${p.toFixed(0)}%` : `${p.toFixed(1)}%`;
}

/** A time on the capture's clock, in seconds as the Nsight Systems timeline shows it. */
export function secondsOnClock(ns: number): string {
  return `${(ns / 1e9).toFixed(3)} s`;
}

/** A stretch of the capture's clock to zoom to in the Nsight Systems GUI: seconds to the microsecond. */
export function rangeOnClock(startNs: number, endNs: number): string {
  return `${(startNs / 1e9).toFixed(6)}–${(endNs / 1e9).toFixed(6)} s`;
}

/** A finding's place on the timeline, as every format spells it. */
export function locationText(l: TimelineLocation): string {
  return `${rangeOnClock(l.startNs, l.endNs)} · ${l.label}${l.stream === null ? '' : `, stream ${l.stream}`} · ${l.what}`;
}

/** The rules that did not run, grouped by why: `Not run: a, b (needs --model and --batch)`. */
export function notRunPara(notRun: readonly RuleNotRun[]): Para[] {
  if (notRun.length === 0) return [];
  const byReason = new Map<string, string[]>();
  for (const r of notRun) byReason.set(r.reason, [...(byReason.get(r.reason) ?? []), r.rule]);
  return [para(`Not run: ${[...byReason].map(([why, ids]) => `${ids.join(', ')} (${why})`).join('; ')}.`, 'muted')];
}

/** Findings another finding explains better: `Superseded by low-bus-bandwidth: comm-serialized (prefill), …`. */
export function supersededPara(superseded: readonly { rule: string; supersededBy: string; evidence: Record<string, unknown> }[] | undefined): Para[] {
  if (!superseded?.length) return [];
  const by = new Map<string, string[]>();
  for (const f of superseded) {
    const phase = typeof f.evidence.phase === 'string' ? ` (${f.evidence.phase})` : '';
    by.set(f.supersededBy, [...(by.get(f.supersededBy) ?? []), `${f.rule}${phase}`]);
  }
  return [para(`Superseded: ${[...by].map(([rule, xs]) => `${xs.join(', ')} by ${rule}, which explains ${xs.length > 1 ? 'them' : 'it'}`).join('; ')} (in the JSON: superseded).`, 'muted')];
}

/** How the steps were found and how sure that is, in one line every report opens with. */
export function stepsPara(s: StepDetection): Para {
  // A phase the trace does not name is a guess, and the report says so.
  const phases = s.phaseSource === 'kernels'
    ? '; prefill, decode and mixed are inferred from the kernels (each step\'s GEMM time against the others\', its attention kernel variants), not named in the trace'
    : '';
  return para(`Steps: ${s.description}; confidence ${s.confidence}${s.confidenceNote ? ` (${s.confidenceNote})` : ''}${phases}`);
}

/** `1 step`, `2 steps`. */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
