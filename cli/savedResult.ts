/**
 * A saved result given where a trace is expected (`compare base.json new.sqlite`): a file named .json,
 * or one whose first byte that is not white space is `{` (an SQLite export starts "SQLite format 3").
 * Read with the side-input limits, parsed and checked by the runner.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { parseDiagnosis, type DiagnoseResult } from '../index.js';
import { readSideText } from './sideInput.js';

/** A saved result may carry a big trace's per-step rows and timeline; a GB is no result. */
export const MAX_RESULT_BYTES = 256 * 2 ** 20;

function startsLikeJson(path: string): boolean {
  let fd: number | undefined;
  try {
    if (!statSync(path).isFile()) return false;
    // Non-blocking and checked again on the descriptor: a FIFO put there after the stat must not block.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    if (!fstatSync(fd).isFile()) return false;
    const buf = Buffer.alloc(64);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return /^\s*\{/.test(buf.subarray(0, n).toString('latin1'));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function isSavedResult(path: string): boolean {
  return /\.json$/i.test(path) || startsLikeJson(path);
}

export function readSavedDiagnosis(path: string): DiagnoseResult {
  return parseDiagnosis(readSideText(path, { what: path, maxBytes: MAX_RESULT_BYTES }), path);
}
