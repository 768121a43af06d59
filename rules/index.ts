/** The rule registry: every rule ships here, and a test checks each has its doc in rules/<id>.md. */
import type { Rule } from './types.js';
import { rule as graphKernelsHidden } from './graph-kernels-hidden.js';

export const RULES: readonly Rule[] = [
  graphKernelsHidden,
];
