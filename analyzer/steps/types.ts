/**
 * Steps and what is known about how they were found. Everything a report says about step detection
 * (source, how sure, the rhythm, passes, the analysed window, which steps the numbers describe) is data
 * here, so every command reads the same steps and says the same about them.
 */
import type { Confidence, Exclusion, Phase, StepSource } from '../contract/vocabulary.js';

/** One model iteration on one device. */
export interface Step {
  /** Position in StepSet.steps. */
  index: number;
  name: string;
  phase: Phase;
  device: number;
  /** k-th step of this device (all phases, in time order): matches the same step on the other ranks. */
  ordinal: number;
  /** Span on the device: first op start to last op end (ns). */
  start: number;
  end: number;
  /** Ops of the step, sorted by start. */
  ops: Uint32Array;
  /** The host-side range (NVTX range, graph launch) the step was found from; for gap and rhythm steps, the span. */
  hostStart: number;
  hostEnd: number;
  /** Thread whose range made the step (-1 for graph, rhythm and gap steps). */
  thread: number;
  /** Index into StepSet.passes. */
  pass: number;
}

/** The repeating kernel sequence steps were cut from (source `rhythm`). */
export interface Rhythm {
  /** Attention sites (runs of attention kernels, no GEMM between) per forward pass: the layers, as the
   *  kernels show them; 0 when the steps are CUDA graph replays whose kernels are hidden. */
  sitesPerStep: number;
  /** Share of the forwards whose attention sites follow the period exactly (0..1). */
  regularity: number;
  /** Median step start to next step start within a pass, over the measured pass's steady steps, ns. */
  periodNs: number;
  /** (p90 - p10) / median of those periods: 0 for a clockwork rhythm. */
  periodSpread: number;
  /** Median GPU idle between one step's last op and the next one's first (the cut), ns. */
  gapNs: number;
  /** Ops on the devices not in any step (model load, compile, graph capture, setup) and the time they span. */
  outsideOps: number;
}

/** A run of steps the workload repeats (a warm-up `generate`, then the measured one). */
export interface Pass {
  index: number;
  /** Session clock, ns: first step start to last step end over all devices. */
  start: number;
  end: number;
  /** Steps per device, per phase (the first device with steps). */
  counts: Partial<Record<Phase, number>>;
  /** Why a new pass starts here: `the step names start over`, `a prefill after an idle gap of 200 ms`. */
  reason: string | null;
}

/** A process of the trace and the GPU work it launched. */
export interface Launcher {
  /** Index into TraceModel.processes. */
  process: number;
  pid: number;
  name: string;
  /** GPU ops it launched, and per launching thread (index into TraceModel.threads). */
  ops: number;
  /** GPU idle inside the steps the numbers describe, before an op this process launched: the time the GPU
   *  waited for this process (ns, summed over devices and steps). */
  idleBeforeNs: number;
  threads: { thread: number; name: string; ops: number; idleBeforeNs: number }[];
}

export interface StepSet {
  source: StepSource;
  /** True when the user chose the source (--step-source) or the ranges (--steps). */
  forced: boolean;
  /** How the steps were chosen, for the report: `NVTX ranges "prefill", "decode N"`. */
  description: string;
  confidence: Confidence;
  /** Why that confidence, in words. */
  confidenceNote: string;
  /** Where the phases come from: the range names, or the kernels (GEMM time, attention variants). */
  phaseSource: 'names' | 'kernels' | 'none';
  rhythm: Rhythm | null;
  steps: Step[];
  /** Steps per device index, in time order. */
  byDevice: Step[][];
  passes: Pass[];
  /** The pass the numbers describe (the last one), or null when all steps are described (one pass, or the
   *  user chose a window with --from / --to). */
  measuredPass: number | null;
  /** steady[stepIndex]: 1 when the step is in the numbers; exclusion[stepIndex] says why not, else null. */
  steady: Uint8Array;
  exclusion: (Exclusion | null)[];
  /** The window the numbers describe, session clock ns (first to last steady step, all devices). */
  window: { start: number; end: number } | null;
  /** Processes that launched GPU work, by op count. */
  launchers: Launcher[];
  /** Processes the model knows (NVTX ranges, host calls) that launched no GPU work: a scheduler, an API
   *  server. Processes seen only in OS-runtime or CUDA API tables are not read into the model yet. */
  idleProcesses: { process: number; pid: number; name: string }[];
  warnings: string[];
}
