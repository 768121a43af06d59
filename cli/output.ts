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
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    // A full disk or a file size limit cuts a write short before it fails: write until all is out or an
    // error says why not, so a partial report never replaces a whole one.
    for (let off = 0; off < buf.length; ) {
      const n = writeSync(fd, buf, off, buf.length - off);
      if (n === 0) throw Object.assign(new Error('no space left'), { code: 'ENOSPC' });
      off += n;
    }
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
    throw new TraceError(`${path}: cannot write (${writeErrorText(e)})`);
  }
}

const WRITE_ERRORS: Record<string, string> = {
  EACCES: 'permission denied', EPERM: 'not permitted', EROFS: 'read-only file system', ENOSPC: 'no space left on the device',
  EFBIG: 'file too large for this file system or limit', EDQUOT: 'disk quota exceeded', ENOENT: 'no such folder',
  ENOTDIR: 'a part of the path is not a folder', EISDIR: 'a folder is in the way',
};

/** `EACCES: permission denied`: the code to search for and what it means. */
export function writeErrorText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (!code) return (e as Error).message.split('\n')[0]!;
  return WRITE_ERRORS[code] ? `${code}: ${WRITE_ERRORS[code]}` : code;
}
