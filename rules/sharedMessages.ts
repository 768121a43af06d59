/**
 * Templates several rules share: a rule that uses one spreads it into its own messages, so every rule's
 * messages list all it can say (`nsys-tp rules --format json`) and the engine looks in one place.
 */

/** What analyzer/timeline/locations.ts typicalStepAt names. */
export const TYPICAL_STEP = { typicalStep: 'typical {phase} step "{step}"' } as const;
