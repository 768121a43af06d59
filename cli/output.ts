/**
 * Writing what the user asked for. A regular file (or a new path) is written to a temp file in the same
 * folder and renamed over it, so a failed write leaves the previous file as it was; a device, a pipe or a
 * socket (`-o /dev/null`, `-o /dev/stdout`, a FIFO) is written straight through, never replaced; a symlink
 * is followed to what it names. A file is replaced keeping its mode and owner, only if the user may write
 * it (as the shell's `>` checks) and only if nobody changed it meanwhile. Never over an input trace, nor over the files SQLite keeps beside one
 * (`-journal`, `-wal`, `-shm`): writing those would change how the input reads.
 */
import { createHash } from 'node:crypto';
import {
  closeSync, constants, fchmodSync, fchownSync, fstatSync, fsyncSync, lstatSync, openSync, readSync, realpathSync, renameSync, rmSync, statSync, unlinkSync, writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { BadInputError } from '../index.js';

/** The files SQLite keeps beside a database: writing one changes what the database reads as. */
const SIDECARS = ['-journal', '-wal', '-shm'];

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    // A path that does not exist yet: its folder's real path and its name.
    try {
      return join(realpathSync(dirname(p)), basename(p));
    } catch {
      return resolve(p);
    }
  }
}

/** Throws unless `path` is neither an input nor one of SQLite's files beside an input. */
export function refuseInputs(path: string, inputs: readonly string[]): void {
  const target = real(path);
  for (const i of inputs) {
    const input = real(i);
    if (target === input) throw new BadInputError(`${path}: refusing to overwrite an input trace`);
    const side = SIDECARS.find((s) => target === input + s || target === resolve(i) + s);
    if (side) throw new BadInputError(`${path}: refusing to write SQLite's ${side.slice(1)} file of the input trace ${i}: SQLite would read it as part of the trace`);
  }
}

/** What a file was when it was read or chosen as the output: any write since changes one of these. */
export interface FileStamp {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

export function stampOf(path: string): FileStamp | null {
  try {
    const st = statSync(path, { bigint: true });
    return { dev: st.dev, ino: st.ino, size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs };
  } catch {
    return null;
  }
}

const sameStamp = (a: FileStamp | null, b: FileStamp | null) =>
  a === b || (!!a && !!b && a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs);

/** Where and how to write: atomically over a regular file or a new path; straight into anything else. */
export interface Target {
  /** The path written (a symlink resolved to what it names). */
  path: string;
  atomic: boolean;
  /** The permissions and owner of the file replaced, kept by the new one. */
  mode?: number;
  uid?: number;
  gid?: number;
  /** The file as it was when chosen (null: nothing there): it must still be so when it is replaced. */
  stamp?: FileStamp | null;
}

/**
 * Where `path` is written, checked as the shell's `>` would check it: a file the user may not write (a
 * read-only report) is refused, not replaced behind its back.
 */
export function outputTarget(path: string, inputs: readonly string[]): Target {
  refuseInputs(path, inputs);
  let st;
  try {
    st = statSync(path);
  } catch {
    let link = false;
    try {
      link = lstatSync(path).isSymbolicLink();
    } catch {
      /* nothing there: a new file */
    }
    if (link) throw new BadInputError(`${path}: a symbolic link to nothing (its target does not exist); remove it or name another file`);
    return { path, atomic: true, stamp: null };
  }
  if (st.isDirectory()) throw new BadInputError(`${path}: cannot write (EISDIR: a folder is in the way)`);
  // A link to a device or pipe (/proc/self/fd/1) is opened through, as the shell would.
  if (!st.isFile()) return { path, atomic: false };
  // A link to a file: the file is replaced, the link kept.
  const file = lstatSync(path).isSymbolicLink() ? realpathSync(path) : path;
  try {
    // Opened for writing without truncating: what `>` would be refused, nsys-tp refuses too.
    closeSync(openSync(file, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const ro = code === 'EACCES' || code === 'EPERM' || code === 'EROFS';
    throw new BadInputError(`${path}: cannot write (${writeErrorText(e)}${ro && code !== 'EROFS' ? ': the file is read-only to you; nsys-tp leaves it as it is' : ''})`);
  }
  return { path: file, atomic: true, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, stamp: stampOf(file) };
}

/** Writes all of `buf` to `fd`; a short write with no error is a full disk. */
function writeAll(fd: number, buf: Uint8Array): void {
  for (let off = 0; off < buf.length; ) {
    let n: number;
    try {
      n = writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      // A pipe opened non-blocking: wait for its reader.
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        continue;
      }
      throw e;
    }
    if (n === 0) throw Object.assign(new Error('no space left'), { code: 'ENOSPC' });
    off += n;
  }
}

/** A string written a MiB at a time: a report of tens of megabytes never held twice over, as text and as bytes. */
function writeText(fd: number, text: string): void {
  const step = 1 << 20;
  for (let i = 0; i < text.length; ) {
    let end = Math.min(text.length, i + step);
    // Never between the two halves of a surrogate pair.
    if (end < text.length && (text.charCodeAt(end - 1) & 0xfc00) === 0xd800) end--;
    writeAll(fd, Buffer.from(text.slice(i, end), 'utf8'));
    i = end;
  }
}

export interface WriteOptions {
  /** The permissions a new file gets (a file replaced keeps its own). */
  mode?: number;
  /** The file as the command read it (attach): replaced only while it is still so. */
  expect?: { stamp: FileStamp; sha256?: string };
}

/**
 * Writes `data` to `path` (see the file comment) through the one guarded path every writer takes:
 * the temp file, then commitFile.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, inputs: readonly string[] = [], o: WriteOptions = {}): void {
  const t = outputTarget(path, inputs);
  if (!t.atomic) return writeThrough(path, t.path, typeof data === 'string' ? Buffer.from(data) : data);
  const tmp = tempBeside(t);
  let fd: number | undefined;
  try {
    // A new file gets what the umask allows; one replacing a file is private until it gets that file's mode.
    fd = openSync(tmp, 'wx', t.mode !== undefined || o.mode !== undefined ? 0o600 : 0o666);
    // A full disk or a file size limit cuts a write short before it fails: write until all is out or an
    // error says why not, so a partial report never replaces a whole one.
    if (typeof data === 'string') writeText(fd, data);
    else writeAll(fd, data);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    commitFile(tmp, t, path, { mode: o.mode, expect: o.expect });
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    if (e instanceof BadInputError) throw e;
    throw new BadInputError(`${path}: cannot write (${writeErrorText(e)})`);
  }
}

/**
 * Opens a device, pipe or socket for writing as it is (no create, no truncate). A socket cannot be opened
 * by name (ENXIO): when it is this process's own stdout (`-o /dev/stdout` with stdout a socket), fd 1 is it.
 */
function openThrough(path: string): { fd: number; own: boolean } {
  try {
    return { fd: openSync(path, constants.O_WRONLY | constants.O_NOCTTY), own: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENXIO') {
      const [a, b] = [statSync(path), fstatSync(1)];
      if (a.dev === b.dev && a.ino === b.ino) return { fd: 1, own: false };
    }
    throw e;
  }
}

/** Into a device, pipe or socket, straight through. */
function writeThrough(shown: string, path: string, buf: Uint8Array): void {
  let fd: number | undefined;
  try {
    const t = openThrough(path);
    if (!t.own) return writeAll(t.fd, buf);
    fd = t.fd;
    writeAll(fd, buf);
    closeSync(fd);
    fd = undefined;
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    throw new BadInputError(`${shown}: cannot write (${writeErrorText(e)})`);
  }
}

/** The SHA-256 of a file, read in chunks (a report of any size in constant memory). */
export function fileSha256(path: string): string {
  const h = createHash('sha256');
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const chunk = Buffer.alloc(1 << 20);
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0; ) h.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

export interface CommitOptions {
  mode?: number;
  expect?: WriteOptions['expect'];
  /** The new file is an SQLite database: a `-journal` or `-wal` left at the path would be read as part of it. */
  sqlite?: boolean;
}

/**
 * Puts the finished file `tmp` (written beside `target`) in place: renamed over a regular file or a new
 * path (keeping the replaced file's mode and owner, and only if nobody changed it since it was read or
 * chosen), copied into a device or pipe (then removed). The one way any command replaces a user's file.
 */
export function commitFile(tmp: string, target: Target, shown: string, o: CommitOptions = {}): void {
  if (!target.atomic) return copyThrough(tmp, target, shown);
  const fd = openSync(tmp, 'r+');
  try {
    const mode = target.mode ?? o.mode;
    if (mode !== undefined) fchmodSync(fd, mode);
    if (target.uid !== undefined && (target.uid !== process.geteuid?.() || target.gid !== process.getegid?.())) {
      try {
        fchownSync(fd, target.uid, target.gid!);
      } catch {
        throw new BadInputError(
          `${shown}: owned by another user (uid ${target.uid}, gid ${target.gid}); replacing it would make it yours, so nsys-tp leaves it as it is (write to another file, or ask its owner)`,
        );
      }
      // The mode again: a change of owner clears the set-id bits.
      if (mode !== undefined) fchmodSync(fd, mode);
    }
  } finally {
    closeSync(fd);
  }
  const now = stampOf(target.path);
  const expected = o.expect?.stamp ?? target.stamp;
  const changed = expected !== undefined && (!sameStamp(now, expected) || (!!o.expect?.sha256 && now !== null && fileSha256(target.path) !== o.expect.sha256));
  if (changed) {
    throw new BadInputError(
      `${shown}: ${now === null ? 'removed' : 'changed'} by another program while nsys-tp was working; nothing written, so that change is kept (run the command again)`,
    );
  }
  if (o.sqlite) clearSidecars(target.path, shown);
  renameSync(tmp, target.path);
}

/** SQLite's files beside the database about to be replaced: they belong to the old one and would corrupt the new. */
function clearSidecars(path: string, shown: string): void {
  for (const s of SIDECARS) {
    const p = path + s;
    let st;
    try {
      st = lstatSync(p);
    } catch {
      continue;
    }
    if (!st.isFile() && !st.isSymbolicLink()) throw new BadInputError(`${shown}: ${p} is in the way (not a file): SQLite would take it for the new file's ${s.slice(1)}; remove it or name another output`);
    try {
      unlinkSync(p);
    } catch (e) {
      throw new BadInputError(`${shown}: cannot remove the stale ${p} (${writeErrorText(e)}): SQLite would read it as part of the new file; remove it or name another output`);
    }
  }
}

function copyThrough(tmp: string, target: Target, shown: string): void {
  const src = openSync(tmp, 'r');
  let fd: number | undefined;
  try {
    const t = openThrough(target.path);
    if (t.own) fd = t.fd;
    const chunk = Buffer.alloc(1 << 20);
    for (let n; (n = readSync(src, chunk, 0, chunk.length, null)) > 0; ) writeAll(t.fd, chunk.subarray(0, n));
  } catch (e) {
    throw new BadInputError(`${shown}: cannot write (${writeErrorText(e)})`);
  } finally {
    if (fd !== undefined) closeSync(fd);
    closeSync(src);
    unlinkSync(tmp);
  }
}

/** The temp file beside `target` that a writer fills before commitFile puts it there. */
export function tempBeside(target: Target): string {
  // A device's folder (/dev) is no place for a temp file: those go to the system's temp folder.
  const dir = target.atomic ? dirname(target.path) : tmpdir();
  return join(dir, `.${basename(target.path)}.${process.pid}.${Date.now()}.tmp`);
}

const WRITE_ERRORS: Record<string, string> = {
  EACCES: 'permission denied', EPERM: 'not permitted', EROFS: 'read-only file system', ENOSPC: 'no space left on the device',
  EFBIG: 'file too large for this file system or limit', EDQUOT: 'disk quota exceeded', ENOENT: 'no such folder',
  ENOTDIR: 'a part of the path is not a folder', EISDIR: 'a folder is in the way', ENXIO: 'a pipe with no reader',
  EPIPE: 'the reader closed the pipe', EIO: 'input/output error',
};

/** `EACCES: permission denied`: the code to search for and what it means. */
export function writeErrorText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (!code) return (e as Error).message.split('\n')[0]!;
  return WRITE_ERRORS[code] ? `${code}: ${WRITE_ERRORS[code]}` : code;
}

/** The command's output on stdout was cut off by its reader (`| head`): not an error, nothing more to say. */
export class ClosedStdout extends Error {}

/**
 * Writes to stdout synchronously, all of it or a clear error: a closed pipe is ClosedStdout (the CLI ends
 * quietly), a full disk or any other failure one line (`> /dev/full`).
 */
export function writeStdout(text: string | Uint8Array): void {
  try {
    writeAll(1, typeof text === 'string' ? Buffer.from(text) : text);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EPIPE') throw new ClosedStdout();
    throw new BadInputError(`stdout: cannot write (${writeErrorText(e)})`);
  }
}
