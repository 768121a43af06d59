/** JSON rendering: the DESIGN 6 contract (DiagnoseResult is a superset of it), and the `layers` result. */
import type { DiagnoseResult } from './result.js';

export function renderJson(r: DiagnoseResult | object): string {
  return JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}
