/** The rule registry: every rule ships here, and a test checks each has its doc in rules/<id>.md. */
import type { Rule } from './types.js';

export const RULES: readonly Rule[] = [];
