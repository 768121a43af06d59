/**
 * One file given twice is not two ranks: read as one job it doubles every GPU and reports bandwidth no
 * fabric gives (two copies of a TP=2 capture read as TP=4). Refused before anything is read: the same path,
 * the same file under another name (same device and inode: a link, a bind mount), or two files of the same
 * size that turn out to be one capture (checkOneJob compares session start and host once they are read).
 */
import { realpathSync, statSync } from 'node:fs';
import { TraceError } from './errors.js';

export function refuseSameFile(paths: readonly string[]): void {
  const seen = new Map<string, string>();
  for (const p of paths) {
    let id: string;
    try {
      const st = statSync(p);
      id = st.ino ? `${st.dev}:${st.ino}` : realpathSync(p);
    } catch {
      continue; // opening the file says what is wrong with it
    }
    const first = seen.get(id);
    if (first !== undefined) {
      throw new TraceError(`${first === p ? p : `${first} and ${p}`}: the same file given twice; give each rank's file once (two runs side by side: nsys-tp compare)`);
    }
    seen.set(id, p);
  }
}
