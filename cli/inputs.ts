/**
 * Turning what the user passed into SQLite exports: a `.nsys-rep` is exported with the local `nsys` when
 * there is one (into a temporary folder, never beside the user's file), else the exact command is given.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { TraceError } from '../queries/errors.js';
import { exportCommand } from '../queries/open.js';

function findNsys(): string | null {
  const r = spawnSync('nsys', ['--version'], { encoding: 'utf8', timeout: 20_000 });
  return r.status === 0 ? 'nsys' : null;
}

export interface ResolvedInputs {
  paths: string[];
  notes: string[];
  cleanup(): void;
}

export function resolveInputs(paths: string[]): ResolvedInputs {
  const temps: string[] = [];
  const notes: string[] = [];
  const out = paths.map((p) => {
    if (!/\.nsys-rep$/i.test(p) || !existsSync(p)) return p;
    const nsys = findNsys();
    if (!nsys) throw new TraceError(`${p}: an Nsight Systems report; nsys is not on PATH here, so export it first: ${exportCommand(p)}`);
    const dir = mkdtempSync(join(tmpdir(), 'nsys-tp-'));
    temps.push(dir);
    const target = join(dir, basename(p).replace(/\.nsys-rep$/i, '.sqlite'));
    const r = spawnSync(nsys, ['export', '--type', 'sqlite', '--output', target, p], { encoding: 'utf8', timeout: 30 * 60_000 });
    if (r.status !== 0 || !existsSync(target)) {
      throw new TraceError(`${p}: nsys export failed (${(r.stderr || r.stdout || 'no output').trim().split('\n').pop()})`);
    }
    notes.push(`exported ${p} with: ${exportCommand(p)}`);
    return target;
  });
  return {
    paths: out,
    notes,
    cleanup: () => temps.forEach((d) => rmSync(d, { recursive: true, force: true })),
  };
}
