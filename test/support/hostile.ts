/**
 * Copies of committed samples whose strings carry markup, Markdown table breakers and terminal escapes, as
 * a trace from an untrusted source might: every renderer must show them as text.
 */
import Database from 'better-sqlite3';
import { copyFileSync, mkdirSync } from 'node:fs';
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

/**
 * Everything a string can carry to hurt a report: HTML that runs (script, an event handler breaking out of
 * an attribute), Markdown that breaks a table or opens a link or code span, and terminal controls (SGR
 * colour, an OSC 8 hyperlink, a bell, a C1 CSI, a bidi override that reverses what follows). It starts with
 * a tag of plain letters so a test can find where it landed in every format, whatever the escaping.
 */
export function hostile(tag: string): string {
  return (
    `${tag}<script>alert(1)</script>"><img src=x onerror=alert(2)>|cell|\n## heading [link](javascript:alert(3)) ` +
    `\`code\` *em* _u_ \u001b[31mred\u001b[0m \u001b]8;;http://evil.example/\u0007click\u001b]8;;\u0007 bell\u0007 ` +
    `c1\u009b2J \u202eevil\u202c \u2066iso\u2069 end`
  );
}

/** The same in under 64 characters, for names that are cut or ignored when long (step ranges, kernels). */
export function hostileShort(tag: string): string {
  return `${tag}<script>x()</script>|\`s\`\n\u001b[31m\u202e\u0007\u009b2J`;
}

/** Where the hostile strings go, by tag. */
export const TAGS = {
  step: 'HXstep', layer: 'HXlayer', kernel: 'HXkernel', api: 'HXapi', thread: 'HXthread', gpu: 'HXgpu', version: 'HXversion',
  command: 'HXcommand', env: 'HXenv', path: 'HXpath', model: 'HXmodel',
} as const;

/**
 * tp4-eager with hostile strings in an NVTX step range and a layer range, the attention kernel's names (the
 * host-bound-gaps finding names it), a CUDA API name (the same finding lists host calls), every thread
 * name, the GPU name, the nsys version, an argument of the profiled command, NCCL_ALGO in the recorded
 * environment (nccl-algorithm-override quotes it), and the file name itself.
 */
export function hostileTrace(dir: string): string {
  const sub = join(dir, `${TAGS.path}<b>|\`p\` \u001b[2J`);
  mkdirSync(sub, { recursive: true });
  const p = join(sub, `${TAGS.path} <i onmouseover=alert(5)>x | \u001b[31mrun.sqlite`);
  copyFileSync(samplePath('tp4-eager.sqlite'), p);
  const db = new Database(p);
  const set = (sql: string, ...args: unknown[]) => db.prepare(sql).run(...args);
  // Step auto-detection takes names of up to 64 characters.
  for (const n of [2, 3]) set('UPDATE NVTX_EVENTS SET text = ? WHERE text = ?', `${hostileShort(TAGS.step)} decode ${n}`, `decode ${n}`);
  set('UPDATE NVTX_EVENTS SET text = ? WHERE text = ?', `${hostile(TAGS.layer)} layer 3`, 'layer 3');
  // Short: findings shorten kernel names in the middle, and the tag must survive.
  set("UPDATE StringIds SET value = ? WHERE value LIKE 'cudnn_generated_fort_native_sdpa%'", hostileShort(TAGS.kernel));
  set("UPDATE StringIds SET value = ? WHERE value = 'cuKernelSetAttribute'", hostile(TAGS.api));
  const threadName = db.prepare('INSERT INTO StringIds (id, value) VALUES ((SELECT max(id) + 1 FROM StringIds), ?)').run(hostile(TAGS.thread)).lastInsertRowid;
  set('UPDATE ThreadNames SET nameId = ?', threadName);
  set('UPDATE TARGET_INFO_GPU SET name = ?', hostile(TAGS.gpu));
  set("UPDATE META_DATA_EXPORT SET value = ? WHERE name = 'EXPORT_PRODUCT_VERSION'", hostile(TAGS.version));
  set("UPDATE META_DATA_CAPTURE SET value = ? WHERE name = 'PROCESS_0:ARGUMENT_2'", hostile(TAGS.command));
  set("INSERT INTO META_DATA_CAPTURE (name, value) VALUES ('PROCESS_0:ENVIRONMENT_VARIABLE', ?)", `NCCL_ALGO="${hostile(TAGS.env)}"`);
  db.close();
  return p;
}
