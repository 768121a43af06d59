/**
 * The vocabulary of the results, each list written once: the enums of the contract's schemas, and the
 * names the analyses, rules and renderers use for phases, step sources, kernel classes and time parts.
 * The analyses import them from here, so a result never names a phase or a class the contract lacks.
 */

/** `mixed`: a step that runs prompt tokens and decode tokens together (continuous batching). `step`: the
 *  phase is unknown (steps from idle gaps, or named ranges that say no phase). */
export const PHASES = ['prefill', 'decode', 'mixed', 'step'] as const;
export type Phase = (typeof PHASES)[number];
/** The order reports list phases in, a serving run's order: prompts, prompts with decoding, decoding, unknown. */
export const PHASE_ORDER: readonly Phase[] = ['prefill', 'mixed', 'decode', 'step'];

/** nvtx: named ranges; graph: one CUDA graph replay per step; rhythm: the repeating kernel sequence of
 *  the forward pass; gaps: GPU work between idle gaps. */
export const STEP_SOURCES = ['nvtx', 'rhythm', 'graph', 'gaps'] as const;
export type StepSource = (typeof STEP_SOURCES)[number];

/** How sure the step split is. high: the trace names its steps (NVTX), or a regular rhythm of whole
 *  forward passes; medium: a rhythm with an irregular period, or one replay per step; low: idle gaps, or
 *  a rhythm found only partly. */
export const CONFIDENCES = ['high', 'medium', 'low'] as const;
export type Confidence = (typeof CONFIDENCES)[number];

/** Why a step is not in the numbers. outlier: far from its phase's median; regime: one of a run of steps at
 *  another speed (a slower regime, analyzer/steps/regimes.ts), reported on its own; earlier-pass: before the
 *  measured pass (warm-up). */
export const EXCLUSIONS = ['outlier', 'regime', 'earlier-pass'] as const;
export type Exclusion = (typeof EXCLUSIONS)[number];

/** The kernel classes (analyzer/classify/kernelClasses.ts holds the table that assigns them). */
export const KERNEL_CLASSES = ['gemm', 'attention', 'communication', 'norm', 'elementwise', 'memory', 'moe', 'other'] as const;
export type KernelClass = (typeof KERNEL_CLASSES)[number];
/** What a step's time is told in: its kernel classes, and idle (no kernel running). */
export const TIME_CLASSES = [...KERNEL_CLASSES, 'idle'] as const;
export type TimeClass = (typeof TIME_CLASSES)[number];

/** The time classes with communication in two parts (analyzer/breakdown/timeParts.ts says why). */
export type TimePart = Exclude<TimeClass, 'communication'> | 'comm transfer' | 'comm waiting';
/** The time classes in their order, communication in its two parts. */
export const TIME_PARTS: readonly TimePart[] = TIME_CLASSES.flatMap((c): TimePart[] => (c === 'communication' ? ['comm transfer', 'comm waiting'] : [c]));

/** How a step's layers were found: NVTX ranges, the TP pattern of collectives, the kernel pattern (TP=1). */
export const LAYER_SOURCES = ['nvtx', 'collectives', 'kernels'] as const;
export type LayerSource = (typeof LAYER_SOURCES)[number];
