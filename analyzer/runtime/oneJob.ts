/**
 * Several files are one job only when they are the per-rank reports of one run: the same command line,
 * captured at the same time. Two different runs (a baseline and a change, two TP degrees) read as one
 * job would add up GPUs that never ran together; that is `compare`'s or `scaling`'s work, so refuse it.
 */
import { BadInputError } from '../errors.js';
import type { TraceModel } from '../model/types.js';
import { commandDiff } from './commandLine.js';

/** Throws when the model's files cannot be the ranks of one run; returns what could not be checked. */
export function checkOneJob(model: TraceModel): string[] {
  const files = model.files;
  if (files.length < 2) return [];
  const name = (f: number) => files[f]!.path;
  // Two copies of one capture: the same session start on the same host, to the nanosecond, with the same
  // GPU ops on the same devices (per-rank files cut from one export share the start, not the devices).
  const opsOf = files.map(() => 0);
  for (let i = 0; i < model.ops.n; i++) opsOf[model.devices[model.ops.device[i]!]!.file]!++;
  const devicesOf = files.map((_, f) => model.devices.filter((d) => d.file === f).map((d) => d.deviceId).sort((x, y) => x - y).join(','));
  for (let f = 1; f < files.length; f++) {
    for (let g = 0; g < f; g++) {
      const [a, b] = [files[g]!.meta, files[f]!.meta];
      if (a.sessionStartUtcNs !== null && a.sessionStartUtcNs === b.sessionStartUtcNs && a.hostname === b.hostname && opsOf[g] === opsOf[f] && devicesOf[g] === devicesOf[f]) {
        throw new BadInputError(`${name(g)} and ${name(f)}: the same capture twice (same session start, host and GPU ops); give each rank's file once`);
      }
    }
  }
  const commands = files.map((f) => f.meta.command);
  const first = commands[0];
  for (let f = 1; f < files.length; f++) {
    const other = commands[f];
    if (first && other && first !== other) {
      throw new BadInputError(
        `${name(0)} and ${name(f)} are not the per-rank files of one run: their profiled command lines differ ` +
          `(${commandDiff(first, other)}); to set two runs side by side use nsys-tp compare (or scaling, for TP degrees)`,
      );
    }
  }
  // Each file's capture window on the wall clock: from its session start to its last GPU op.
  const starts = files.map((f) => f.meta.sessionStartUtcNs);
  if (starts.some((s) => s === null)) return ['some files do not record their session start: that they are one run could not be checked'];
  const lastEnd = files.map(() => -Infinity);
  const { ops } = model;
  for (let i = 0; i < ops.n; i++) {
    const f = model.devices[ops.device[i]!]!.file;
    if (ops.end[i]! > lastEnd[f]!) lastEnd[f] = ops.end[i]!;
  }
  // The model's clock is already aligned on session start: window f is [offset_f, lastEnd_f].
  const windows = files.map((f, i) => ({ from: f.offsetNs, to: lastEnd[i]! }));
  for (let f = 1; f < files.length; f++) {
    const overlap = Math.min(windows[0]!.to, windows[f]!.to) - Math.max(windows[0]!.from, windows[f]!.from);
    if (!(overlap > 0)) {
      const at = (i: number) => new Date(starts[i]! / 1e6).toISOString().replace(/\.\d+Z$/, 'Z');
      throw new BadInputError(
        `${name(0)} and ${name(f)} are not the per-rank files of one run: they were captured at different times (from ${at(0)} and ${at(f)}, not overlapping); ` +
          'to set two runs side by side use nsys-tp compare',
      );
    }
  }
  return [];
}
