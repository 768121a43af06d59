/**
 * Nothing lost (issue 8, item 4): every file the tool writes (-o in every format, --chart, slice) is written
 * to a temp file and renamed, never over an input trace (whatever the spelling of the path), and a write
 * that fails (read-only folder, full disk, a folder in the way) leaves no temp file and the file that was
 * there before as it was.
 */
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, constants, copyFileSync, openSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cleanExit, cliForNobody, IS_ROOT, leftoverTemps, NOBODY, pool, runCliAsync, WRITERS, type Run, type WriterRow } from './support/catalogue.js';
import { tempDir } from './support/fixtures.js';
import { runCliInProcess } from './support/inProcess.js';
import { samplePath } from './support/traces.js';

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
const ROOT = IS_ROOT;
/** Root writes through permission bits: the read-only case runs the CLI as nobody instead, through a CLI that user can run. */
const nobody = ROOT ? cliForNobody() : null;
const nobodySkip = nobody && 'skip' in nobody ? nobody.skip : null;
const OLD = 'the previous output, which must survive a failed write\n';

interface Setup {
  target: string;
  cwd?: string;
  uid?: number;
  cli?: string;
  /** Runs the CLI under a file size limit of 1 KiB: the disk fills up mid-write. */
  fullDisk?: boolean;
  /** A file that was there before and must be byte-identical afterwards. */
  keep?: string;
}

interface OutputCase {
  name: string;
  applies: (row: WriterRow) => boolean;
  setup: (dir: string, input: string, row: WriterRow) => Setup;
  /** 0: written (somewhere that is not the input); 2: refused with this message. Per row where rows differ. */
  status: 0 | 2 | ((row: WriterRow) => 0 | 2);
  message?: RegExp | ((row: WriterRow) => RegExp);
  /** For a target that is not a regular file: what must hold afterwards (instead of "a new file there"). */
  after?: (s: Setup, r: Run, row: WriterRow) => string[];
  /** Why the case cannot run here, if it cannot. */
  skip?: string | null;
  /** Every writer as a process: the target's other end is the process's own (its stdout). */
  processes?: true;
}

/** A device node like `dev` (as root, a new node in the case's folder, so the real one is never at risk). */
function deviceNode(d: string, dev: '/dev/null' | '/dev/full'): string {
  const p = join(d, basename(dev));
  if (ROOT) execFileSync('mknod', [p, 'c', '1', dev === '/dev/null' ? '3' : '7']);
  else symlinkSync(dev, p);
  return p;
}
const stillDevice = (s: Setup) => (statSync(s.target).isCharacterDevice() ? [] : [`${s.target} is no longer a device`]);
const attachOr = (other: 0 | 2) => (row: WriterRow): 0 | 2 => (row.before !== undefined ? 2 : other);
const NOT_REGULAR = /not a regular file/;

/** A file (or a chart folder holding one) with the previous output in it. */
function previous(target: string, row: WriterRow): string {
  if (row.target === 'file') {
    writeFileSync(target, row.before ?? OLD);
    return target;
  }
  mkdirSync(target, { recursive: true });
  writeFileSync(join(target, row.chart ?? 'classes.svg'), OLD);
  return join(target, row.chart ?? 'classes.svg');
}

const tracesOnly = (row: WriterRow) => row.readsTrace !== false;

/** rm -rf that first makes the read-only folders of a case writable again. */
function removeTree(p: string): void {
  if (!statSync(p).isDirectory()) return void rmSync(p, { force: true });
  chmodSync(p, 0o755);
  for (const f of readdirSync(p)) if (lstatSync(join(p, f)).isDirectory()) removeTree(join(p, f));
  rmSync(p, { recursive: true, force: true });
}

const CASES: OutputCase[] = [
  {
    name: 'the input itself',
    applies: tracesOnly,
    setup: (_d, input) => ({ target: input }),
    status: 2,
    message: /refusing to overwrite|not a folder/,
  },
  {
    name: 'a symlink to the input',
    applies: (r) => tracesOnly(r) && r.target === 'file',
    setup: (d, input) => {
      symlinkSync(input, join(d, 'link.sqlite'));
      return { target: join(d, 'link.sqlite') };
    },
    status: 2,
    message: /refusing to overwrite/,
  },
  {
    name: 'the input spelled differently (./in/../in/trace.sqlite)',
    applies: (r) => tracesOnly(r) && r.target === 'file',
    setup: (d) => ({ target: './in/../in/trace.sqlite', cwd: d }),
    status: 2,
    message: /refusing to overwrite/,
  },
  {
    name: 'a chart folder holding the input under a chart\'s name',
    applies: (r) => tracesOnly(r) && r.target === 'folder',
    setup: () => ({ target: '' }),
    status: 2,
    message: /refusing to overwrite/,
  },
  {
    name: 'a hard link to the input (a new file replaces the link; the input keeps its bytes)',
    applies: (r) => tracesOnly(r) && r.target === 'file' && r.before === undefined,
    setup: (d, input) => {
      linkSync(input, join(d, 'hard.sqlite'));
      return { target: join(d, 'hard.sqlite') };
    },
    status: 0,
  },
  {
    name: 'a read-only folder',
    applies: () => true,
    setup: (d, _input, row) => {
      const ro = join(d, 'read-only ü');
      mkdirSync(ro);
      const target = join(ro, row.target === 'file' ? 'out.txt' : 'charts');
      const keep = previous(target, row);
      chmodSync(ro, 0o555);
      if (row.target === 'folder') chmodSync(target, 0o555);
      return { target, keep, ...(nobody && 'cli' in nobody ? { uid: NOBODY, cli: nobody.cli } : {}) };
    },
    status: 2,
    message: /EACCES|permission denied|unable to open/,
    skip: nobodySkip,
  },
  {
    name: 'a full disk (file size limit)',
    applies: () => true,
    setup: (d, _input, row) => {
      const target = join(d, row.target === 'file' ? 'out.txt' : 'charts');
      return { target, keep: previous(target, row), fullDisk: true };
    },
    status: 2,
    message: /EFBIG|too large|disk I\/O error|SQLITE_FULL|full/,
  },
  {
    name: 'something else in the way (a folder for -o, a file for --chart)',
    applies: () => true,
    setup: (d, _input, row) => {
      const target = join(d, 'in the way');
      if (row.target === 'file') {
        mkdirSync(target);
        writeFileSync(join(target, 'inside.txt'), OLD);
        return { target, keep: join(target, 'inside.txt') };
      }
      writeFileSync(target, OLD);
      return { target, keep: target };
    },
    status: 2,
    message: /EISDIR|a folder is in the way|not a folder|is a directory/i,
  },
  {
    name: 'a folder that does not exist',
    applies: () => true,
    setup: (d, _input, row) => ({ target: join(d, 'no such folder', row.target === 'file' ? 'out.txt' : 'charts') }),
    status: 2,
    message: /ENOENT|no such folder|unable to open/,
  },
  {
    name: 'a device node that discards (like /dev/null): written through, never replaced',
    applies: () => true,
    setup: (d) => ({ target: deviceNode(d, '/dev/null') }),
    status: (row) => (row.target === 'folder' ? 2 : attachOr(0)(row)),
    message: (row) => (row.target === 'folder' ? /not a folder/ : NOT_REGULAR),
    after: (s) => stillDevice(s),
  },
  {
    name: 'a device node that is always full (like /dev/full): one line, never replaced',
    applies: () => true,
    setup: (d) => ({ target: deviceNode(d, '/dev/full') }),
    status: 2,
    message: (row) => (row.target === 'folder' ? /not a folder/ : row.before !== undefined ? NOT_REGULAR : /ENOSPC|no space left/),
    after: (s) => stillDevice(s),
  },
  {
    name: 'a symlink to /proc/self/fd/1 (stdout): written through, the link kept',
    applies: (r) => r.target === 'file',
    setup: (d) => {
      symlinkSync('/proc/self/fd/1', join(d, 'to-stdout'));
      return { target: join(d, 'to-stdout') };
    },
    processes: true,
    status: attachOr(0),
    message: NOT_REGULAR,
    after: (s, r, row) => [
      ...(lstatSync(s.target).isSymbolicLink() ? [] : ['the link was replaced']),
      ...(row.before === undefined && r.stdout.length === 0 ? ['nothing reached stdout'] : []),
    ],
  },
  {
    name: 'a FIFO with a reader: written through',
    applies: (r) => r.target === 'file',
    setup: (d) => {
      const target = join(d, 'fifo');
      execFileSync('mkfifo', [target]);
      // The reader copies what arrives into a file, as `-o >(gzip > x)` would.
      spawn('sh', ['-c', 'cat "$0" > "$0.got"', target], { stdio: 'ignore', detached: false });
      return { target };
    },
    status: attachOr(0),
    message: NOT_REGULAR,
    after: (s, _r, row) => {
      const isFifo = statSync(s.target).isFIFO();
      // A reader still waiting (the command refused) is let go; one that got everything has written it out.
      try {
        closeSync(openSync(s.target, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        /* no reader left */
      }
      const got = `${s.target}.got`;
      for (let t = Date.now(); Date.now() - t < 3000 && !(existsSync(got) && statSync(got).size > 0); ) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      return [
        ...(isFifo ? [] : ['the FIFO was replaced']),
        ...(row.before === undefined && !(existsSync(got) && statSync(got).size > 0) ? ['the reader got nothing'] : []),
      ];
    },
  },
  ...['-journal', '-wal', '-shm'].map((side): OutputCase => ({
    name: `the input's SQLite ${side.slice(1)} file (${side}): SQLite would read it as part of the trace`,
    applies: (r) => tracesOnly(r) && r.target === 'file',
    setup: (_d, input) => ({ target: input + side }),
    status: 2,
    message: new RegExp(`refusing to write SQLite's ${side.slice(1)} file of the input trace`),
    after: (s) => (existsSync(s.target) ? [`${s.target} was created`] : []),
  })),
];

describe('files the tool writes', () => {
  for (const c of CASES) {
    if (c.skip) console.log(`outputs: "${c.name}" is skipped: ${c.skip}`);
    it.skipIf(!!c.skip)(c.name, async () => {
      const rows = WRITERS.filter(c.applies);
      const problems: string[] = [];
      const results = await pool(
        rows.map((row, i) => async () => {
          const dir = tempDir();
          chmodSync(dir, 0o755); // readable by the unprivileged user of the read-only case
          mkdirSync(join(dir, 'in'));
          let input = join(dir, 'in', 'trace.sqlite');
          copyFileSync(samplePath('tp4graph-decode.sqlite'), input);
          let s: Setup;
          if (c.name.startsWith('a chart folder holding the input')) {
            mkdirSync(join(dir, 'charts'));
            input = join(dir, 'charts', row.chart ?? 'classes.svg');
            copyFileSync(samplePath('tp4graph-decode.sqlite'), input);
            s = { target: join(dir, 'charts') };
          } else s = c.setup(dir, input, row);
          const before = sha(input);
          const kept = s.keep ? sha(s.keep) : null;
          // The first writer runs as a process; the others in-process where no process is needed (another
          // user, a file size limit, a target whose other end is this process's own stdout).
          const r = i > 0 && s.uid === undefined && !s.fullDisk && !c.processes
            ? await runCliInProcess(row.args(input, s.target), { cwd: s.cwd })
            : await runCliAsync(row.args(input, s.target), {
              cwd: s.cwd, uid: s.uid, cli: s.cli, prefix: s.fullDisk ? ['sh', '-c', 'ulimit -f 2; exec "$@"', 'sh'] : undefined,
            });
          return { row, r, dir, input, s, before, kept };
        }),
        Math.max(2, availableParallelism()),
      );
      for (const { row, r, dir, input, s, before, kept } of results) {
        const at = `${row.command}: `;
        for (const p of cleanExit(r)) problems.push(at + p);
        const status = typeof c.status === 'function' ? c.status(row) : c.status;
        const message = typeof c.message === 'function' ? c.message(row) : c.message;
        if (r.status !== status) problems.push(`${at}exit ${r.status}, expected ${status}: ${r.stderr.trim()}`);
        if (message && r.status === 2 && !message.test(r.stderr)) problems.push(`${at}${JSON.stringify(r.stderr.trim())} does not match ${message}`);
        if (sha(input) !== before) problems.push(`${at}the input changed`);
        if (s.keep && (!existsSync(s.keep) || sha(s.keep) !== kept)) problems.push(`${at}the previous output was changed`);
        if (c.after) for (const p of c.after(s, r, row)) problems.push(at + p);
        else if (status === 0) {
          const written = resolve(s.cwd ?? dir, s.target);
          // A new file, not the input's inode written through: the input keeps its bytes whatever the path.
          if (!existsSync(written) || statSync(written).size === 0 || statSync(written).ino === statSync(input).ino) problems.push(`${at}nothing new written at the target`);
        }
        chmodSync(dir, 0o755);
        for (const f of leftoverTemps(dir)) problems.push(`${at}temp file left: ${f}`);
      }
      expect(problems, problems.join('\n')).toEqual([]);
      for (const { dir } of results) removeTree(dir);
    });
  }
});
