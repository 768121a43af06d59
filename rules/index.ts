/** The rule registry: every rule ships here, and a test checks each has its doc in rules/<id>.md. */
import type { PlanRule, Rule, ScalingRule } from './types.js';
import { rule as fp8BlockMisaligned } from './fp8-block-misaligned.js';
import { rule as kvHeadsReplicated } from './kv-heads-replicated.js';
import { rule as commDominantStep } from './comm-dominant-step.js';
import { rule as commSerialized } from './comm-serialized.js';
import { rule as hostBoundGaps } from './host-bound-gaps.js';
import { rule as idleBetweenSteps } from './idle-between-steps.js';
import { rule as slowRegime } from './slow-regime.js';
import { rule as syncInStep } from './sync-in-step.js';
import { rule as lowFlopsAchievement } from './low-flops-achievement.js';
import { rule as lowHbmBandwidth } from './low-hbm-bandwidth.js';
import { rule as collectiveWait } from './collective-wait.js';
import { rule as graphKernelsHidden } from './graph-kernels-hidden.js';
import { rule as latencyBoundCollectives } from './latency-bound-collectives.js';
import { rule as lowBusBandwidth } from './low-bus-bandwidth.js';
import { rule as ncclAlgorithmOverride } from './nccl-algorithm-override.js';
import { rule as sequenceParallel } from './sequence-parallel.js';
import { rule as stragglerRank } from './straggler-rank.js';
import { rule as poorTpScaling } from './poor-tp-scaling.js';
import { rule as copyBound } from './copy-bound.js';

export const RULES: readonly Rule[] = [
  commDominantStep,
  commSerialized,
  hostBoundGaps,
  idleBetweenSteps,
  slowRegime,
  syncInStep,
  lowFlopsAchievement,
  lowHbmBandwidth,
  collectiveWait,
  stragglerRank,
  lowBusBandwidth,
  latencyBoundCollectives,
  ncclAlgorithmOverride,
  sequenceParallel,
  graphKernelsHidden,
  copyBound,
];

/** Plan checks: run on a model and TP degree (nsys-tp plan; diagnose with --model, for the trace's TP). */
export const PLAN_RULES: readonly PlanRule[] = [fp8BlockMisaligned, kvHeadsReplicated];

/** Cross-trace checks: run by nsys-tp scaling on traces of one model at several TP degrees. */
export const SCALING_RULES: readonly ScalingRule[] = [poorTpScaling];
