/** The rule registry: every rule ships here, and a test checks each has its doc in rules/<id>.md. */
import type { Rule } from './types.js';
import { rule as collectiveWait } from './collective-wait.js';
import { rule as graphKernelsHidden } from './graph-kernels-hidden.js';
import { rule as latencyBoundCollectives } from './latency-bound-collectives.js';
import { rule as lowBusBandwidth } from './low-bus-bandwidth.js';
import { rule as ncclAlgorithmOverride } from './nccl-algorithm-override.js';
import { rule as sequenceParallel } from './sequence-parallel.js';
import { rule as stragglerRank } from './straggler-rank.js';

export const RULES: readonly Rule[] = [
  collectiveWait,
  stragglerRank,
  lowBusBandwidth,
  latencyBoundCollectives,
  ncclAlgorithmOverride,
  sequenceParallel,
  graphKernelsHidden,
];
