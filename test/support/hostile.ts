/**
 * A copy of a committed sample whose NVTX names carry markup and terminal escapes, as a trace from an
 * untrusted source might: every renderer must show them as text.
 */
import Database from 'better-sqlite3';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { samplePath } from './traces.js';

export const HOSTILE_LAYER = '<img src=x onerror=alert(1)> layer 3';
export const HOSTILE_STEP = '<script>alert(2)</script> decode 3';

export function hostileEager(dir: string): string {
  const p = join(dir, 'hostile.sqlite');
  copyFileSync(samplePath('tp4-eager.sqlite'), p);
  const db = new Database(p);
  db.prepare('UPDATE NVTX_EVENTS SET text = ? WHERE text = ?').run(HOSTILE_LAYER, 'layer 3');
  db.prepare('UPDATE NVTX_EVENTS SET text = ? WHERE text = ?').run(HOSTILE_STEP, 'decode 3');
  db.prepare('UPDATE NVTX_EVENTS SET text = ? WHERE text = ?').run('\u001b]0;pwned\u0007 layer 5', 'layer 5');
  db.close();
  return p;
}
