/**
 * `nsys-tp attach`, the file side: the benchmark report is read and checked before any trace is analysed,
 * and rewritten atomically (temp file + rename, keeping its permissions, through a symlink to its
 * target): on any error it is left as it was.
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { BadInputError, type AttachTarget } from '../index.js';

export function readReport(path: string, traces: readonly string[], format: 'json' | 'md'): AttachTarget & { real: string; mode: number } {
  const sameFile = (t: string) => {
    try {
      return realpathSync(t) === realpathSync(path);
    } catch {
      return false;
    }
  };
  if (traces.some(sameFile)) throw new BadInputError(`${path}: refusing to overwrite an input trace (the report comes first, then the traces)`);
  let real: string;
  let bytes: Buffer;
  try {
    real = realpathSync(path);
    if (statSync(real).isDirectory()) throw Object.assign(new Error(), { code: 'EISDIR' });
    bytes = readFileSync(real);
  } catch (e) {
    throw new BadInputError(`${path}: cannot read the report (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) throw new BadInputError(`${path}: not UTF-8 text; a benchmark report is expected`);
  return { path, text, format, real, mode: statSync(real).mode & 0o7777 };
}
