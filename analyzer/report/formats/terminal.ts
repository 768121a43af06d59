/**
 * The terminal format: a document as lines of at most `width` columns (100 when not told; 80 stays
 * readable), tables split by columns when too wide, long detail left to its own command, severities and
 * headings in colour when asked (a terminal that wants it; never a pipe). Strings from the trace are
 * stripped of control characters.
 */
import type { Block, Doc, FindingItem, Table } from '../document.js';
import { table, termSafe, wrap } from '../format.js';

export interface TerminalOptions {
  width?: number;
  color?: boolean;
  /** The findings (and the rules not run) only: for scripts and quick looks. */
  quiet?: boolean;
}

const TAGS = { error: 'ERROR', warning: 'WARN', info: 'INFO' } as const;
const COLORS = { error: '31', warning: '33', info: '36' } as const;

export function severityTag(severity: FindingItem['severity'], color = false): string {
  return color ? `\x1b[1;${COLORS[severity]}m${TAGS[severity]}\x1b[0m` : TAGS[severity];
}

const bold = (s: string, color: boolean) => (color ? `\x1b[1m${s}\x1b[0m` : s);
const yellow = (s: string) => `\x1b[33m${s}\x1b[0m`;

/** Tables wider than the line: the label columns, then as many data columns as fit, repeated. */
function tableLines(t: Table, width: number): string[] {
  const labels = t.labelColumns ?? 1;
  const cells = (r: { cells: string[]; style?: string }) =>
    r.cells.map((c, i) => termSafe(i === 0 && r.style === 'sub' ? `  ${c}` : c));
  const body = t.rows.map(cells);
  const head = t.head.map(termSafe);
  const fits = (rows: string[][]) => {
    const ncol = Math.max(...rows.map((r) => r.length));
    let total = 2;
    for (let i = 0; i < ncol; i++) total += Math.max(...rows.map((r) => [...(r[i] ?? '')].length)) + 2;
    return total - 2 <= width;
  };
  // Too wide: long column names fold onto a second header line before the columns are split.
  let rows = [head, ...body];
  if (!fits(rows) && head.some((h) => h.includes(' '))) {
    const top = head.map((h) => (h.includes(' ') ? h.slice(0, h.indexOf(' ')) : h));
    const bottom = head.map((h) => (h.includes(' ') ? h.slice(h.indexOf(' ') + 1) : ''));
    rows = [top, bottom, ...body];
  }
  const w = (i: number) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length));
  const ncol = Math.max(...rows.map((r) => r.length));
  const indent = 2;
  const gap = 2;
  const labelWidth = Array.from({ length: labels }, (_, i) => w(i) + gap).reduce((a, b) => a + b, 0);
  const chunks: number[][] = [];
  let chunk: number[] = [];
  let used = indent + labelWidth;
  for (let i = labels; i < ncol; i++) {
    // The gap after a chunk's last column takes no room: a table that fits() is never split.
    const need = w(i) + gap;
    if (chunk.length && used + w(i) > width) {
      chunks.push(chunk);
      chunk = [];
      used = indent + labelWidth;
    }
    chunk.push(i);
    used += need;
  }
  chunks.push(chunk);
  const out: string[] = [];
  for (const c of chunks) {
    const cols = [...Array.from({ length: labels }, (_, i) => i), ...c];
    // A folded header's second line can be blank for a chunk's columns: left out.
    const lines = table(rows.map((r) => cols.map((i) => r[i] ?? '')), { gap, leftCols: labels }).filter((l) => l.trim() !== '');
    if (out.length) out.push('');
    out.push(...lines.map((l) => ' '.repeat(indent) + l));
  }
  return out;
}

function findingLines(items: FindingItem[], width: number, color: boolean): string[] {
  const out: string[] = [];
  for (const f of items) {
    const where = f.where ? ` (${termSafe(f.where)})` : '';
    const mark = f.mark ? `${f.mark} ` : '';
    const lines = wrap(`  ${mark}${TAGS[f.severity]} ${termSafe(f.rule)}${where}: ${termSafe(f.message)}`, width, '      ');
    // Coloured after wrapping, so the escape codes take no room on the line.
    if (color) lines[0] = lines[0]!.replace(TAGS[f.severity], severityTag(f.severity, true));
    out.push(...lines);
    for (const l of f.locations ?? []) out.push(...wrap(`      at ${termSafe(l)}`, width, '         '));
    if (f.recommendation) out.push(...wrap(`    → ${termSafe(f.recommendation)}`, width, '        '));
  }
  return out;
}

function blockLines(b: Block, width: number, color: boolean): string[] {
  switch (b.kind) {
    case 'heading': {
      const head = b.level === 1 ? b.text : b.level === 2 ? b.text.toUpperCase() : b.text;
      const text = b.detail ? `${head} · ${b.detail}` : head;
      const lines = wrap(termSafe(text), width, '  ');
      lines[0] = bold(lines[0]!, color);
      return b.level === 3 ? ['', ...lines.map((l) => `  ${l}`)] : ['', ...lines];
    }
    case 'para': {
      const lines = wrap(`  ${b.tone === 'warning' ? 'warning: ' : ''}${termSafe(b.text)}`, width, '    ');
      if (color && b.tone === 'warning') lines[0] = lines[0]!.replace('warning:', yellow('warning:'));
      return lines;
    }
    case 'list':
      return b.items.flatMap((x) => wrap(`  - ${termSafe(x)}`, width, '    '));
    case 'code':
      // Whole lines, however long: a command wrapped at the width would not paste.
      return b.lines.map((x) => `    ${termSafe(x)}`);
    case 'table':
      return [...(b.title ? ['', ...wrap(`  ${termSafe(b.title)}`, width, '    ')] : []), ...tableLines(b, width), ...(b.note ? wrap(`  ${termSafe(b.note)}`, width, '  ') : [])];
    case 'findings':
      return ['', bold(`${b.title.toUpperCase()} · ${b.items.length ? b.detail ?? b.items.length : b.none}`, color), ...findingLines(b.items, width, color)];
    case 'chart':
      return [];
    case 'section':
      if (b.columns) return b.blocks.flatMap((x) => blockLines(x, width, color));
      if (b.detail) return [];
      return [...blockLines({ kind: 'heading', level: 3, text: b.title }, width, color), ...b.blocks.flatMap((x) => blockLines(x, width, color))];
  }
}

export function renderTerminalDoc(doc: Doc, opts: TerminalOptions = {}): string {
  const width = Math.max(60, opts.width ?? 100);
  const color = opts.color ?? false;
  if (opts.quiet) {
    const findings = doc.blocks.filter((b) => b.kind === 'findings');
    return findings.flatMap((b) => blockLines(b, width, color)).filter((l, i) => i > 0 || l !== '').join('\n') + '\n';
  }
  const out = [bold(termSafe(doc.title), color)];
  for (const m of doc.meta) {
    const lines = wrap(`${m.tone === 'warning' ? 'warning: ' : ''}${termSafe(m.text)}`, width, '  ');
    if (color && m.tone === 'warning') lines[0] = lines[0]!.replace('warning:', yellow('warning:'));
    out.push(...lines);
  }
  for (const b of doc.blocks) out.push(...blockLines(b, width, color));
  return out.join('\n') + '\n';
}
