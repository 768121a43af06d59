/**
 * The result of `diagnose`: everything every format shows of one trace (or one per-rank set), as plain
 * data: the JSON contract of docs/architecture.md, plus the layers, the timeline of one step, the rules
 * that did not run, and the trace's summary for the cross-trace commands. Every format is rendered from
 * this alone, so a saved JSON renders again (`nsys-tp render`) and stands in for its trace in `compare`.
 */
import { KERNEL_CLASSES, TIME_CLASSES, type KernelClass, type TimeClass } from '../classify/kernelClasses.js';
import type { Analysis } from '../analysis.js';
import type { PhaseSummary } from '../breakdown/phaseSummary.js';
import { stepTimeline, type StepTimeline } from '../breakdown/stepTimeline.js';
import { layerCount } from '../layers/layerSummary.js';
import type { Confidence, Phase, StepSet, StepSource } from '../steps/types.js';
import { impossibleNumbers } from './impossible.js';
import type { Finding, RuleNotRun, RuleOutcome, SupersededFinding } from '../../rules/types.js';
import { achievements, beyondPeak } from '../roofline/achievement.js';
import { runtimeOf } from '../runtime/detectRuntime.js';
import { traceSummary, type TraceSummary } from '../summary/traceSummary.js';
import { buildLayerResult, type LayerResult } from './layers.js';
import { TOOL } from '../contract/tool.js';
import type { DiagnoseResult } from '../contract/results.js';
import { buildStepRows, type StepRowResult } from './steps.js';
import { buildKernelTables, type PhaseKernelsResult } from './kernels.js';
import { fastStepsText } from '../steps/fastSteps.js';
import type { BetweenSteps } from '../breakdown/betweenSteps.js';
import { captureGaps, type CaptureGaps } from './doctor.js';

/** A device's phase over its steady steps (analyzer/breakdown/phaseSummary.ts): sums, shares of the summed spans, means. */
export interface PhaseResult {
  /** Sums over the steady steps. */
  timeNs: Record<KernelClass | 'idle', number>;
  spanNs: number;
  busyNs: number;
  commNs: number;
  /** Communication split: data moving (each collective's transfer) and waiting for other ranks. */
  commTransferNs: number;
  commWaitNs: number;
  exposedCommNs: number;
  overlapNs: number;
  /** Parts of the summed spans (overlap: of the summed communication). */
  commShare: number;
  overlap: number;
  exposedCommShare: number;
  idleShare: number;
  /** Means per steady step (the sums over the steady step count), the numbers every table shows. */
  perStepNs: Record<KernelClass | 'idle' | 'span' | 'commTransfer' | 'commWait' | 'exposedComm', number> &
    Partial<Record<'moeExperts' | 'moeRouting' | 'moeDispatch', number>>;
  /** The moe class in parts, sums over the steady steps (analyzer/classify/moeParts.ts); absent when the phase runs no MoE. */
  moeNs?: { experts: number; routing: number; dispatch: number };
  /** FP8 GEMMs and the quantisation of their inputs, sums over the steady steps (analyzer/classify/quantParts.ts); absent without FP8 GEMMs. */
  fp8?: { gemmNs: number; quantNs: number };
  /** Layers per step (median), when layers were found. */
  layers: number | null;
  /** Steps left out of the numbers: `outlier` (too slow) or `earlier-pass` (a warm-up pass; StepSet.passes), with where they ran (session clock, ns). */
  outliers: { name: string; spanNs: number; ratio: number; reason: 'outlier' | 'regime' | 'earlier-pass'; startNs: number }[];
  /** The GPU between consecutive steady steps (analyzer/breakdown/betweenSteps.ts): null with fewer than two in a row. */
  between: BetweenResult | null;
}

export interface BetweenResult {
  pairs: number;
  periodNs: number;
  spanNs: number;
  gapNs: number;
  totalNs: number;
  idleNs: number;
  idleShare: number;
  hostCalls: { name: string; source: 'cuda' | 'os'; ns: number; gaps: number }[];
  uncoveredNs: number;
  longest: { startNs: number; endNs: number } | null;
}

export interface StepStats {
  /** Every step of the phase, outliers included. */
  count: number;
  /** The steps the phase's times and shares describe (the rest are outliers). */
  steadyCount: number;
  medianNs: number | null;
  p10Ns: number | null;
  p90Ns: number | null;
  minNs: number | null;
  maxNs: number | null;
}

export interface DeviceResult {
  deviceId: number;
  label: string;
  name: string | null;
  file: string;
  steps: Record<'decode' | 'prefill', StepStats> & { step?: StepStats; mixed?: StepStats };
  decode: PhaseResult | null;
  prefill: PhaseResult | null;
  step?: PhaseResult | null;
  /** Steps running prompt and decode tokens together (continuous batching); present when the trace has some. */
  mixed?: PhaseResult | null;
}

export interface SizeClassResult {
  op: string;
  phase: string;
  bytes: number | null;
  bytesSource: 'payload' | 'model' | null;
  kernel: string;
  ranks: number;
  count: number;
  transferMedianNs: number;
  transferP10Ns: number;
  transferP90Ns: number;
  transferNs: number;
  kernelNs: number;
  waitNs: number;
  skewMedianNs: number;
  skewP90Ns: number;
  lastArriver: Record<string, number>;
  algGBps: number | null;
  busGBps: number | null;
  expectedBusGBps: number | null;
  latencyBound: boolean;
}

export interface CollectivesResult {
  count: number;
  /** Sum over instances of the transfer time (the shortest rank's kernel). */
  transferNs: number | null;
  /** Sum over instances and ranks of kernel time beyond the transfer. */
  waitNs: number | null;
  kernelNs: number | null;
  /** deviceId → instances it arrived last to. */
  lastArriver: Record<string, number>;
  devices: { deviceId: number; kernelNs: number; waitNs: number; lastArrivals: number; instances: number }[];
  sizeClasses: SizeClassResult[];
  gpu: string | null;
}


export interface RegimeResult {
  deviceId: number;
  label: string;
  phase: string;
  count: number;
  firstStep: string;
  lastStep: string;
  startNs: number;
  endNs: number;
  medianNs: number;
  meanNs: number;
  typicalNs: number;
  perStepNs: Record<KernelClass | 'idle', number>;
  steadyPerStepNs: Record<KernelClass | 'idle', number>;
  hostCalls: { name: string; source: 'cuda' | 'os'; ns: number }[];
  uncoveredNs: number;
}

/** How steps were found, how sure that is, and which of them the numbers describe (analyzer/steps/types.ts). */
export interface StepDetection {
  source: StepSource;
  /** True when the user chose the source or the ranges (--step-source, --steps). */
  forced: boolean;
  description: string;
  confidence: Confidence;
  confidenceNote: string;
  /** Where the phases come from: the range names, or the kernels. */
  phaseSource: 'names' | 'kernels' | 'none';
  /** The repeating kernel sequence the steps were cut from (source `rhythm`). */
  rhythm: { sitesPerStep: number; regularity: number; periodNs: number; periodSpread: number; gapNs: number } | null;
  /** Runs of steps the workload repeats (a warm-up pass, then the measured one); session clock, ns. */
  passes: { index: number; startNs: number; endNs: number; counts: Partial<Record<Phase, number>>; reason: string | null }[];
  /** The pass the numbers describe, or null when they describe every pass. */
  measuredPass: number | null;
  /** First to last step the numbers describe, all devices (session clock, ns). */
  window: { startNs: number; endNs: number } | null;
}

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

export interface RooflineRow {
  deviceId: number;
  phase: 'prefill' | 'decode';
  tp: number;
  layers: number;
  /** trace: the layers the steps show; model: none found, the model's depth assumed. */
  layersFrom: 'trace' | 'model';
  flopsPerStep: number;
  bytesPerStep: number;
  /** Mean per steady step: GEMM + attention kernel time, and the step span. */
  computeNs: number;
  spanNs: number;
  tflopsOverCompute: number;
  tflopsOverSpan: number;
  hbmGBpsOverCompute: number;
  hbmGBpsOverSpan: number;
  peakTflops: number;
  peakHbmGBps: number;
  bound: 'compute' | 'memory';
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
