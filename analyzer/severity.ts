/** How serious a finding is; gates (--fail-on) and sorting use this order. */
export type Severity = 'info' | 'warning' | 'error';
export const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
