/**
 * The per-phase table of the document reports (Markdown, HTML): one column per device that ran the phase,
 * cells as plain text for each renderer to escape in its own way.
 */
import { fmtMs, fmtPct } from './format.js';
import { CLASS_ROWS, type DeviceResult, type DiagnoseResult } from './result.js';

export interface PhaseRows {
  devices: DeviceResult[];
  /** Label first, then one cell per device. */
  rows: string[][];
}

export function phaseRows(r: DiagnoseResult, phase: 'prefill' | 'mixed' | 'decode' | 'step'): PhaseRows | null {
  const devs = r.devices.filter((d) => (d.steps[phase]?.count ?? 0) > 0);
  if (devs.length === 0) return null;
  const rows: string[][] = [
    ['steps (steady)', ...devs.map((d) => `${d.steps[phase]!.count} (${d.steps[phase]!.steadyCount})`)],
    ['median step (ms)', ...devs.map((d) => fmtMs(d.steps[phase]!.medianNs))],
  ];
  for (const c of CLASS_ROWS) {
    rows.push([`${c} (ms/step, % of span)`, ...devs.map((d) => {
      const p = d[phase];
      const n = d.steps[phase]!.steadyCount;
      return p && n > 0 ? `${fmtMs(p.timeNs[c] / n)} (${fmtPct(p.spanNs ? p.timeNs[c] / p.spanNs : 0)})` : '-';
    })]);
  }
  rows.push(['comm share (median)', ...devs.map((d) => fmtPct(d[phase]?.commShare))]);
  rows.push(['comm overlapped (median)', ...devs.map((d) => (d[phase]?.commNs ? fmtPct(d[phase]?.overlap) : '-'))]);
  rows.push(['exposed comm (median)', ...devs.map((d) => fmtPct(d[phase]?.exposedCommShare))]);
  rows.push(['idle (median)', ...devs.map((d) => fmtPct(d[phase]?.idleShare))]);
  if (devs.some((d) => d[phase]?.layers)) rows.push(['layers per step', ...devs.map((d) => String(d[phase]?.layers ?? '-'))]);
  return { devices: devs, rows };
}
