/**
 * Once per test run: every temp folder the tests make (fixtures.ts tempDir) carries this run's id, and
 * is removed when the run ends, whether its tests passed or not (NSYS_TP_KEEP_TEMP=1 keeps them, to look
 * at a failure). Groups skipped for want of the shared traces say so here, once.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HAVE_TRACES, SHARED_TRACES } from './traces.js';

export const TEMP_PREFIX = 'nsys-tp-test-';

export default function setup(): () => void {
  const run = `${process.pid}-${Date.now().toString(36)}`;
  process.env.NSYS_TP_TEST_RUN = run;
  if (!HAVE_TRACES) console.log(`nsys-tp tests: ${SHARED_TRACES} not found: the groups on the full traces are skipped (set NSYS_TP_TRACES to their folder)`);
  return () => {
    const mine = readdirSync(tmpdir()).filter((f) => f.startsWith(`${TEMP_PREFIX}${run}-`));
    if (process.env.NSYS_TP_KEEP_TEMP) {
      if (mine.length) console.log(`nsys-tp tests: kept ${mine.length} temp folders: ${join(tmpdir(), `${TEMP_PREFIX}${run}-*`)}`);
      return;
    }
    for (const f of mine) removeAll(join(tmpdir(), f));
  };
}

/** rm -rf, first making read-only folders (a case's) writable again. */
function removeAll(p: string): void {
  try {
    rmSync(p, { recursive: true, force: true });
  } catch {
    try {
      execFileSync('chmod', ['-R', 'u+rwx', p]);
    } catch {
      /* leave it */
    }
    rmSync(p, { recursive: true, force: true });
  }
}
