/**
 * Where on the capture's timeline a finding points: a GPU, a stream when the place is one op, and a
 * stretch of the session clock (ns, the clock the export's timestamps are on and the Nsight Systems GUI
 * shows in seconds), so a reader can zoom there. Rules fill these; reports spell them.
 */
import type { Reads } from '../data.js';
import { steadyStepsOf } from '../steps/steady.js';
import type { StepSet } from '../steps/types.js';
import type { Phase } from '../contract/vocabulary.js';
import type { TimelineLocation } from '../contract/findings.js';

/** A place whose `what` is not words yet: rules give a message of theirs, which the engine fills in. */
export type LocationOf<W> = Omit<TimelineLocation, 'what'> & { what: W };

/** What typicalStepAt says is there, as a message id and its data (rules carry the template). */
export interface TypicalStepWhat {
  messageId: 'typicalStep';
  data: { phase: Phase; step: string };
}

/** A stretch on a device (by index). */
export function spanAt<W>(a: Reads<'model'>, device: number, startNs: number, endNs: number, what: W, stream: number | null = null): LocationOf<W> {
  const d = a.model.devices[device]!;
  return { deviceId: d.deviceId, label: d.label, stream, startNs, endNs, what };
}

/** One GPU op (by index into the model's ops), with its stream. */
export function opAt<W>(a: Reads<'model'>, op: number, what: W): LocationOf<W> {
  const { ops } = a.model;
  return spanAt(a, ops.device[op]!, ops.start[op]!, ops.end[op]!, what, ops.stream[op]!);
}

/**
 * The typical steady step of a phase (the median span) on a device, or on the first device with such
 * steps: where to look at what a phase-wide finding describes.
 */
export function typicalStepAt(a: Reads<'model'>, steps: StepSet, phase: Phase, device?: number): LocationOf<TypicalStepWhat>[] {
  const devices = device === undefined ? a.model.devices.map((d) => d.index) : [device];
  for (const d of devices) {
    const steady = steadyStepsOf(steps, d, phase).sort((x, y) => x.end - x.start - (y.end - y.start));
    const s = steady[(steady.length - 1) >> 1];
    if (s) return [spanAt(a, d, s.start, s.end, { messageId: 'typicalStep' as const, data: { phase, step: s.name } })];
  }
  return [];
}

/**
 * An example collective of a set of instances: the one with the median transfer, shown on the rank
 * whose kernel was the transfer (the shortest: the last to arrive, which barely waited).
 */
export function typicalCollectiveAt<W>(a: Reads<'model' | 'collectives'>, instances: readonly number[], what: W): LocationOf<W>[] {
  const c = a.collectives;
  if (instances.length === 0) return [];
  const sorted = [...instances].sort((x, y) => c.transferNs[x]! - c.transferNs[y]!);
  const i = sorted[(sorted.length - 1) >> 1]!;
  const { ops } = a.model;
  let best = -1;
  for (let d = 0; d < c.nDevices; d++) {
    const o = c.ops[i * c.nDevices + d]!;
    if (o >= 0 && (best < 0 || ops.end[o]! - ops.start[o]! < ops.end[best]! - ops.start[best]!)) best = o;
  }
  return best >= 0 ? [opAt(a, best, what)] : [];
}
