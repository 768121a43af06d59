/**
 * `nsys-tp attach`, the file side: the benchmark report is read and checked before any trace is analysed,
 * and rewritten atomically (temp file + rename, keeping its permissions, through a symlink to its
 * target): on any error it is left as it was.
 */
import { realpathSync, statSync } from 'node:fs';
import { BadInputError, type AttachTarget } from '../index.js';
import { refuseInputs } from './output.js';
import { readSideInput } from './sideInput.js';

/** Benchmark results with per-request details run to tens of megabytes; this leaves room. */
const MAX_REPORT_BYTES = 512 * 2 ** 20;

export function readReport(path: string, traces: readonly string[], format: 'json' | 'md'): AttachTarget & { real: string; mode: number } {
  const sameFile = (t: string) => {
    try {
      return realpathSync(t) === realpathSync(path);
    } catch {
      return false;
    }
  };
  if (traces.some(sameFile)) throw new BadInputError(`${path}: refusing to overwrite an input trace (the report comes first, then the traces)`);
  refuseInputs(path, traces);
  let real: string;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw Object.assign(new Error(), { code: 'EISDIR' });
    // Rewritten in place: a pipe or a device would be read, then replaced by a file.
    if (!st.isFile()) throw new BadInputError(`${path}: not a regular file (a pipe or a device); attach rewrites the report in place, so it takes a regular file`);
    real = realpathSync(path);
  } catch (e) {
    if (e instanceof BadInputError) throw e;
    throw new BadInputError(`${path}: cannot read the report (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const bytes = readSideInput(real, { what: `${path}: the report`, maxBytes: MAX_REPORT_BYTES, regularOnly: true });
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) throw new BadInputError(`${path}: not UTF-8 text; a benchmark report is expected`);
  return { path, text, format, real, mode: statSync(real).mode & 0o7777 };
}
