export type Phase = 'prefill' | 'decode' | 'step';
export const PHASES: readonly Phase[] = ['prefill', 'decode', 'step'];

export type StepSource = 'nvtx' | 'graph' | 'gaps';

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
  /** The host-side range (NVTX range, graph launch) the step was found from; for gap steps, the span. */
  hostStart: number;
  hostEnd: number;
  /** Thread whose range made the step (-1 for graph and gap steps). */
  thread: number;
}

export interface StepSet {
  source: StepSource;
  /** How the steps were chosen, for the report: `NVTX ranges "prefill", "decode N"`. */
  description: string;
  steps: Step[];
  /** Steps per device index, in time order. */
  byDevice: Step[][];
  warnings: string[];
}
