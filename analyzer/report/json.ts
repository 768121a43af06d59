/** JSON rendering: the DESIGN 6 contract (DiagnoseResult is a superset of it). */
import type { DiagnoseResult } from './result.js';

export function renderJson(r: DiagnoseResult): string {
  return JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}
