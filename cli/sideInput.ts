/**
 * Reading the small files a command takes besides its traces (`--config`, `--model config.json`, the
 * benchmark result of `attach`): with a size limit, so `/dev/zero` or a huge file is refused instead of
 * filling memory, and for pipes (`--config <(jq ... )` is legitimate) with a time limit, so a FIFO nobody
 * writes to is refused instead of waiting forever.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { BadInputError } from '../index.js';

/** How long a pipe may stay silent before the read gives up (NSYS_TP_PIPE_TIMEOUT, seconds). */
export function pipeTimeoutMs(): number {
  const v = Number(process.env.NSYS_TP_PIPE_TIMEOUT);
  return Number.isFinite(v) && v > 0 ? v * 1000 : 10_000;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

const mib = (n: number) => `${Math.round(n / 2 ** 20)} MiB`;

export interface SideInputOptions {
  /** How the input is named in messages: `--config x.json`. */
  what: string;
  maxBytes: number;
  /** Refuse anything but a regular file (a file the command rewrites in place). */
  regularOnly?: boolean;
}

/** The bytes of a side input; throws BadInputError (one line) for anything it will not read. */
export function readSideInput(path: string, o: SideInputOptions): Buffer {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw unreadable(o.what, e);
  }
  if (st.isDirectory()) throw new BadInputError(`${o.what}: is a folder, not a file`);
  if (o.regularOnly && !st.isFile()) throw new BadInputError(`${o.what}: not a regular file (a pipe or a device); this command rewrites the file in place, so it takes a regular file`);
  if (st.isFile() && st.size > o.maxBytes) throw new BadInputError(`${o.what}: ${mib(st.size)}, larger than the ${mib(o.maxBytes)} this file may have`);
  let fd: number;
  try {
    // Non-blocking: opening a FIFO without a writer would otherwise wait forever right here.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw unreadable(o.what, e);
  }
  try {
    return readBounded(fd, o, fstatSync(fd).isFIFO() || fstatSync(fd).isSocket());
  } finally {
    closeSync(fd);
  }
}

function readBounded(fd: number, o: SideInputOptions, pipe: boolean): Buffer {
  const parts: Buffer[] = [];
  let total = 0;
  const chunk = Buffer.alloc(1 << 16);
  const limit = pipeTimeoutMs();
  let lastData = Date.now();
  // A FIFO reads as ended (0 bytes) until its writer opens it: only data, then an end, ends it.
  let seenData = false;
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, chunk, 0, chunk.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw new BadInputError(`${o.what}: cannot read (${errText(e)})`);
      n = -1;
    }
    if (n > 0) {
      total += n;
      if (total > o.maxBytes) throw new BadInputError(`${o.what}: more than ${mib(o.maxBytes)}, the most this file may have (a device such as /dev/zero?)`);
      parts.push(Buffer.from(chunk.subarray(0, n)));
      seenData = true;
      lastData = Date.now();
      continue;
    }
    if (n === 0 && (!pipe || seenData)) break;
    if (Date.now() - lastData > limit) {
      throw new BadInputError(
        `${o.what}: a pipe that ${seenData ? 'stopped sending' : 'nothing was written to'} for ${limit / 1000} s; ` +
          'is its writer running? (NSYS_TP_PIPE_TIMEOUT sets the wait in seconds)',
      );
    }
    sleep(10);
  }
  return Buffer.concat(parts);
}

/** The error for a file not reached, marked so a face serving others words missing and unreadable alike. */
function unreadable(what: string, e: unknown): BadInputError {
  const err = new BadInputError(`${what}: cannot read (${errText(e)})`);
  if (['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM', 'ELOOP'].includes(String((e as NodeJS.ErrnoException).code))) err.unreachable = what;
  return err;
}

function errText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const words: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'is a folder', ENXIO: 'no such device' };
  return code ? (words[code] ? `${code}: ${words[code]}` : code) : (e as Error).message.split('\n')[0]!;
}

/** Text of a side input: UTF-8, with a byte-order mark dropped. */
export function readSideText(path: string, o: SideInputOptions): string {
  return readSideInput(path, o).toString('utf8').replace(/^\uFEFF/, '');
}
