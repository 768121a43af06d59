/**
 * TP scaling across traces of one model at several TP degrees: step time (median of the steady replica
 * steps), tokens/s per replica and per GPU, scaling efficiency against the smallest TP, comm share, the
 * time each class spends beyond ideal scaling, and the cost per million tokens.
 *
 *   tokens/s per replica = tokens per step / step time (decode: batch; prefill: batch × prompt)
 *   tokens/s per GPU     = tokens/s per replica / TP
 *   efficiency           = (tokens/s per replica / the smallest TP's) / (TP / smallest TP)
 *                        = tokens/s per GPU / the smallest TP's tokens/s per GPU
 *   $/MTok               = $ per GPU-hour × TP / 3600 / tokens/s per replica × 1e6
 *   beyond ideal (part)  = part's time per step − the smallest TP's × smallest TP / TP
 *
 * The parts are the classes with communication split into transfer and waiting (breakdown/timeParts.ts):
 * waiting that grows with TP is ranks arriving apart, not all-reduce cost, and the bottleneck says which.
 */
import type { TimeClass } from '../../breakdown/steadyProfile.js';
import { timeParts } from '../../breakdown/timeParts.js';
import type { TimePart } from '../../contract/vocabulary.js';
import type { TraceSummary } from '../../contract/summary.js';
import { stepSample } from '../compare/stepShift.js';
import type { ScalingOptions, ScalingPhase, ScalingRow } from '../../contract/scaling.js';

type Phase = 'decode' | 'prefill';

function phaseRow(summary: TraceSummary, phase: Phase, tp: number, tokensPerStep: number | null, price: number | null): ScalingPhase | null {
  const p = summary.phases.find((x) => x.phase === phase);
  if (!p) return null;
  const s = stepSample(p.stepTimesNs);
  const perReplica = tokensPerStep === null ? null : tokensPerStep / (s.medianNs / 1e9);
  return {
    steps: s.count, stepNs: s.medianNs, p10Ns: s.p10Ns, p90Ns: s.p90Ns, tokensPerStep,
    tokensPerSReplica: perReplica, tokensPerSGpu: perReplica === null ? null : perReplica / tp,
    speedup: null, efficiency: null, commShare: p.commShare, spanNs: p.spanNs, classNs: p.classNs,
    partNs: timeParts(p.classNs, p.comm?.transferNs ?? 0, p.comm?.waitNs ?? p.classNs.communication), beyondIdealNs: null,
    usdPerMTok: perReplica === null || price === null ? null : ((price * tp) / 3600 / perReplica) * 1e6,
  };
}

const fmtMs = (ns: number) => `${(ns / 1e6).toFixed(2)} ms`;

function bottleneck(row: ScalingRow, isBase: boolean): string {
  const d = row.decode ?? row.prefill;
  if (!d) return '-';
  if (isBase || !d.beyondIdealNs) {
    const [c, ns] = Object.entries(d.partNs).sort((x, y) => y[1] - x[1])[0]!;
    return `${c} ${((ns / d.spanNs) * 100).toFixed(0)}% of the step`;
  }
  const [c, ns] = Object.entries(d.beyondIdealNs).sort((x, y) => y[1] - x[1])[0]!;
  return `${c} +${fmtMs(ns)} beyond ideal`;
}

/** One row per trace (each trace's summary), sorted by TP. */
export function scalingTable(summaries: readonly TraceSummary[], o: ScalingOptions): ScalingRow[] {
  const rows: ScalingRow[] = summaries.map((x) => {
    const tp = x.tp;
    const f = x.findings.find((g) => g.phase === 'decode') ?? null;
    const first = x.gpus[0]?.name;
    return {
      path: x.paths[0]!, tp, gpus: x.gpus.reduce((n, g) => n + g.count, 0), gpuName: first && first !== 'unknown GPU' ? first : null, layers: x.layers,
      decode: phaseRow(x, 'decode', tp, o.batch, o.gpuHourPrice),
      prefill: phaseRow(x, 'prefill', tp, o.prompt === null ? null : o.batch * o.prompt, o.gpuHourPrice),
      bottleneck: '',
      topFinding: f ? { rule: f.rule, severity: f.severity, message: f.message } : null,
    };
  });
  rows.sort((a, b) => a.tp - b.tp);
  const base = rows[0];
  for (const r of rows) {
    for (const phase of ['decode', 'prefill'] as const) {
      const p = r[phase];
      const b = base?.[phase];
      if (!p || !b || r === base) continue;
      const ideal = base!.tp / r.tp;
      if (p.tokensPerSReplica !== null && b.tokensPerSReplica !== null) {
        p.speedup = p.tokensPerSReplica / b.tokensPerSReplica;
        p.efficiency = p.speedup / (r.tp / base!.tp);
      }
      p.beyondIdealNs = Object.fromEntries(Object.entries(p.partNs).map(([c, ns]) => [c, ns - b.partNs[c as TimePart] * ideal])) as Record<TimePart, number>;
    }
    r.bottleneck = bottleneck(r, r === base);
  }
  return rows;
}
