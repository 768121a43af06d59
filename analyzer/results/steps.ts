/**
 * Every step as plain data (analyzer/breakdown/stepRows.ts): what diagnose's result carries for the
 * per-step table, and the result of `steps`: that table framed by its trace, for all GPUs (means over
 * them) or for one (`--device N`).
 */
import type { Reads } from '../data.js';
import type { Phase } from '../contract/vocabulary.js';
import type { StepRowResult, StepTimes } from '../contract/views.js';
import type { DiagnoseResult, StepsResult } from '../contract/results.js';
import { UsageError } from '../errors.js';

export type { StepTimes };

export function buildStepRows(a: Reads<'stepRows' | 'model'>): StepRowResult[] {
  return a.stepRows.map((r) => {
    const dev = (d: number) => a.model.devices[d]!;
    return {
      ordinal: r.ordinal, name: r.name, phase: r.phase, steady: r.steady, excluded: r.excluded, pass: r.pass, startNs: r.startNs, spanNs: r.endNs - r.startNs, times: r.mean,
      gpus: r.gpus.map((g) => ({ deviceId: dev(g.device).deviceId, times: g.times })),
      lateRank: r.lateRank && { deviceId: dev(r.lateRank.device).deviceId, label: dev(r.lateRank.device).label, count: r.lateRank.count, of: r.lateRank.of,
        tiedWith: r.lateRank.tiedWith.map((d) => ({ deviceId: dev(d).deviceId, label: dev(d).label })) },
    };
  });
}

/** The `steps` view of a diagnosis; `deviceId` picks one GPU (its own times in every row). */
export function stepsResultOf(d: DiagnoseResult, deviceId?: number): StepsResult {
  const { schemaVersion, tool, trace, stepDetection, warnings } = d;
  let rows = d.stepRows;
  let device: StepsResult['device'] = null;
  if (deviceId !== undefined) {
    const dev = d.devices.find((x) => x.deviceId === deviceId);
    if (!dev) throw new UsageError(`--device ${deviceId}: the trace has GPUs ${d.devices.map((x) => x.deviceId).join(', ')}`);
    device = { deviceId, label: dev.label };
    rows = rows.flatMap((r) => {
      const g = r.gpus.find((x) => x.deviceId === deviceId);
      return g ? [{ ...r, times: g.times, gpus: [g] }] : [];
    });
  }
  return { schemaVersion, kind: 'steps', tool, trace, stepDetection, device, gpus: d.devices.length, rows, warnings };
}
