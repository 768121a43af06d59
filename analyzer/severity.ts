/** How serious a finding is, least to most; gates (--fail-on) and sorting use this order. */
export const SEVERITIES = ['info', 'warning', 'error'] as const;
export type Severity = (typeof SEVERITIES)[number];
/** Sort rank, the most serious first. */
export const SEVERITY_ORDER = Object.fromEntries(SEVERITIES.map((s, i) => [s, SEVERITIES.length - 1 - i])) as Record<Severity, number>;
