/**
 * The data one analysed trace offers, by name (the Chrome DevTools trace engine's handler data): the
 * analysis' own parts, computed with it, and its artifacts (analyzer/artifact.ts), computed on first read.
 * Every reader declares the names it reads, and gets those and nothing else, typed: an artifact its
 * `deps`, a plain function a `Reads<...>` parameter, a rule its `deps` (rules/requirements.ts adds the
 * data a trace may lack). The names and types are written here, once and explicitly, so that an artifact's
 * type never depends on the artifacts that read it (no circular inference); analysis.ts binds each name to
 * the artifact that computes it, and the compiler checks the two agree.
 */
import type { OpClasses } from './classify/opClasses.js';
import type { ClassRow } from './classify/kernelClasses.js';
import type { StepBreakdown } from './breakdown/stepBreakdown.js';
import type { PhaseSummary } from './breakdown/phaseSummary.js';
import type { BetweenSteps } from './breakdown/betweenSteps.js';
import type { SteadyProfile } from './breakdown/steadyProfile.js';
import type { StepRow } from './breakdown/stepRows.js';
import type { PhaseKernels } from './breakdown/topKernels.js';
import type { CaptureCheck } from './capture/captureCheck.js';
import type { Collectives } from './collectives/instances.js';
import type { MessageSizes, Workload } from './collectives/messageSize.js';
import type { CollectivePhase, CollectiveSummary } from './collectives/summary.js';
import type { Fabric } from './collectives/fabricHealth.js';
import type { PhaseCollectives } from './collectives/phaseStats.js';
import type { PhaseLateRank } from './collectives/lateRank.js';
import type { GpuSpec } from './hardware/gpuSpecs.js';
import type { HostCallIndex } from './host/hostActivity.js';
import type { LayerProfile } from './contract/summary.js';
import type { LayerAnalysis } from './layers/layerSummary.js';
import type { StepLayers } from './layers/types.js';
import type { DeviceTimeline } from './model/deviceTimeline.js';
import type { TraceModel } from './model/types.js';
import type { PhaseAchievement } from './roofline/achievement.js';
import type { DetectedRuntime } from './runtime/detectRuntime.js';
import type { FastSteps } from './steps/fastSteps.js';
import type { StepOptions } from './steps/findSteps.js';
import type { LaunchIndex } from './steps/projection.js';
import type { Regime } from './steps/regimes.js';
import type { ReplicaSteps } from './steps/replicaSteps.js';
import type { StepSet } from './steps/types.js';
import type { Phase } from './contract/vocabulary.js';

export interface AnalysisOptions {
  steps?: StepOptions;
  /** Extra kernel class rows, matched before the built-in table. */
  classRows?: ClassRow[];
  /** Model shape and batch the user gave (--model, --batch, --prompt): message sizes, roofline. */
  workload?: Workload;
  /** The GPU's datasheet when the user overrides what TARGET_INFO_GPU says (--gpu). */
  gpu?: GpuSpec;
}

export interface AnalysisData {
  // The analysis' own parts, computed with it.
  readonly model: TraceModel;
  readonly options: AnalysisOptions;
  readonly classes: OpClasses;
  /** The steps found, none perhaps (rules' `steps` requirement has at least one). */
  readonly stepSet: StepSet;
  /** Per step index. */
  readonly breakdowns: StepBreakdown[];

  // Steps.
  /** 1 for the steps the numbers describe (the measured pass, outliers out): StepSet.steady. */
  readonly steady: Uint8Array;
  /** Step index of each op (-1 outside steps). */
  readonly opStep: Int32Array;
  /** Runs of consecutive steps at another speed (steps/regimes.ts), each described on its own. */
  readonly regimes: Regime[];
  /** The k-th step of every GPU as one step (steps/replicaSteps.ts). */
  readonly replicaSteps: ReplicaSteps;
  /** A few fast steps among slow ones, per device and phase (steps/fastSteps.ts). */
  readonly fastSteps: FastSteps[];
  /** Each op's launch, for projecting host ranges onto the GPU (steps/projection.ts). */
  readonly launchIndex: LaunchIndex;

  // Time: per step, per phase, between steps.
  /** Per device and phase, over the steady steps; absent phases are not listed. */
  readonly phases: PhaseSummary[];
  /** Per device and phase: the GPU between consecutive steady steps (period, gap, idle, host calls). */
  readonly between: BetweenSteps[];
  /** A phase's typical step on a typical GPU (breakdown/steadyProfile.ts); null without steady steps. */
  readonly steadyProfile: (phase: Phase) => SteadyProfile | null;
  /** One row per step across the GPUs (breakdown/stepRows.ts). */
  readonly stepRows: StepRow[];
  /** The kernels behind the class times, per phase (breakdown/topKernels.ts). */
  readonly topKernels: PhaseKernels[];
  /** Each device's ops in start order, and each op's position there (model/deviceTimeline.ts). */
  readonly timeline: DeviceTimeline;
  /** The host's CUDA and OS calls by thread, in start order (host/hostActivity.ts). */
  readonly hostCalls: HostCallIndex;

  // Collectives.
  /** Collective instances matched across ranks (none in a one-GPU trace; rules' `collectives` requirement has some). */
  readonly collectives: Collectives;
  /** Phase of a collective instance: the phase of the steady step its kernels belong to ('outside': outside
   *  steady steps: warm-up collectives, with communicator setup, are not judged with the others). */
  readonly collectivePhase: (instance: number) => CollectivePhase;
  readonly messageSizes: MessageSizes;
  readonly collectiveSummary: CollectiveSummary;
  /** Collective transfer (ns) per step index (collectives/stepTransfer.ts). */
  readonly transferPerStep: Float64Array;
  /** The TP degree: ranks per tensor-parallel collective, else 1. */
  readonly tp: number;
  /** The fabric's judgement (collectives/fabricHealth.ts): measured slow, or suspect from the recorded settings, per phase. */
  readonly fabric: Fabric;
  /** Collective statistics of a phase's steady steps (collectives/phaseStats.ts). */
  readonly phaseCollectives: (phase: Phase) => PhaseCollectives | null;
  /** A phase's late rank, from its work or its arrivals (collectives/lateRank.ts). */
  readonly phaseLateRank: (phase: Phase) => PhaseLateRank | null;

  // Layers.
  /** The layers of every step (layers/findLayers.ts). */
  readonly stepLayers: StepLayers[];
  /** Layers, their per-step breakdowns and per-phase summaries (layers/layerSummary.ts). */
  readonly layers: LayerAnalysis;
  /** Layers per step of a device and phase: the median over its steps with layers; null if none. */
  readonly layerCount: (device: number, phase: Phase) => number | null;
  /** A phase's layers on a typical GPU (layers/layerProfile.ts). */
  readonly layerProfile: (phase: Phase) => LayerProfile[];

  // The run: runtime, settings, hardware, capture.
  /** The serving runtime the trace shows (vLLM, SGLang, …): whose settings advice names. */
  readonly runtime: DetectedRuntime;
  /** The relevant NCCL / CUDA / runtime variables the trace recorded, by name (runtime/environment.ts). */
  readonly settings: Map<string, string>;
  /** Recorded settings that keep NCCL off NVLink peer-to-peer. */
  readonly offNvlinkSettings: Record<string, string>;
  /** Recorded settings that force NCCL's algorithm or protocol. */
  readonly algorithmSettings: Record<string, string>;
  /** Whether the trace runs FP8 GEMMs (runtime/fp8Kernels.ts). */
  readonly runsFp8: boolean;
  /** Achieved FLOP/s and HBM bandwidth per device and phase (empty without the workload). */
  readonly achievements: PhaseAchievement[];
  /** NCCL's NVTX ranges (nvtx indices), for the capture check. */
  readonly ncclRanges: number[];
  /** What the capture holds and lacks (capture/captureCheck.ts). */
  readonly captureCheck: CaptureCheck;
}

export type DataName = keyof AnalysisData;

/** What a reader that declared `K` may read: those data, typed, and nothing else. */
export type Reads<K extends DataName> = { readonly [P in K]: AnalysisData[P] };
