/**
 * The result of `diagnose`: everything every format shows of one trace (or one per-rank set), as plain
 * data: the JSON contract of docs/architecture.md, plus the layers, the timeline of one step, the rules
 * that did not run, and the trace's summary for the cross-trace commands. Every format is rendered from
 * this alone, so a saved JSON renders again (`nsys-tp render`) and stands in for its trace in `compare`.
 */
import { type Confidence, KERNEL_CLASSES, type KernelClass, type Phase, type StepSource, TIME_CLASSES, type TimeClass } from '../contract/vocabulary.js';
import type { Analysis } from '../analysis.js';
import type { PhaseSummary } from '../breakdown/phaseSummary.js';
import { stepTimeline } from '../breakdown/stepTimeline.js';
import type { StepTimeline } from '../contract/timeline.js';
import { layerCount } from '../layers/layerSummary.js';
import type { StepSet } from '../steps/types.js';
import { impossibleNumbers } from './impossible.js';
import type { RuleOutcome } from '../../rules/types.js';
import type { Finding, RuleNotRun, SupersededFinding } from '../contract/findings.js';
import { achievements, beyondPeak } from '../roofline/achievement.js';
import { runtimeOf } from '../runtime/detectRuntime.js';
import { traceSummary } from '../summary/traceSummary.js';
import type { TraceSummary } from '../contract/summary.js';
import { buildLayerResult } from './layers.js';
import type { LayerResult } from '../contract/layers.js';
import { TOOL } from '../contract/tool.js';
import type { DiagnoseResult } from '../contract/results.js';
import type { BetweenResult, CollectivesResult, DeviceResult, PhaseResult, StepDetection, StepStats } from '../contract/diagnosis.js';
import { buildStepRows } from './steps.js';
import type { PhaseKernelsResult, StepRowResult } from '../contract/views.js';
import { buildKernelTables } from './kernels.js';
import { fastStepsText } from '../steps/fastSteps.js';
import type { BetweenSteps } from '../breakdown/betweenSteps.js';
import { captureGaps } from './doctor.js';
import type { CaptureGaps } from '../contract/reports.js';

function stepDetection(s: StepSet): StepDetection {
  const rh = s.rhythm;
  return {
    source: s.source, forced: s.forced, description: s.description, confidence: s.confidence, confidenceNote: s.confidenceNote,
    phaseSource: s.phaseSource,
    rhythm: rh ? { sitesPerStep: rh.sitesPerStep, regularity: rh.regularity, periodNs: rh.periodNs, periodSpread: rh.periodSpread, gapNs: rh.gapNs } : null,
    passes: s.passes.map((p) => ({ index: p.index, startNs: p.start, endNs: p.end, counts: p.counts, reason: p.reason })),
    measuredPass: s.measuredPass,
    window: s.window ? { startNs: s.window.start, endNs: s.window.end } : null,
  };
}

function stepStats(p: PhaseSummary | undefined): StepStats {
  return p
    ? { count: p.count, steadyCount: p.steadyCount, medianNs: p.medianNs, p10Ns: p.p10Ns, p90Ns: p.p90Ns, minNs: p.minNs, maxNs: p.maxNs }
    : { count: 0, steadyCount: 0, medianNs: null, p10Ns: null, p90Ns: null, minNs: null, maxNs: null };
}

function betweenResult(b: BetweenSteps | undefined): BetweenResult | null {
  if (!b || b.pairs === 0) return null;
  return {
    pairs: b.pairs, periodNs: b.periodNs, spanNs: b.spanNs, gapNs: b.gapNs, totalNs: b.totalNs, idleNs: b.idleNs, idleShare: b.idleShare,
    hostCalls: b.hostCalls.map(({ name, source, ns, gaps }) => ({ name, source, ns, gaps })), uncoveredNs: b.uncoveredNs,
    longest: b.longest ? { startNs: b.longest.startNs, endNs: b.longest.endNs } : null,
  };
}

function phaseResult(p: PhaseSummary | undefined, layers: number | null, between?: BetweenSteps): PhaseResult | null {
  if (!p) return null;
  const n = p.steadyCount || 1;
  const perStepNs = {
    span: p.totalSpanNs / n,
    ...(Object.fromEntries(Object.entries(p.timeNs).map(([c, ns]) => [c, ns / n])) as Record<KernelClass | 'idle', number>),
    commTransfer: p.commTransferNs / n, commWait: p.commWaitNs / n, exposedComm: p.exposedCommNs / n,
    ...(p.timeNs.moe > 0 ? { moeExperts: p.moeNs.experts / n, moeRouting: p.moeNs.routing / n, moeDispatch: p.moeNs.dispatch / n } : {}),
  };
  return {
    timeNs: p.timeNs, spanNs: p.totalSpanNs, busyNs: p.busyNs, commNs: p.commNs, commTransferNs: p.commTransferNs, commWaitNs: p.commWaitNs,
    exposedCommNs: p.exposedCommNs, overlapNs: p.overlapNs, commShare: p.commShare, overlap: p.overlap, exposedCommShare: p.exposedCommShare,
    idleShare: p.idleShare, perStepNs, layers, outliers: p.outliers.map(({ name, spanNs, ratio, reason, startNs }) => ({ name, spanNs, ratio, reason, startNs })),
    ...(p.timeNs.moe > 0 ? { moeNs: { ...p.moeNs } } : {}),
    ...(p.fp8GemmNs > 0 ? { fp8: { gemmNs: p.fp8GemmNs, quantNs: p.fp8QuantNs } } : {}),
    between: betweenResult(between),
  };
}

/** The model the user named and the trace disagree on depth: say which one the roofline used. */
function layerMismatch(a: Analysis): string[] {
  const w = a.options.workload;
  if (!w) return [];
  const seen = [...new Set(achievements(a).map((x) => x.layers))];
  const out = seen.filter((l) => l !== w.model.layers).map((l) => `--model has ${w.model.layers} layers but the trace's steps have ${l}: the roofline uses ${l}`);
  // A rate above the datasheet's peak is impossible: the workload given does not describe this trace.
  for (const phase of ['prefill', 'decode'] as const) {
    const over = achievements(a).filter((x) => x.phase === phase && beyondPeak(x));
    if (over.length === 0) continue;
    const x = over[0]!;
    const rate = x.tflopsOverCompute > x.peakTflops * 1.02
      ? `${x.tflopsOverCompute.toFixed(0)} TFLOP/s against the ${x.gpu}'s peak of ${x.peakTflops}`
      : `${(x.hbmGBpsOverCompute / 1e3).toFixed(2)} TB/s against the ${x.gpu}'s ${(x.peakHbmGBps / 1e3).toFixed(2)} TB/s`;
    const depth = x.layersFrom === 'model' ? ` (the steps show no layers, so the model's ${x.layers} are assumed)` : '';
    out.push(`${phase} roofline impossible: ${over.length === achievements(a).filter((y) => y.phase === phase).length ? 'every GPU' : `${over.length} GPU(s)`} would reach ${rate}: --model, --batch or --prompt do not describe this trace${depth}; its roofline numbers are not meaningful`);
  }
  return out;
}

function collectivesResult(a: Analysis): CollectivesResult {
  const s = a.collectiveSummary;
  const id = (d: number) => String(a.model.devices[d]!.deviceId);
  const byId = (m: Map<number, number>) => Object.fromEntries([...m].sort((x, y) => x[0] - y[0]).map(([d, n]) => [id(d), n]));
  return {
    count: s.count,
    transferNs: s.count ? s.transferNs : null,
    waitNs: s.count ? s.waitNs : null,
    kernelNs: s.count ? s.kernelNs : null,
    lastArriver: byId(s.lastArriver),
    devices: s.devices.filter((d) => d.instances > 0).map((d) => ({ deviceId: a.model.devices[d.device]!.deviceId, kernelNs: d.kernelNs, waitNs: d.waitNs, lastArrivals: d.lastArrivals, instances: d.instances })),
    sizeClasses: s.classes.map((k) => ({
      op: k.op, phase: k.phase, bytes: k.bytes, bytesSource: k.bytesSource, kernel: k.kernel, ranks: k.ranks, count: k.count,
      transferMedianNs: k.transferMedianNs, transferP10Ns: k.transferP10Ns, transferP90Ns: k.transferP90Ns, transferNs: k.transferTotalNs,
      kernelNs: k.kernelTotalNs, waitNs: k.waitTotalNs, skewMedianNs: k.skewMedianNs, skewP90Ns: k.skewP90Ns, lastArriver: byId(k.lastArriver),
      algGBps: k.algGBps, busGBps: k.busGBps, expectedBusGBps: k.expectedBusGBps, latencyBound: k.latencyBound,
    })),
    gpu: s.gpu?.name ?? null,
  };
}

/** `paths`: the traces as the user named them (a .nsys-rep stays a .nsys-rep, though its export was read). */
export function buildDiagnoseResult(analysis: Analysis, rules: RuleOutcome, paths?: string[]): DiagnoseResult {
  const { model } = analysis;
  const { findings } = rules;
  const layers = layerCount(analysis);
  const gpus = model.devices.map((d) => ({
    deviceId: d.deviceId,
    name: d.gpu?.name ?? 'unknown GPU',
    smCount: d.gpu?.smCount ?? null,
    memoryBandwidthGBps: d.gpu?.memoryBandwidthBytesPerS ? d.gpu.memoryBandwidthBytesPerS / 1e9 : null,
  }));
  const hasStepPhase = analysis.phases.some((p) => p.phase === 'step');
  const hasMixed = analysis.phases.some((p) => p.phase === 'mixed');
  const devices: DeviceResult[] = model.devices.map((d) => {
    const dec = analysis.phase(d.index, 'decode');
    const pre = analysis.phase(d.index, 'prefill');
    const stp = analysis.phase(d.index, 'step');
    const r: DeviceResult = {
      deviceId: d.deviceId, label: d.label, name: d.gpu?.name ?? null, file: paths?.[d.file] ?? model.files[d.file]!.path,
      steps: { decode: stepStats(dec), prefill: stepStats(pre) },
      decode: phaseResult(dec, layers(d.index, 'decode'), analysis.betweenOf(d.index, 'decode')),
      prefill: phaseResult(pre, layers(d.index, 'prefill'), analysis.betweenOf(d.index, 'prefill')),
    };
    if (hasStepPhase) {
      r.steps.step = stepStats(stp);
      r.step = phaseResult(stp, layers(d.index, 'step'), analysis.betweenOf(d.index, 'step'));
    }
    if (hasMixed) {
      const mix = analysis.phase(d.index, 'mixed');
      r.steps.mixed = stepStats(mix);
      r.mixed = phaseResult(mix, layers(d.index, 'mixed'), analysis.betweenOf(d.index, 'mixed'));
    }
    return r;
  });
  const first = model.files[0]!;
  const shown = paths ?? model.files.map((f) => f.path);
  const warnings = [...impossibleNumbers(analysis), ...model.warnings, ...analysis.steps.warnings, ...fastStepsText(analysis), ...analysis.collectives.warnings, ...layerMismatch(analysis)];
  return {
    schemaVersion: 1,
    kind: 'diagnose',
    tool: TOOL,
    trace: {
      path: shown[0]!,
      paths: shown,
      nsysVersion: first.meta.nsysVersion,
      exportSchema: first.meta.exportSchema,
      gpus,
      cudaGraphTraceMode: first.meta.cudaGraphTraceMode,
      runtime: runtimeOf(analysis),
    },
    stepDetection: stepDetection(analysis.steps),
    devices,
    collectives: collectivesResult(analysis),
    roofline: analysis.options.workload
      ? achievements(analysis).map((x) => ({
          deviceId: model.devices[x.device]!.deviceId, phase: x.phase, tp: x.tp, layers: x.layers, layersFrom: x.layersFrom, flopsPerStep: x.cost.flops,
          bytesPerStep: x.cost.weightBytes + x.cost.kvBytes, computeNs: x.computeNs, spanNs: x.spanNs,
          tflopsOverCompute: x.tflopsOverCompute, tflopsOverSpan: x.tflopsOverSpan, hbmGBpsOverCompute: x.hbmGBpsOverCompute,
          hbmGBpsOverSpan: x.hbmGBpsOverSpan, peakTflops: x.peakTflops, peakHbmGBps: x.peakHbmGBps, bound: x.bound,
        }))
      : null,
    findings,
    warnings,
    notRun: rules.notRun,
    superseded: rules.superseded ?? [],
    layers: buildLayerResult(analysis),
    stepRows: buildStepRows(analysis),
    kernels: buildKernelTables(analysis),
    timeline: stepTimeline(analysis),
    summary: traceSummary(analysis, findings, shown, warnings, rules.superseded ?? []),
    capture: captureGaps(analysis),
    ...(analysis.regimes.length ? { regimes: analysis.regimes.map((g) => ({
      deviceId: model.devices[g.device]!.deviceId, label: model.devices[g.device]!.label, phase: g.phase, count: g.steps.length,
      firstStep: g.steps[0]!.name, lastStep: g.steps[g.steps.length - 1]!.name, startNs: g.startNs, endNs: g.endNs,
      medianNs: g.medianNs, meanNs: g.meanNs, typicalNs: g.typicalNs, perStepNs: g.perStepNs, steadyPerStepNs: g.steadyPerStepNs,
      hostCalls: g.hostCalls, uncoveredNs: g.uncoveredNs,
    })) } : {}),
  };
}

export const CLASS_ROWS: readonly TimeClass[] = TIME_CLASSES;
