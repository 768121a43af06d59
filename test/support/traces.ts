/**
 * Test access to the real traces: ../shared/traces/*.sqlite.xz (or $NSYS_TP_TRACES), decompressed once
 * into .cache/traces. Tests on them are skipped when the folder is absent; CI has it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the first folder up with a package.json (this file also runs compiled, from dist/). */
function findRepo(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export const REPO = findRepo();
export const SHARED_TRACES = process.env.NSYS_TP_TRACES ?? resolve(REPO, '../shared/traces');
export const HAVE_TRACES = existsSync(SHARED_TRACES);
const CACHE = join(REPO, '.cache/traces');

export function samplePath(name: string): string {
  return join(REPO, 'samples', name);
}

/** Path of a decompressed shared trace, e.g. sharedTrace('tp4') or sharedTrace('external/saxpy-mpi-cuda-nsys-old'). */
export function sharedTrace(name: string): string {
  return decompressed(join(SHARED_TRACES, `${name}.sqlite.xz`), join(CACHE, `${name}.sqlite`));
}

/** The captures committed in test/traces (xz), decompressed once into .cache/repo-traces: always present. */
export const REPO_TRACES = join(REPO, 'test/traces');

/** Path of a decompressed committed capture, e.g. repoTrace('hf-eager-range'). */
export function repoTrace(name: string): string {
  return decompressed(join(REPO_TRACES, `${name}.sqlite.xz`), join(REPO, '.cache/repo-traces', `${name}.sqlite`));
}

/** `xz` decompressed to `out` once (again when the .xz is newer); a temp file first, so a reader never sees half. */
function decompressed(xz: string, out: string): string {
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(xz).mtimeMs) return out;
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  execFileSync('sh', ['-c', `xz -dc "$0" > "$1"`, xz, tmp]);
  renameSync(tmp, out);
  return out;
}

export const TP_TRACES = ['tp1', 'tp1graph', 'tp2', 'tp2graph', 'tp2graph-blobs', 'tp4', 'tp4big', 'tp4graph', 'tp4graphg', 'tp4nop2p', 'tp4overlap', 'tp4serial', 'tp4sp', 'tp4tree'];
export const EXTERNAL_TRACES = ['external/cloverleaf-cuda-nsys2024.5', 'external/saxpy-mpi-cuda-nsys-old', 'external/nsys-ai-h100_2gpu_1s', 'external/nsys-ai-mfu_2gpu_before', 'external/nsys-ai-mfu_2gpu_after'];
