/**
 * Writing files the user asked for: atomically (temp file + rename in the same folder), never over an
 * input trace.
 */
import { closeSync, fchmodSync, fsyncSync, openSync, realpathSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { TraceError } from '../queries/errors.js';

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return resolve(a) === resolve(b);
  }
}

/** `mode`: the permissions the file gets (a file rewritten in place keeps its own). */
export function writeFileAtomic(path: string, data: string | Uint8Array, inputs: readonly string[] = [], mode?: number): void {
  if (inputs.some((i) => sameFile(i, path))) throw new TraceError(`${path}: refusing to overwrite an input trace`);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx');
    if (mode !== undefined) fchmodSync(fd, mode);
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      /* the temp file was never created */
    }
    const code = (e as NodeJS.ErrnoException).code;
    throw new TraceError(`${path}: cannot write (${code ?? (e as Error).message})`);
  }
}
