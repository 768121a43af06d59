/**
 * Numbers no hardware can produce: bus bandwidth above the fabric's bidirectional NVLink peak, a share of a
 * step above the whole or below zero, negative idle time. The analyses are built so these cannot happen
 * on a sound input; when one does, it is a sign of a wrong input (files of different runs read as one job,
 * a clock that is not aligned) or of a bug in nsys-tp, and every report says so at its top instead of
 * presenting the number as a result. Checked here, once, on what every command reports.
 */
import { phaseOf } from '../breakdown/phaseSummary.js';
import type { Reads } from '../data.js';
import { PHASES } from '../contract/vocabulary.js';

/** Rounding slack: a share computed from sums of floats may land a hair above 1. */
const EPS = 1e-6;

const why = 'a sign of a wrong input (files of different runs read as one job, misaligned clocks) or a bug in nsys-tp; please report it';

export function impossibleNumbers(a: Reads<'collectiveSummary' | 'model' | 'phases'>): string[] {
  const out: string[] = [];
  const s = a.collectiveSummary;
  const peak = s.gpu?.nvlinkGBps ?? null;
  if (peak !== null) {
    for (const k of s.classes) {
      if (k.busGBps !== null && k.busGBps > peak) {
        out.push(`impossible number: ${k.phase} ${k.op} busBW ${k.busGBps.toFixed(0)} GB/s is above the ${peak} GB/s ${s.gpu!.name} NVLink gives in both directions together: ${why}`);
      }
    }
  }
  for (const d of a.model.devices) {
    for (const phase of PHASES) {
      const p = phaseOf(a.phases, d.index, phase);
      if (!p || p.steadyCount === 0) continue;
      const shares: [string, number][] = [['communication', p.commShare], ['exposed communication', p.exposedCommShare], ['idle', p.idleShare], ['overlap', p.overlap]];
      for (const [what, v] of shares) {
        if (v > 1 + EPS || v < -EPS) out.push(`impossible number: ${d.label} ${phase} ${what} share ${(v * 100).toFixed(1)}% of the step: ${why}`);
      }
      if (p.timeNs.idle < 0) out.push(`impossible number: ${d.label} ${phase} idle ${(p.timeNs.idle / 1e6).toFixed(2)} ms (negative): ${why}`);
    }
  }
  return out;
}
