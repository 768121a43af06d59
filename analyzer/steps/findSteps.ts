/**
 * Finding the steps (docs/architecture.md §3): NVTX ranges when the trace has step ranges (or the user names them), else
 * the forward pass's rhythm in the kernels (graph replays and eager work between them included), else one
 * step per CUDA graph replay, else stretches of GPU work between idle gaps. Then passes, the steps the
 * numbers describe, and how sure the split is: all on the StepSet, so every command reads the same steps.
 */
import { createClassifier } from '../classify/classifier.js';
import { classifyOps } from '../classify/opClasses.js';
import type { TraceModel } from '../model/types.js';
import { OpKind } from '../model/types.js';
import { lowerMedian, nearestRankQuantile } from '../util/stats.js';
import { launchers, processesWithoutGpuWork } from './launchers.js';
import { autoStepRanges, rangeKind, rangesMatching, type RangeOverlap, type StepRange } from './nvtxSteps.js';
import { describeCounts, devicePasses, measuredPassOf, summarisePasses } from './passes.js';
import { phasesFromKernels } from './phaseFromKernels.js';
import { buildLaunchIndex, projectRange } from './projection.js';
import { rhythmSteps, type RhythmResult } from './rhythmSteps.js';
import { splitRounds, subForwards, type SubForwards } from './subForwards.js';
import { steadiness } from './steady.js';
import type { Pass, Rhythm, Step, StepSet } from './types.js';
import type { Confidence, Phase, StepSource } from '../contract/vocabulary.js';

export interface StepOptions {
  /** Regular expression on NVTX range text; overrides auto-detection. */
  steps?: RegExp;
  /** Force a source instead of the NVTX → rhythm → graph → gaps order. */
  source?: StepSource;
  /** Keep only steps whose device span lies inside [from, to] (ns, session clock). */
  from?: number;
  to?: number;
  /** Idle gap that separates steps in the gap fallback (ns). */
  gapNs?: number;
}

export const DEFAULT_GAP_NS = 1_000_000;

export interface Draft {
  name: string;
  phase: Phase;
  device: number;
  ops: Uint32Array;
  hostStart: number;
  hostEnd: number;
  thread: number;
}

interface Found {
  source: StepSource;
  description: string;
  drafts: Draft[];
  phaseSource: StepSet['phaseSource'];
  rhythm?: RhythmResult;
}

const ms = (ns: number) => (ns >= 10e6 ? (ns / 1e6).toFixed(1) : (ns / 1e6).toFixed(2));
const sec = (ns: number) => (ns / 1e9).toFixed(3);

function fromRanges(model: TraceModel, ranges: StepRange[]): Draft[] {
  const index = buildLaunchIndex(model);
  const drafts: Draft[] = [];
  for (const r of ranges) {
    for (const [device, opsOf] of projectRange(model, index, r.thread, r.start, r.end, r.cut)) {
      drafts.push({ name: r.name, phase: r.phase, device, ops: opsOf, hostStart: r.start, hostEnd: r.end, thread: r.thread });
    }
  }
  return drafts;
}

/** One step per graph replay and device: graph kernels share their launch's correlation id. */
function fromGraphs(model: TraceModel): Draft[] {
  const { ops } = model;
  const groups = new Map<string, number[]>();
  for (let i = 0; i < ops.n; i++) {
    if (!(ops.fromGraph[i] === 1 || ops.kind[i] === OpKind.graph)) continue;
    const key = `${ops.process[i]}:${ops.correlation[i]}:${ops.device[i]}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(i);
  }
  let k = 0;
  return [...groups.values()].map((list) => {
    const first = list[0]!;
    return {
      name: `graph replay ${k++}`, phase: 'decode' as Phase, device: ops.device[first]!, ops: Uint32Array.from(list),
      hostStart: ops.launchStart[first]!, hostEnd: ops.launchStart[first]!, thread: ops.thread[first]!,
    };
  });
}

/** Steps as stretches of GPU work separated by idle gaps of at least gapNs, per device. */
function fromGaps(model: TraceModel, gapNs: number): Draft[] {
  const { ops } = model;
  const drafts: Draft[] = [];
  const current: (number[] | null)[] = model.devices.map(() => null);
  const busyEnd = model.devices.map(() => -Infinity);
  const counts = model.devices.map(() => 0);
  // A stretch of copies and fills alone (a CUDA graph's input copy before its replay, a token copied back)
  // is no step: it joins the work that follows it, or, at the end, the step before it.
  const hasWork = (list: number[]) => list.some((i) => ops.kind[i] === OpKind.kernel || ops.kind[i] === OpKind.graph);
  const last: (Draft | null)[] = model.devices.map(() => null);
  const flush = (d: number, final = false) => {
    const list = current[d];
    if (list && list.length && (hasWork(list) || (final && !last[d]))) {
      const draft: Draft = { name: `step ${counts[d]!++}`, phase: 'step', device: d, ops: Uint32Array.from(list), hostStart: ops.start[list[0]!]!, hostEnd: busyEnd[d]!, thread: -1 };
      drafts.push(draft);
      last[d] = draft;
      current[d] = [];
    } else if (list && list.length && final) {
      const prev = last[d]!;
      prev.ops = Uint32Array.from([...prev.ops, ...list]);
      prev.hostEnd = busyEnd[d]!;
      current[d] = [];
    } else if (!list) current[d] = [];
  };
  for (let i = 0; i < ops.n; i++) {
    const d = ops.device[i]!;
    if (current[d] === null || ops.start[i]! - busyEnd[d]! >= gapNs) flush(d);
    current[d]!.push(i);
    busyEnd[d] = Math.max(busyEnd[d]!, ops.end[i]!);
  }
  model.devices.forEach((_, d) => flush(d, true));
  return drafts;
}

function fromRhythm(model: TraceModel, opClass: Uint8Array, moePart?: Uint8Array): { drafts: Draft[]; rhythm: RhythmResult } | null {
  const found = rhythmSteps(model, opClass);
  if (!found) return null;
  const r = splitRounds(model, opClass, found);
  const phases = phasesFromKernels(model, opClass, r.drafts.map((d) => ({ device: d.device, ops: d.ops, visible: d.sites > 0 || ![...d.ops].some((o) => model.ops.kind[o] === OpKind.graph), complete: d.sites === 0 || d.sites === r.sitesPerStep, gapBeforeNs: d.gapBeforeNs })), moePart);
  const counter = new Map<number, number>();
  const drafts = r.drafts.map((d, i): Draft => {
    const k = counter.get(d.device) ?? 0;
    counter.set(d.device, k + 1);
    const first = d.ops[0]!;
    return { name: `forward ${k}`, phase: phases[i]!, device: d.device, ops: d.ops, hostStart: model.ops.start[first]!, hostEnd: model.ops.start[first]!, thread: -1 };
  });
  return { drafts, rhythm: r };
}

/** What the trace has, for descriptions that never claim its absence wrongly. */
function nvtxKinds(model: TraceModel): string[] {
  const { ranges, kinds } = autoStepRanges(model);
  return ranges.length ? kinds : [];
}

const quoteKinds = (kinds: string[]) => kinds.slice(0, 6).map((k) => `"${k}"`).join(', ');

/** The warning for step ranges that overlap on their thread (each cut where the next begins). */
function overlapWarning(o: RangeOverlap): string[] {
  if (o.count === 0) return [];
  return [
    `${o.count} NVTX step range(s) reach into the next on the same thread (by up to ${ms(o.maxNs)} ms): each op counts once, ` +
      'in the step it was launched in, the later range\'s where they overlap; push and pop the ranges so each closes before the next opens',
  ];
}

function tryNvtx(model: TraceModel, warnings: string[]): Found | null {
  const { ranges, kinds, overlap } = autoStepRanges(model);
  const drafts = fromRanges(model, ranges);
  if (!drafts.some((d) => d.ops.length > 0)) return null;
  warnings.push(...overlapWarning(overlap));
  return { source: 'nvtx', description: `NVTX ranges ${quoteKinds(kinds)} (auto-detected)`, drafts, phaseSource: 'names' };
}

export function findSteps(model: TraceModel, opt: StepOptions = {}, opClass?: Uint8Array, moePart?: Uint8Array): StepSet {
  const warnings: string[] = [];
  const gapNs = opt.gapNs ?? DEFAULT_GAP_NS;
  const cls = () => {
    if (!opClass) ({ opClass, moePart } = classifyOps(model, createClassifier()));
    return opClass;
  };
  const forced = !!opt.steps || !!opt.source;
  const gapsText = `GPU work between idle gaps of ≥ ${(gapNs / 1e6).toFixed(1)} ms`;
  let found: Found | null = null;

  if (opt.steps) {
    const overlap = { count: 0, maxNs: 0 };
    const ranges = rangesMatching(model, opt.steps, overlap);
    warnings.push(...overlapWarning(overlap));
    if (ranges.length === 0) warnings.push(`no NVTX range matches --steps ${opt.steps.source}`);
    const kinds = [...new Set(ranges.map((r) => rangeKind(r.name)))];
    found = { source: 'nvtx', description: `NVTX ranges matching /${opt.steps.source}/ (${quoteKinds(kinds)})`, drafts: fromRanges(model, ranges), phaseSource: 'names' };
  } else if (opt.source) {
    // A forced source says it was forced, and what the trace offered besides.
    const kinds = opt.source === 'nvtx' ? [] : nvtxKinds(model);
    const besides = kinds.length ? `; the trace has NVTX step ranges ${quoteKinds(kinds)}` : '';
    const why = `forced with --step-source ${opt.source}${besides}`;
    if (opt.source === 'nvtx') {
      found = tryNvtx(model, warnings);
      if (found) found.description = `NVTX ranges ${quoteKinds(nvtxKinds(model))} (forced with --step-source nvtx)`;
      else warnings.push('--step-source nvtx: the trace has no NVTX step ranges with GPU work; steps come from idle gaps instead');
    } else if (opt.source === 'rhythm') {
      const r = fromRhythm(model, cls(), moePart);
      if (r) found = { source: 'rhythm', description: `why:${why}`, drafts: r.drafts, phaseSource: 'kernels', rhythm: r.rhythm };
      else warnings.push('--step-source rhythm: the kernels show no forward-pass rhythm (no attention kernels or graph replays, or nothing between forwards that tells them apart); steps come from idle gaps instead');
    } else if (opt.source === 'graph') {
      const drafts = fromGraphs(model);
      if (drafts.length) found = { source: 'graph', description: `CUDA graph replays, one step each (${why})`, drafts, phaseSource: 'none' };
      else warnings.push('--step-source graph: the trace has no CUDA graph launches; steps come from idle gaps instead');
    } else {
      found = { source: 'gaps', description: `${gapsText} (${why})`, drafts: fromGaps(model, gapNs), phaseSource: 'none' };
    }
    if (!found) found = { source: 'gaps', description: `${gapsText} (--step-source ${opt.source} found no steps)`, drafts: fromGaps(model, gapNs), phaseSource: 'none' };
  } else {
    found = tryNvtx(model, warnings);
    if (!found) {
      const r = fromRhythm(model, cls(), moePart);
      if (r) found = { source: 'rhythm', description: 'why:no NVTX step ranges', drafts: r.drafts, phaseSource: 'kernels', rhythm: r.rhythm };
    }
    if (!found) {
      const drafts = fromGraphs(model);
      if (drafts.length) found = { source: 'graph', description: 'CUDA graph replays (no NVTX step ranges)', drafts, phaseSource: 'none' };
    }
    if (!found) found = { source: 'gaps', description: `${gapsText} (no NVTX step ranges, no CUDA graphs, no forward-pass rhythm in the kernels)`, drafts: fromGaps(model, gapNs), phaseSource: 'none' };
  }
  if (found.phaseSource === 'kernels') {
    const training = trainingKernel(model, found.drafts);
    if (training) {
      for (const d of found.drafts) d.phase = 'step';
      found.phaseSource = 'none';
      warnings.push(`the steps run backward or optimizer kernels (${training}): a training iteration, not inference; prefill and decode do not apply, the steps are reported as steps`);
    }
  }
  return finish(model, found, opt, forced, warnings, opClass);
}

/** Kernels of a backward pass or an optimizer step (PyTorch autograd and fused optimizers, FlashAttention's backward). */
const TRAINING = /backward|Backward|_bwd|bwd_|BwdKernel|grad_input|grad_weight|[wd]grad|multi_tensor_apply|[Ff]used_?[Aa]dam|adam_kernel|AdamW|_fused_sgd|clip_grad/;

/** The name of a training kernel, when at least half the steps run one. */
function trainingKernel(model: TraceModel, drafts: Draft[]): string | null {
  const isTraining = Uint8Array.from(model.opNames, (n) => (TRAINING.test(n.short) ? 1 : 0));
  let hits = 0;
  let example: string | null = null;
  for (const d of drafts) {
    const o = [...d.ops].find((i) => isTraining[model.ops.name[i]!]);
    if (o === undefined) continue;
    hits++;
    example ??= model.opNames[model.ops.name[o]!]!.short;
  }
  return drafts.length > 0 && hits * 2 >= drafts.length ? example : null;
}

/** Stage 1: the drafts as steps (empty ones dropped, the window kept to), by device and start, numbered. */
export function orderSteps(model: TraceModel, drafts: readonly Draft[], opt: Pick<StepOptions, 'from' | 'to'>): { steps: Step[]; byDevice: Step[][] } {
  const { ops } = model;
  let steps: Step[] = drafts
    .filter((d) => d.ops.length > 0)
    .map((d) => {
      let end = -Infinity;
      for (const i of d.ops) end = Math.max(end, ops.end[i]!);
      return { index: 0, name: d.name, phase: d.phase, device: d.device, ordinal: 0, start: ops.start[d.ops[0]!]!, end, ops: d.ops, hostStart: d.hostStart, hostEnd: d.hostEnd, thread: d.thread, pass: 0 };
    });
  if (isWindowed(opt)) {
    const from = opt.from ?? -Infinity;
    const to = opt.to ?? Infinity;
    steps = steps.filter((s) => s.start >= from && s.end <= to);
  }
  steps.sort((a, b) => a.device - b.device || a.start - b.start);
  const byDevice: Step[][] = model.devices.map(() => []);
  steps.forEach((s, i) => {
    s.index = i;
    const list = byDevice[s.device]!;
    s.ordinal = list.length;
    list.push(s);
  });
  return { steps, byDevice };
}

const isWindowed = (opt: Pick<StepOptions, 'from' | 'to'>) => opt.from !== undefined || opt.to !== undefined;

/**
 * Stage 2: passes, per device (each step's `pass` set), and the pass the numbers describe; a window the
 * user chose is analysed whole. Steps cut at idle gaps are no forwards: passes of them would be noise on noise.
 */
export function assignPasses(byDevice: Step[][], source: StepSource, windowed: boolean): { passes: Pass[]; measuredPass: number | null } {
  let reasons: string[] = [];
  for (const list of byDevice) {
    if (source === 'gaps') break;
    const r = devicePasses(list, source === 'nvtx');
    list.forEach((s, k) => (s.pass = r.pass[k]!));
    if (r.reasons.length > reasons.length) reasons = r.reasons;
  }
  const passes = summarisePasses(byDevice, reasons);
  return { passes, measuredPass: windowed ? null : measuredPassOf(passes) };
}

/** Stage 3: the steps the numbers describe (the measured pass, or a device's last one before it), the steady ones, and their span. */
export function describedSteps(steps: Step[], byDevice: Step[][], source: StepSource, measuredPass: number | null) {
  const lastOf = byDevice.map((l) => (l.length ? l[l.length - 1]!.pass : -1));
  const described = (s: Step) => measuredPass === null || s.pass === Math.min(measuredPass, lastOf[s.device]!);
  const { steady, exclusion } = steadiness(steps, source, described);
  const kept = steps.filter((s) => steady[s.index]);
  const window = kept.length ? { start: Math.min(...kept.map((s) => s.start)), end: Math.max(...kept.map((s) => s.end)) } : null;
  return { steady, exclusion, kept, window };
}

/** Stage 4: what a rhythm split says of itself; `description` is the found one, `why:` and the reason. */
export function rhythmDescription(description: string, r: Rhythm): string {
  const why = description.slice(4);
  const what = r.sitesPerStep > 0 ? `${r.sitesPerStep} attention site${r.sitesPerStep === 1 ? '' : 's'} per step` : 'one CUDA graph replay per step';
  return `the forward pass's repeating kernel sequence (${what}, a step every ${ms(r.periodNs)} ms; ${why})`;
}

/** Stage 5: the warning for steps that hold forwards of several depths, and the depths as the confidence note shows them. */
export function mixedDepthsWarning(mixedDepths: SubForwards): { warning: string; shown: string } {
  // Several models in one period of the rhythm: a step is a round of them, not one forward.
  // Two depths (subForwards insists): the deeper model verifies, so it is the target; the other drafts.
  const deepest = Math.max(...mixedDepths.byDepth.map((d) => d.depth));
  const parts = mixedDepths.byDepth
    .map((d) => `${d.depth === deepest ? 'the target' : 'the draft'} (${d.depth} attention site${d.depth === 1 ? '' : 's'}) ${d.forwards} forwards, ${(100 * d.ns / mixedDepths.totalNs).toFixed(0)}%`)
    .join('; ');
  const shown = mixedDepths.depths.length > 12 ? `${mixedDepths.depths.slice(0, 12).join(', ')}, …` : mixedDepths.depths.join(', ');
  return {
    warning: `each step holds ${mixedDepths.forwardsPerStep} forward passes of different depths (attention sites ${shown}): models of different depth alternate, ` +
      `as in speculative decoding (a draft proposing tokens, the target verifying them); a step here is one round, ` +
      `ending with the deeper model's forward, and prefill / decode describe the round as a whole. Time by model over the steady steps: ${parts}`,
    shown,
  };
}

/** Stage 6: with several passes, which one the numbers describe and how to choose another; null with one. */
export function passesWarning(passes: readonly Pass[], measuredPass: number | null, source: StepSource): string | null {
  if (!(passes.length > 1 && measuredPass !== null)) return null;
  const m = passes[measuredPass]!;
  const others = passes.filter((p) => p.index !== measuredPass).map((p) => `pass ${p.index + 1} (${describeCounts(p.counts)}, ${sec(p.start)}–${sec(p.end)} s)`);
  return `${passes.length} passes: the numbers describe pass ${measuredPass + 1} (${describeCounts(m.counts)} per GPU, ${sec(m.start)}–${sec(m.end)} s); ` +
    `${others.join(', ')} ${others.length === 1 ? 'is' : 'are'} left out as warm-up; --from / --to choose another window` +
    (source === 'nvtx' ? '' : ', or capture one pass with --capture-range=cudaProfilerApi');
}

/**
 * Stage 7: a whole-process capture: which part the numbers describe, and how to pick another; null when
 * the described window covers half the GPU work's span or more, or every op is in a step.
 */
export function windowWarning(model: TraceModel, steps: readonly Step[], window: { start: number; end: number }, source: StepSource): string | null {
  const { ops } = model;
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < ops.n; i++) {
    first = Math.min(first, ops.start[i]!);
    last = Math.max(last, ops.end[i]!);
  }
  const outside = ops.n - steps.reduce((n, s) => n + s.ops.length, 0);
  if (!(window.end - window.start < 0.5 * (last - first) && outside > 0)) return null;
  return `the numbers describe ${sec(window.start)}–${sec(window.end)} s of GPU work that spans ${sec(first)}–${sec(last)} s; ` +
    `${outside} GPU ops are in no step (set-up, compile, graph capture, or work the step split missed); --from / --to choose the window` +
    (source === 'nvtx' ? '' : ', or capture only the measured part with --capture-range=cudaProfilerApi');
}

/**
 * Stage 8: the processes that launch the described steps' work and those that launch none, with a warning
 * when it matters. One process per GPU is the usual TP layout and needs no note; several processes feeding
 * one GPU, or processes that launch nothing beside those that do, do.
 */
export function processesNote(model: TraceModel, kept: Step[]) {
  const { ops } = model;
  const launching = launchers(model, kept);
  const idleProcesses = processesWithoutGpuWork(model, launching);
  const perDevice = new Map<number, Set<number>>();
  for (const s of kept) for (const o of s.ops) {
    let set = perDevice.get(s.device);
    if (!set) perDevice.set(s.device, (set = new Set()));
    set.add(ops.process[o]!);
  }
  let warning: string | null = null;
  if ([...perDevice.values()].some((set) => set.size > 1) || idleProcesses.length) {
    const who = launching.map((l) => `${l.name || 'process'} (pid ${l.pid}): ${l.ops} GPU ops, ${(l.idleBeforeNs / 1e6).toFixed(1)} ms of GPU idle in the steps before its launches`);
    const none = idleProcesses.map((p) => `${p.name || 'process'} (pid ${p.pid})`);
    warning = `several processes: ${who.join('; ')}${none.length ? `; no GPU work: ${none.join(', ')}` : ''}`;
  }
  return { launching, idleProcesses, warning };
}

/** The found drafts as the StepSet: steps → passes → described steps → rhythm → confidence → warnings. */
function finish(model: TraceModel, found: Found, opt: StepOptions, forced: boolean, warnings: string[], opClass?: Uint8Array): StepSet {
  const { source } = found;
  const { steps, byDevice } = orderSteps(model, found.drafts, opt);
  const { passes, measuredPass } = assignPasses(byDevice, source, isWindowed(opt));
  const { steady, exclusion, kept, window } = describedSteps(steps, byDevice, source, measuredPass);
  const rhythm = found.rhythm ? rhythmInfo(model, found.rhythm, byDevice, steady) : null;
  const description = source === 'rhythm' ? rhythmDescription(found.description, rhythm!) : found.description;
  let { confidence, note } = confidenceOf(source, forced, rhythm, found.rhythm ?? null);
  if (confidence === 'low') warnings.push(`step split unreliable: ${note}`);
  const mixedDepths = source === 'rhythm' && opClass ? subForwards(model, opClass, kept) : null;
  if (mixedDepths) {
    const { warning, shown } = mixedDepthsWarning(mixedDepths);
    warnings.push(warning);
    if (confidence === 'high') {
      confidence = 'medium';
      note = `${note}; but each step holds forwards of different depths (${shown})`;
    }
  }
  const multiPass = passesWarning(passes, measuredPass, source);
  if (multiPass) warnings.push(multiPass);
  else if (window) {
    const w = windowWarning(model, steps, window, source);
    if (w) warnings.push(w);
  }
  const { launching, idleProcesses, warning } = processesNote(model, kept);
  if (warning) warnings.push(warning);
  return {
    source, forced, description, confidence, confidenceNote: note, phaseSource: found.phaseSource, rhythm, steps, byDevice,
    passes, measuredPass, steady, exclusion, window, launchers: launching, idleProcesses, warnings,
  };
}

/** Period and gap of the described steps: start to next start, and the idle at each cut. */
export function rhythmInfo(model: TraceModel, r: RhythmResult, byDevice: Step[][], steady: Uint8Array): Rhythm {
  const periods: number[] = [];
  const gaps: number[] = [];
  for (const list of byDevice) {
    for (let k = 0; k + 1 < list.length; k++) {
      const a = list[k]!;
      const b = list[k + 1]!;
      if (!steady[a.index] || !steady[b.index] || a.pass !== b.pass || a.phase !== b.phase) continue;
      periods.push(b.start - a.start);
      gaps.push(Math.max(0, b.start - a.end));
    }
  }
  const inSteps = byDevice.flat().reduce((n, s) => n + s.ops.length, 0);
  const p = lowerMedian(periods);
  return {
    sitesPerStep: r.sitesPerStep,
    regularity: r.regularity,
    periodNs: p,
    periodSpread: periods.length ? (nearestRankQuantile(periods, 0.9) - nearestRankQuantile(periods, 0.1)) / p : NaN,
    gapNs: lowerMedian(gaps),
    outsideOps: model.ops.n - inSteps,
  };
}

export function confidenceOf(source: StepSource, forced: boolean, rhythm: Rhythm | null, r: RhythmResult | null): { confidence: Confidence; note: string } {
  if (source === 'nvtx') return { confidence: 'high', note: forced ? 'the ranges you named' : 'the trace names its steps' };
  if (source === 'graph') return { confidence: 'medium', note: 'one CUDA graph replay per step: eager work between replays is left out, and an engine that replays several graphs per step is miscounted' };
  if (source === 'gaps') return { confidence: 'low', note: 'steps cut at GPU idle gaps: a step may be several forward passes or a part of one; name steps with NVTX ranges or pass --steps' };
  const rh = rhythm!;
  const spread = Number.isFinite(rh.periodSpread) ? `, the period varies ${(rh.periodSpread * 100).toFixed(0)}% (p10–p90)` : '';
  const regular = `${((r?.regularity ?? 1) * 100).toFixed(0)}% of forward passes show the same ${rh.sitesPerStep} attention sites`;
  const base = rh.sitesPerStep > 0 ? `${regular}${spread}` : `one step per CUDA graph replay${spread}`;
  if ((r?.regularity ?? 1) >= 0.9 && !(rh.periodSpread > 0.5)) return { confidence: 'high', note: `steps from the kernels' rhythm: ${base}` };
  if ((r?.regularity ?? 1) >= 0.7) return { confidence: 'medium', note: `steps from the kernels' rhythm: ${base}` };
  return { confidence: 'low', note: `steps from the kernels' rhythm, which is irregular: ${base}` };
}
