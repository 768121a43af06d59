/**
 * Nothing lost (issue 8, item 4): every file the tool writes (-o in every format, --chart, slice) is written
 * to a temp file and renamed, never over an input trace (whatever the spelling of the path), and a write
 * that fails (read-only folder, full disk, a folder in the way) leaves no temp file and the file that was
 * there before as it was.
 */
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanExit, leftoverTemps, pool, runCliAsync, WRITERS, type WriterRow } from './support/catalogue.js';
import { tempDir } from './support/fixtures.js';
import { samplePath } from './support/traces.js';

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
const ROOT = process.getuid?.() === 0;
/** Root writes through permission bits: the read-only case runs the CLI as nobody instead. */
const NOBODY = 65534;
const OLD = 'the previous output, which must survive a failed write\n';

interface Setup {
  target: string;
  cwd?: string;
  uid?: number;
  /** Runs the CLI under a file size limit of 1 KiB: the disk fills up mid-write. */
  fullDisk?: boolean;
  /** A file that was there before and must be byte-identical afterwards. */
  keep?: string;
}

interface OutputCase {
  name: string;
  applies: (row: WriterRow) => boolean;
  setup: (dir: string, input: string, row: WriterRow) => Setup;
  /** 0: written (somewhere that is not the input); 2: refused with this message. */
  status: 0 | 2;
  message?: RegExp;
}

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
      return { target, keep, uid: ROOT ? NOBODY : undefined };
    },
    status: 2,
    message: /EACCES|permission denied|unable to open/,
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
];

describe('files the tool writes', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const rows = WRITERS.filter(c.applies);
      const problems: string[] = [];
      const results = await pool(
        rows.map((row) => async () => {
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
          const r = await runCliAsync(row.args(input, s.target), {
            cwd: s.cwd, uid: s.uid, prefix: s.fullDisk ? ['sh', '-c', 'ulimit -f 2; exec "$@"', 'sh'] : undefined,
          });
          return { row, r, dir, input, s, before, kept };
        }),
        Math.max(2, availableParallelism()),
      );
      for (const { row, r, dir, input, s, before, kept } of results) {
        const at = `${row.command}: `;
        for (const p of cleanExit(r)) problems.push(at + p);
        if (r.status !== c.status) problems.push(`${at}exit ${r.status}, expected ${c.status}: ${r.stderr.trim()}`);
        if (c.message && r.status === 2 && !c.message.test(r.stderr)) problems.push(`${at}${JSON.stringify(r.stderr.trim())} does not match ${c.message}`);
        if (sha(input) !== before) problems.push(`${at}the input changed`);
        if (s.keep && (!existsSync(s.keep) || sha(s.keep) !== kept)) problems.push(`${at}the previous output was changed`);
        if (c.status === 0) {
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
