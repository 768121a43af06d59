/**
 * The one Result object every output format renders (DESIGN 6 JSON contract, plus fields the other formats
 * use). Built from the analysis and the findings; contains only plain data.
 */
import { KERNEL_CLASSES, type KernelClass } from '../classify/kernelClasses.js';
import type { Analysis } from '../analysis.js';
import type { PhaseSummary } from '../breakdown/phaseSummary.js';
import type { Phase } from '../steps/types.js';
import type { Finding } from '../../rules/types.js';
import { achievements } from '../roofline/achievement.js';
import { detectRuntime } from '../runtime/detectRuntime.js';
import { fastStepsText } from '../steps/fastSteps.js';

export const TOOL_VERSION = '0.1.0';

export interface PhaseResult {
  timeNs: Record<KernelClass | 'idle', number>;
  spanNs: number;
  busyNs: number;
  commNs: number;
  exposedCommNs: number;
  overlapNs: number;
  commShare: number;
  overlap: number;
  exposedCommShare: number;
  idleShare: number;
  /** Layers per step (median), when layers were found. */
  layers: number | null;
  /** Steps not in the numbers: `outlier` (too slow) or `earlier-pass` (a warm-up pass; StepSet.passes). */
  outliers: { name: string; spanNs: number; ratio: number; reason: 'outlier' | 'earlier-pass' }[];
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

export interface DiagnoseResult {
  schemaVersion: 1;
  tool: { name: 'nsys-tp'; version: string };
  trace: {
    path: string;
    paths: string[];
    nsysVersion: string | null;
    exportSchema: string | null;
    gpus: { deviceId: number; name: string; smCount: number | null; memoryBandwidthGBps: number | null }[];
    cudaGraphTraceMode: string | null;
    runtime: { id: string; name: string; evidence: string | null };
  };
  /** How steps were found and how sure that is (StepSet.source / description / confidence); passes, the
   *  analysed window and unsure splits are in `warnings`. */
  stepDetection: { source: string; description: string; confidence: string };
  devices: DeviceResult[];
  collectives: CollectivesResult;
  /** Achieved FLOP/s and HBM bandwidth per GPU and phase; present with --model and --batch. */
  roofline: RooflineRow[] | null;
  findings: Finding[];
  warnings: string[];
}

export interface RooflineRow {
  deviceId: number;
  phase: 'prefill' | 'decode';
  tp: number;
  layers: number;
  flopsPerStep: number;
  bytesPerStep: number;
  /** Median per steady step: GEMM + attention kernel time, and the step span. */
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

function phaseResult(p: PhaseSummary | undefined, layers: number | null): PhaseResult | null {
  if (!p) return null;
  return {
    timeNs: p.timeNs, spanNs: p.totalSpanNs, busyNs: p.busyNs, commNs: p.commNs, exposedCommNs: p.exposedCommNs,
    overlapNs: p.overlapNs, commShare: p.commShare, overlap: p.overlap, exposedCommShare: p.exposedCommShare,
    idleShare: p.idleShare, layers, outliers: p.outliers.map(({ name, spanNs, ratio, reason }) => ({ name, spanNs, ratio, reason })),
  };
}

/** Layer counts are provided by the layer analysis when it runs; absent, they are null. */
export type LayerCount = (device: number, phase: Phase) => number | null;

/** The model the user named and the trace disagree on depth: say which one the roofline used. */
function layerMismatch(a: Analysis): string[] {
  const w = a.options.workload;
  if (!w) return [];
  const seen = [...new Set(achievements(a).map((x) => x.layers))];
  return seen.filter((l) => l !== w.model.layers).map((l) => `--model has ${w.model.layers} layers but the trace's steps have ${l}: the roofline uses ${l}`);
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

export function buildResult(analysis: Analysis, findings: Finding[], extra: { layers?: LayerCount } = {}): DiagnoseResult {
  const { model } = analysis;
  const layers = extra.layers ?? (() => null);
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
      deviceId: d.deviceId, label: d.label, name: d.gpu?.name ?? null, file: model.files[d.file]!.path,
      steps: { decode: stepStats(dec), prefill: stepStats(pre) },
      decode: phaseResult(dec, layers(d.index, 'decode')),
      prefill: phaseResult(pre, layers(d.index, 'prefill')),
    };
    if (hasStepPhase) {
      r.steps.step = stepStats(stp);
      r.step = phaseResult(stp, layers(d.index, 'step'));
    }
    if (hasMixed) {
      const mix = analysis.phase(d.index, 'mixed');
      r.steps.mixed = stepStats(mix);
      r.mixed = phaseResult(mix, layers(d.index, 'mixed'));
    }
    return r;
  });
  const first = model.files[0]!;
  return {
    schemaVersion: 1,
    tool: { name: 'nsys-tp', version: TOOL_VERSION },
    trace: {
      path: first.path,
      paths: model.files.map((f) => f.path),
      nsysVersion: first.meta.nsysVersion,
      exportSchema: first.meta.exportSchema,
      gpus,
      cudaGraphTraceMode: first.meta.cudaGraphTraceMode,
      runtime: analysis.memo('runtime', () => detectRuntime(model)),
    },
    stepDetection: { source: analysis.steps.source, description: analysis.steps.description, confidence: analysis.steps.confidence },
    devices,
    collectives: collectivesResult(analysis),
    roofline: analysis.options.workload
      ? achievements(analysis).map((x) => ({
          deviceId: model.devices[x.device]!.deviceId, phase: x.phase, tp: x.tp, layers: x.layers, flopsPerStep: x.cost.flops,
          bytesPerStep: x.cost.weightBytes + x.cost.kvBytes, computeNs: x.computeNs, spanNs: x.spanNs,
          tflopsOverCompute: x.tflopsOverCompute, tflopsOverSpan: x.tflopsOverSpan, hbmGBpsOverCompute: x.hbmGBpsOverCompute,
          hbmGBpsOverSpan: x.hbmGBpsOverSpan, peakTflops: x.peakTflops, peakHbmGBps: x.peakHbmGBps, bound: x.bound,
        }))
      : null,
    findings,
    warnings: [...model.warnings, ...analysis.steps.warnings, ...fastStepsText(analysis), ...analysis.collectives.warnings, ...layerMismatch(analysis)],
  };
}

export const CLASS_ROWS: readonly (KernelClass | 'idle')[] = [...KERNEL_CLASSES, 'idle'];
