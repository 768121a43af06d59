/** JSON rendering: the DESIGN 6 contract (DiagnoseResult is a superset of it), and the `layers` result. */
import type { DiagnoseResult } from './result.js';

/**
 * Characters JSON may carry raw but a terminal acts on (C1 controls, bidi overrides) or some JavaScript
 * parsers reject (U+2028/2029): written as \u escapes, so `cat report.json` is safe and every string still
 * parses back to itself. They can only occur inside strings.
 */
const UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function renderJson(r: DiagnoseResult | object): string {
  const text = JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + '\n';
}
