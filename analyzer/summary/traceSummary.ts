/**
 * A trace summed up for the analyses that work across traces (compare, scaling, attach): per phase the
 * steady step times, time per class, communication split into transfer and waiting, layers and
 * collectives; how the run was set up; what the rules found. Plain data, carried in diagnose's result:
 * a saved result stands in for its trace, and the cross-trace analyses read nothing else.
 */
import type { TimeClass } from '../breakdown/steadyProfile.js';
import type { Reads } from '../data.js';
import { phaseStepTimes } from '../steps/replicaSteps.js';
import { PHASES, type Phase, type StepSource } from '../contract/vocabulary.js';
import { stepSample } from '../util/stepSample.js';
import type { Severity } from '../severity.js';
import type { CollectiveProfile, FindingRef, LayerProfile, PhaseProfile, StepSample, TraceSummary } from '../contract/summary.js';

function collectiveProfiles(a: Reads<'collectiveSummary'>, phase: Phase, stepsPerGpu: number): CollectiveProfile[] {
  if (stepsPerGpu === 0) return [];
  return a.collectiveSummary.classes
    .filter((k) => k.phase === phase)
    .map((k) => ({
      op: k.op, bytes: k.bytes, perStep: k.count / stepsPerGpu, transferMedianNs: k.transferMedianNs,
      waitShare: k.kernelTotalNs ? k.waitTotalNs / k.kernelTotalNs : 0, skewMedianNs: k.skewMedianNs, busGBps: k.busGBps,
    }));
}

/** What a phase's profile reads. */
type PhaseData = Reads<'steadyProfile' | 'replicaSteps' | 'model' | 'stepSet' | 'collectiveSummary' | 'layerProfile'>;

function phaseProfile(a: PhaseData, phase: Phase): PhaseProfile | null {
  const p = a.steadyProfile(phase);
  const times = phaseStepTimes(a, phase);
  if (!p || times.length === 0) return null;
  return {
    phase, stepTimesNs: times, stepTime: stepSample(times), gpus: p.gpus, stepsPerGpu: p.stepsPerGpu, opsPerStep: p.opsPerStep, classNs: p.classNs, spanNs: p.spanNs,
    commShare: p.commShare, exposedCommShare: p.exposedCommShare, idleShare: p.idleShare, graphShare: p.graphShare,
    comm: a.collectiveSummary.classes.some((k) => k.phase === phase) ? { transferNs: p.commTransferNs, waitNs: p.commWaitNs } : null,
    layers: a.layerProfile(phase), collectives: collectiveProfiles(a, phase, p.stepsPerGpu),
  };
}

function gpuCounts(a: Reads<'model'>): { name: string; count: number }[] {
  const names = new Map<string, number>();
  for (const d of a.model.devices) {
    const n = d.gpu?.name ?? 'unknown GPU';
    names.set(n, (names.get(n) ?? 0) + 1);
  }
  return [...names].map(([name, count]) => ({ name, count }));
}

/** What the summary keeps of a finding (rules/types.ts Finding has these fields and more). */
export interface FindingLike {
  rule: string;
  severity: Severity;
  message: string;
  recommendation: string;
  evidence: Record<string, unknown>;
}

const findingRef = (f: FindingLike): FindingRef => ({
  rule: f.rule, severity: f.severity,
  phase: typeof f.evidence.phase === 'string' ? f.evidence.phase : null,
  deviceId: typeof f.evidence.deviceId === 'number' ? f.evidence.deviceId : null,
  message: f.message, recommendation: f.recommendation,
});

export function traceSummary(
  a: PhaseData & Reads<'layerCount' | 'tp' | 'runtime' | 'settings'>, findings: readonly FindingLike[], paths: string[], warnings: string[], superseded: readonly (FindingLike & { supersededBy: string })[] = [],
): TraceSummary {
  const r = a.replicaSteps;
  const layers = a.layerCount;
  return {
    paths,
    nsysVersion: a.model.files[0]!.meta.nsysVersion,
    stepSource: a.stepSet.source,
    stepDetection: a.stepSet.description,
    stepTimes: r.lined ? 'steady steps, each from the first GPU to start to the last to finish' : `steady steps of every GPU pooled: ${r.note}`,
    tp: a.tp,
    gpus: gpuCounts(a),
    runtime: a.runtime.name,
    commandLine: a.model.files[0]!.meta.command,
    settings: Object.fromEntries(a.settings),
    layers: layers(0, 'decode') ?? layers(0, 'prefill'),
    phases: PHASES.flatMap((p) => phaseProfile(a, p) ?? []),
    findings: findings.map(findingRef),
    superseded: superseded.map((f) => ({ ...findingRef(f), supersededBy: f.supersededBy })),
    warnings,
  };
}

/** `4 × NVIDIA H100 80GB HBM3` */
export function gpuText(s: Pick<TraceSummary, 'gpus'>, times = '×'): string {
  return s.gpus.map((g) => `${g.count} ${times} ${g.name}`).join(', ');
}
