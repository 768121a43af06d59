/**
 * `nsys-tp slice`: the file side of slicing (a temp file beside the output, put in place by the one guarded
 * write path, output.ts, never over an input); the runner's `slice` writes the export itself.
 */
import { closeSync, openSync, rmSync } from 'node:fs';
import { BadInputError, NsysTpError } from '../index.js';
import { commitFile, outputTarget, tempBeside, writeErrorText } from './output.js';

/** Runs `write` on a new empty file beside `output`, then puts it in place; `inputs`: files the output may not replace. */
export async function writeSliceFile<T>(output: string, inputs: readonly string[], write: (tmp: string) => Promise<T>): Promise<T> {
  const target = outputTarget(output, inputs);
  const tmp = tempBeside(target);
  try {
    rmSync(tmp, { force: true });
    // Created here rather than by SQLite, so a folder that cannot take it fails with its errno (SQLite
    // says only "unable to open database file"); SQLite opens an empty file as an empty database.
    closeSync(openSync(tmp, 'wx'));
    const out = await write(tmp);
    // A -journal or -wal left at the output path belongs to the file replaced: the new one would read as corrupt.
    commitFile(tmp, target, output, { sqlite: true });
    return out;
  } catch (e) {
    rmSync(tmp, { force: true });
    if (e instanceof NsysTpError) throw e;
    // SQLite's and the file system's errors are about the files; anything else is a bug, reported as one.
    if (typeof (e as NodeJS.ErrnoException).code !== 'string') throw e;
    throw new BadInputError(`${output}: cannot write the slice (${sliceWriteError(e)})`);
  }
}

function sliceWriteError(e: unknown): string {
  const code = String((e as NodeJS.ErrnoException).code ?? '');
  if (code.startsWith('SQLITE_FULL')) return 'SQLITE_FULL: no space left on the device';
  if (code.startsWith('SQLITE_IOERR')) return `${code}: the write failed: a full disk or a file size limit?`;
  return code.startsWith('SQLITE') ? (e as Error).message.split('\n')[0]! : writeErrorText(e);
}
