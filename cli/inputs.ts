/**
 * Turning what the user passed into SQLite exports. A `.nsys-rep` report is read through its export, as
 * `nsys stats` does: a `.sqlite` beside it that is newer than the report is used as it is; otherwise the
 * local `nsys` exports it once into a cache folder the user can see and clear (never beside the user's
 * file), and later runs reuse that export while the report is unchanged. The export runs under a time
 * limit (NSYS_TP_EXPORT_TIMEOUT), with progress on a terminal, and says how long it took.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, closeSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { writeErrorText } from './output.js';
import { termSafe } from '../analyzer/report/format.js';
import { BadInputError } from '../index.js';
import { exportCommand, sidecarNote, walState } from '../runner/frontend.js';

/** The default limit on one `nsys export`: a minute of TP=8 serving exports in a few minutes. */
const DEFAULT_EXPORT_TIMEOUT_S = 1800;

export const EXPORT_HELP = `
A .nsys-rep report is read through its SQLite export: a .sqlite beside it that is newer than the report
is used; otherwise nsys (on PATH) exports it once into $XDG_CACHE_HOME/nsys-tp (default ~/.cache/nsys-tp;
delete that folder to clear it). Environment:
  NSYS_TP_EXPORT_TIMEOUT=SECONDS  stop an nsys export that runs longer (default ${DEFAULT_EXPORT_TIMEOUT_S})
  NSYS_TP_CACHE=DIR               where exports are kept instead of the cache folder
  NSYS_TP_PIPE_TIMEOUT=SECONDS    how long a pipe given as --config or --model may stay silent (default 10)`;

export function exportTimeoutMs(): number {
  const raw = process.env.NSYS_TP_EXPORT_TIMEOUT;
  if (raw === undefined || raw.trim() === '') return DEFAULT_EXPORT_TIMEOUT_S * 1000;
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0) throw new BadInputError(`NSYS_TP_EXPORT_TIMEOUT=${raw}: expected a number of seconds`);
  return v * 1000;
}

/** The folder exports are kept in: NSYS_TP_CACHE, else $XDG_CACHE_HOME/nsys-tp, else ~/.cache/nsys-tp. */
export function cacheDir(): string {
  if (process.env.NSYS_TP_CACHE) return process.env.NSYS_TP_CACHE;
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.cache'), 'nsys-tp');
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir never returns where a folder cannot take new
 * entries yet answers ENOENT (under /proc: NSYS_TP_CACHE=/proc/self/x, or HOME=/proc), retrying forever.
 */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) mkdirSync(d);
  if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
}

/** `nsys` on PATH, found without running it (a broken nsys must not hang the search). */
function findNsys(): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, 'nsys');
    try {
      if (statSync(p).isFile()) {
        accessSync(p, constants.X_OK);
        return p;
      }
    } catch {
      /* not here */
    }
  }
  return null;
}

export interface ResolvedInputs {
  paths: string[];
  notes: string[];
  cleanup(): void;
}

export interface ExportUi {
  /** Progress on a terminal: called about once a second while nsys runs; `null` ends it. */
  progress?(line: string | null): void;
}

const secondsText = (ms: number) => (ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`);

/** Private copies made this run, removed when it ends however it ends. */
const temps = new Set<string>();
process.once('exit', () => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

export async function resolveInputs(paths: string[], ui: ExportUi = {}): Promise<ResolvedInputs> {
  const notes: string[] = [];
  const out: string[] = [];
  const mine: string[] = [];
  try {
    for (const p of paths) {
      if (/\.nsys-rep$/i.test(p) && existsSync(p)) out.push(await exportedReport(p, notes, ui));
      else out.push(readablePath(p, notes, mine));
    }
  } catch (e) {
    removeTemps(mine);
    throw e;
  }
  return { paths: out, notes, cleanup: () => removeTemps(mine) };
}

function removeTemps(dirs: string[]): void {
  for (const d of dirs.splice(0)) {
    rmSync(d, { recursive: true, force: true });
    temps.delete(d);
  }
}

/**
 * The path to read an export by. A WAL-mode export without its `-wal` file is read through a private copy
 * marked as a rollback-journal database (header bytes 18-19): the same pages, and SQLite then needs no
 * `-wal` or `-shm` file beside the user's. Anything else is read where it is.
 */
function readablePath(p: string, notes: string[], mine: string[]): string {
  let state;
  try {
    state = walState(p);
  } catch {
    return p; // unreadable or missing: the reader says what is wrong
  }
  if (state === 'sidecars') notes.push(sidecarNote(p)!);
  if (state !== 'no-wal') return p;
  // TMPDIR first; where it is missing, read-only, not a folder or full, the other usual places.
  const tried: string[] = [];
  for (const root of [...new Set([tmpdir(), '/tmp', '/var/tmp', cacheDir()])]) {
    let dir: string | undefined;
    try {
      if (root === cacheDir()) makeDirs(root);
      dir = mkdtempSync(join(root, 'nsys-tp-wal-'));
      temps.add(dir);
      const copy = join(dir, basename(p));
      copyFileSync(p, copy, constants.COPYFILE_FICLONE);
      const fd = openSync(copy, 'r+');
      try {
        writeSync(fd, Buffer.from([1, 1]), 0, 2, 18);
      } finally {
        closeSync(fd);
      }
      mine.push(dir);
      return copy;
    } catch (e) {
      if (dir) {
        rmSync(dir, { recursive: true, force: true });
        temps.delete(dir);
      }
      tried.push(`${root}: ${writeErrorText(e)}`);
    }
  }
  throw new BadInputError(
    `${p}: a WAL-mode export without its -wal file is read through a private copy (so nothing appears beside it), and no folder could take one (${tried.join('; ')}); set TMPDIR to a folder with ${Math.ceil(statSync(p).size / 2 ** 20)} MiB free`,
  );
}

/** The export of one report: beside it when fresh, else from (or into) the cache. */
async function exportedReport(report: string, notes: string[], ui: ExportUi): Promise<string> {
  const rep = statSync(report);
  const beside = report.replace(/\.nsys-rep$/i, '.sqlite');
  if (existsSync(beside) && statSync(beside).isFile() && statSync(beside).mtimeMs >= rep.mtimeMs) {
    notes.push(`reading ${beside}, the export beside ${report} (newer than the report)`);
    return beside;
  }
  const dir = cacheDir();
  // One export per report content: its real path, size and modification time.
  const key = createHash('sha256').update(`${realpathSync(report)}\0${rep.size}\0${rep.mtimeMs}`).digest('hex').slice(0, 16);
  const cached = join(dir, `${basename(report).replace(/\.nsys-rep$/i, '')}-${key}.sqlite`);
  const staleNote = existsSync(beside) ? ` (${beside} is older than the report)` : '';
  if (existsSync(cached)) {
    notes.push(`reading ${cached}, the export of ${report} made earlier${staleNote}; delete ${dir} to clear the cache`);
    return cached;
  }
  const nsys = findNsys();
  if (!nsys) throw new BadInputError(`${report}: an Nsight Systems report; nsys is not on PATH here, so export it first: ${exportCommand(report)}`);
  try {
    makeDirs(dir);
  } catch (e) {
    throw new BadInputError(`${dir}: cannot create the export cache folder (${writeErrorText(e)}); set NSYS_TP_CACHE to another folder`);
  }
  const tmp = `${cached.replace(/\.sqlite$/, '')}.${process.pid}.partial.sqlite`;
  const timeout = exportTimeoutMs();
  const t0 = Date.now();
  try {
    await runExport(nsys, report, tmp, timeout, ui);
    if (!existsSync(tmp)) throw new BadInputError(`${report}: nsys export finished but wrote no ${tmp}`);
    renameSync(tmp, cached);
  } finally {
    rmSync(tmp, { force: true });
  }
  notes.push(`exported ${report} with nsys in ${secondsText(Date.now() - t0)} to ${cached}${staleNote}; later runs reuse it (delete ${dir} to clear the cache)`);
  return cached;
}

function runExport(nsys: string, report: string, target: string, timeoutMs: number, ui: ExportUi): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    // Its own process group, so a timeout ends nsys and whatever it started.
    const child = spawn(nsys, ['export', '--type', 'sqlite', '--force-overwrite', 'true', '--output', target, report], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let tail = '';
    const keep = (b: Buffer) => {
      tail = (tail + b.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const ticker = setInterval(() => {
      const took = Date.now() - t0;
      let size = '';
      try {
        size = `, ${(statSync(target).size / 2 ** 20).toFixed(0)} MiB written`;
      } catch {
        /* not started writing */
      }
      ui.progress?.(`exporting ${termSafe(basename(report))} with nsys: ${secondsText(took)}${size} (stops after ${secondsText(timeoutMs)}: NSYS_TP_EXPORT_TIMEOUT)`);
      if (took > timeoutMs) {
        timedOut = true;
        kill(child.pid);
      }
    }, Math.min(1000, Math.max(50, timeoutMs / 10)));
    const done = (err: Error | null) => {
      clearInterval(ticker);
      ui.progress?.(null);
      if (err) reject(err);
      else resolve();
    };
    child.on('error', (e) => done(new BadInputError(`${report}: cannot run ${nsys} (${(e as NodeJS.ErrnoException).code ?? e.message})`)));
    child.on('close', (code, signal) => {
      if (timedOut) {
        return done(new BadInputError(`${report}: nsys export did not finish within ${secondsText(timeoutMs)} and was stopped; set NSYS_TP_EXPORT_TIMEOUT=SECONDS to wait longer, or run: ${exportCommand(report)}`));
      }
      if (code !== 0) {
        const last = tail.trim().split('\n').pop() || (signal ? `killed by ${signal}` : `exit ${code}`);
        return done(new BadInputError(`${report}: nsys export failed (${last.slice(0, 300)})`));
      }
      done(null);
    });
  });
}

function kill(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}
