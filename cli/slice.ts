/**
 * `nsys-tp slice`: the file side of slicing (temp file, rename, never over the input).
 */
import { closeSync, openSync, rmSync } from 'node:fs';
import { TraceError } from '../queries/errors.js';
import { outputTarget, placeFile, tempBeside, writeErrorText } from './output.js';
import { openTraceDb } from '../queries/open.js';
import type { TraceModel } from '../analyzer/model/types.js';
import type { Step } from '../analyzer/steps/types.js';
import { sliceExport, type SliceSpec, type SliceStats, type Window } from '../queries/slice.js';

export function mergeWindows(ws: Window[]): Window[] {
  const sorted = [...ws].sort((a, b) => a.start - b.start);
  const out: Window[] = [];
  for (const w of sorted) {
    const last = out[out.length - 1];
    if (last && w.start <= last.end) last.end = Math.max(last.end, w.end);
    else out.push({ ...w });
  }
  return out;
}

/** Writes the slice of `input` to `output`; `inputs`: every file the output may not replace (the input, a report it came from). */
export function writeSlice(input: string, output: string, spec: SliceSpec, inputs: readonly string[] = [input]): SliceStats {
  const target = outputTarget(output, inputs);
  const tmp = tempBeside(target);
  const src = openTraceDb(input);
  try {
    rmSync(tmp, { force: true });
    // Created here rather than by SQLite, so a folder that cannot take it fails with its errno (SQLite
    // says only "unable to open database file"); SQLite opens an empty file as an empty database.
    closeSync(openSync(tmp, 'wx'));
    const stats = sliceExport(src, tmp, spec);
    placeFile(tmp, target, output);
    return stats;
  } catch (e) {
    rmSync(tmp, { force: true });
    if (e instanceof TraceError) throw e;
    // SQLite's and the file system's errors are about the files; anything else is a bug, reported as one.
    if (typeof (e as NodeJS.ErrnoException).code !== 'string') throw e;
    throw new TraceError(`${output}: cannot write the slice (${sliceWriteError(e)})`);
  } finally {
    src.close();
  }
}

function sliceWriteError(e: unknown): string {
  const code = String((e as NodeJS.ErrnoException).code ?? '');
  if (code.startsWith('SQLITE_FULL')) return 'SQLITE_FULL: no space left on the device';
  if (code.startsWith('SQLITE_IOERR')) return `${code}: the write failed: a full disk or a file size limit?`;
  return code.startsWith('SQLITE') ? (e as Error).message.split('\n')[0]! : writeErrorText(e);
}

/** What to keep for the given steps: their ops, their threads' host ranges, and the overall windows. */
export function sliceSpec(model: TraceModel, steps: Step[], padNs: number): SliceSpec {
  const off = model.files[0]!.offsetNs;
  const gpuOps = new Set<string>();
  const threadWindows = new Map<number, Window[]>();
  const { ops } = model;
  for (const s of steps) {
    for (const i of s.ops) gpuOps.add(`${model.processes[ops.process[i]!]!.globalPid}:${ops.correlation[i]}:${ops.start[i]! - off}`);
    if (s.thread >= 0) {
      const tid = model.threads[s.thread]!.globalTid;
      const list = threadWindows.get(tid) ?? [];
      list.push({ start: s.hostStart - padNs - off, end: s.hostEnd + padNs - off });
      threadWindows.set(tid, list);
    } else {
      // Steps found from the kernels (no host range): keep each launching thread's calls over the span of
      // its launches in the step, so the slice still joins its kernels to their launches.
      const span = new Map<number, [number, number]>();
      for (const i of s.ops) {
        const t = ops.thread[i]!;
        const l = ops.launchStart[i]!;
        if (t < 0 || !Number.isFinite(l)) continue;
        const w = span.get(t);
        span.set(t, w ? [Math.min(w[0], l), Math.max(w[1], l)] : [l, l]);
      }
      for (const [t, [a, b]] of span) {
        const tid = model.threads[t]!.globalTid;
        const list = threadWindows.get(tid) ?? [];
        list.push({ start: a - padNs - off, end: b + padNs - off });
        threadWindows.set(tid, list);
      }
    }
  }
  const windows = mergeWindows(steps.map((s) => ({ start: Math.min(s.hostStart, s.start) - padNs - off, end: Math.max(s.hostEnd, s.end) + padNs - off })));
  return { windows, threadWindows, gpuOps };
}
