/**
 * `nsys-tp attach`, the file side: the benchmark report is read and checked before any trace is analysed,
 * and rewritten through the guarded write path (output.ts: temp file + rename, mode and owner kept, through
 * a symlink to its target, and only while the file is as it was read): on any error it is left as it was.
 */
import { createHash } from 'node:crypto';
import { realpathSync, statSync } from 'node:fs';
import { BadInputError, type AttachTarget } from '../index.js';
import { refuseInputs, stampOf, type FileStamp } from './output.js';
import { readSideInput } from './sideInput.js';

/** Benchmark results with per-request details run to tens of megabytes; this leaves room. */
const MAX_REPORT_BYTES = 512 * 2 ** 20;

/** The report as read: its text, and what the file was, so that a change made while the traces are read is kept, not overwritten. */
export type ReadReport = AttachTarget & { real: string; read: { stamp: FileStamp; sha256: string } };

export function readReport(path: string, traces: readonly string[], format: 'json' | 'md'): ReadReport {
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
  const stamp = stampOf(real);
  const bytes = readSideInput(real, { what: `${path}: the report`, maxBytes: MAX_REPORT_BYTES, regularOnly: true });
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  // Being written while read: take what the next run reads, not a mix.
  const after = stampOf(real);
  if (!stamp || !after || stamp.size !== after.size || stamp.mtimeNs !== after.mtimeNs || BigInt(bytes.length) !== after.size) {
    throw new BadInputError(`${path}: changed while being read (another program is writing it?); run attach once it is finished`);
  }
  let text: string;
  try {
    // fatal: refuses bytes that are not UTF-8 without a second copy of the report to compare against.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new BadInputError(`${path}: not UTF-8 text; a benchmark report is expected`);
  }
  return { path, text, format, real, read: { stamp: after, sha256 } };
}
