/**
 * Finding the steps (DESIGN 3): NVTX ranges when the trace has step ranges (or the user names them), else
 * CUDA graph launches (one replay = one decode step), else stretches of GPU work between idle gaps.
 */
import type { TraceModel } from '../model/types.js';
import { OpKind } from '../model/types.js';
import { autoStepRanges, rangeKind, rangesMatching, type StepRange } from './nvtxSteps.js';
import { buildLaunchIndex, projectRange } from './projection.js';
import type { Phase, Step, StepSet, StepSource } from './types.js';

export interface StepOptions {
  /** Regular expression on NVTX range text; overrides auto-detection. */
  steps?: RegExp;
  /** Force a source instead of the NVTX → graph → gaps order. */
  source?: StepSource;
  /** Keep only steps whose device span lies inside [from, to] (ns, session clock). */
  from?: number;
  to?: number;
  /** Idle gap that separates steps in the gap fallback (ns). */
  gapNs?: number;
}

export const DEFAULT_GAP_NS = 1_000_000;

interface Draft {
  name: string;
  phase: Phase;
  device: number;
  ops: Uint32Array;
  hostStart: number;
  hostEnd: number;
  thread: number;
}

function finish(model: TraceModel, source: StepSource, description: string, drafts: Draft[], opt: StepOptions, warnings: string[]): StepSet {
  const { ops } = model;
  let steps: Step[] = drafts
    .filter((d) => d.ops.length > 0)
    .map((d) => {
      let end = -Infinity;
      for (const i of d.ops) end = Math.max(end, ops.end[i]!);
      return { index: 0, name: d.name, phase: d.phase, device: d.device, ordinal: 0, start: ops.start[d.ops[0]!]!, end, ops: d.ops, hostStart: d.hostStart, hostEnd: d.hostEnd, thread: d.thread };
    });
  if (opt.from !== undefined || opt.to !== undefined) {
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
  return { source, description, steps, byDevice, warnings };
}

function fromRanges(model: TraceModel, ranges: StepRange[]): Draft[] {
  const index = buildLaunchIndex(model);
  const drafts: Draft[] = [];
  for (const r of ranges) {
    for (const [device, opsOf] of projectRange(model, index, r.thread, r.start, r.end)) {
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
  const flush = (d: number) => {
    const list = current[d];
    if (list && list.length) {
      drafts.push({ name: `step ${counts[d]!++}`, phase: 'step', device: d, ops: Uint32Array.from(list), hostStart: ops.start[list[0]!]!, hostEnd: busyEnd[d]!, thread: -1 });
    }
    current[d] = [];
  };
  for (let i = 0; i < ops.n; i++) {
    const d = ops.device[i]!;
    if (current[d] === null || ops.start[i]! - busyEnd[d]! >= gapNs) flush(d);
    current[d]!.push(i);
    busyEnd[d] = Math.max(busyEnd[d]!, ops.end[i]!);
  }
  model.devices.forEach((_, d) => flush(d));
  return drafts;
}

export function findSteps(model: TraceModel, opt: StepOptions = {}): StepSet {
  const warnings: string[] = [];
  const gapNs = opt.gapNs ?? DEFAULT_GAP_NS;
  if (opt.steps) {
    const ranges = rangesMatching(model, opt.steps);
    if (ranges.length === 0) warnings.push(`no NVTX range matches --steps ${opt.steps.source}`);
    const kinds = [...new Set(ranges.map((r) => rangeKind(r.name)))];
    return finish(model, 'nvtx', `NVTX ranges matching /${opt.steps.source}/ (${kinds.slice(0, 6).map((k) => `"${k}"`).join(', ')})`, fromRanges(model, ranges), opt, warnings);
  }
  if (!opt.source || opt.source === 'nvtx') {
    const { ranges, kinds } = autoStepRanges(model);
    const drafts = fromRanges(model, ranges);
    if (drafts.some((d) => d.ops.length > 0)) {
      return finish(model, 'nvtx', `NVTX ranges ${kinds.slice(0, 6).map((k) => `"${k}"`).join(', ')} (auto-detected)`, drafts, opt, warnings);
    }
    if (opt.source === 'nvtx') warnings.push('no NVTX step ranges with GPU work in this trace');
  }
  if (!opt.source || opt.source === 'graph') {
    const drafts = fromGraphs(model);
    if (drafts.length > 0) return finish(model, 'graph', 'CUDA graph replays (no NVTX step ranges)', drafts, opt, warnings);
    if (opt.source === 'graph') warnings.push('no CUDA graph launches in this trace');
  }
  return finish(model, 'gaps', `GPU work between idle gaps of ≥ ${(gapNs / 1e6).toFixed(1)} ms (no NVTX step ranges, no CUDA graphs)`, fromGaps(model, gapNs), opt, warnings);
}
