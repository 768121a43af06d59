/**
 * `classify` reads kernel names from stdin, one per line, and writes a line for each as it goes (a stream:
 * `nsys stats ... | nsys-tp classify` works on any length). Stdin must be something that can be read: a
 * folder (`classify < /`) is refused, and so is a line too long to be a name (`classify < /dev/zero` would
 * otherwise gather one endless line in memory).
 */
import { fstatSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { writeStdout } from './output.js';
import { BadInputError } from '../index.js';

/** Far longer than any kernel name (the longest C++ template names run to a few hundred kilobytes). */
export const MAX_LINE_BYTES = 16 * 2 ** 20;

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Calls `line` for each non-blank line of stdin (without its line break) and writes what it returns. */
export async function classifyStdin(line: (name: string) => string): Promise<void> {
  let st;
  try {
    st = fstatSync(0);
  } catch {
    return; // no stdin at all: nothing to classify
  }
  if (st.isDirectory()) throw new BadInputError('stdin is a folder: classify reads kernel names, one per line (nsys-tp classify < names.txt)');
  const decoder = new StringDecoder('utf8');
  const chunk = Buffer.alloc(1 << 16);
  let pending = '';
  let out = '';
  const flush = () => {
    if (out) writeStdout(out);
    out = '';
  };
  const take = (name: string) => {
    const n = name.replace(/\r$/, '');
    if (n.trim()) out += line(n);
  };
  for (;;) {
    let n: number;
    try {
      n = readSync(0, chunk, 0, chunk.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        sleep(5);
        continue;
      }
      if (code === 'EOF') break;
      throw new BadInputError(`stdin: cannot read (${code ?? (e as Error).message})`);
    }
    if (n === 0) break;
    const parts = (pending + decoder.write(chunk.subarray(0, n))).split('\n');
    pending = parts.pop()!;
    for (const p of parts) take(p);
    // Counted in characters (a cheap bound on bytes / 3 to bytes).
    if (pending.length > MAX_LINE_BYTES) {
      throw new BadInputError(`stdin: a line longer than ${MAX_LINE_BYTES / 2 ** 20} MiB; classify reads kernel names, one per line`);
    }
    flush();
  }
  take(pending + decoder.end());
  flush();
}
