/**
 * JSON rendering of any result: indented like JSON.stringify(r, null, 2), except that an array of plain
 * values (numbers, strings) stays on one line, so a timeline or a list of step times is a line, not a
 * column of thousands. Non-finite numbers become null. Every string parses back to itself.
 */

/**
 * Characters JSON may carry raw but a terminal acts on (C1 controls, bidi overrides) or some JavaScript
 * parsers reject (U+2028/2029): written as \u escapes, so `cat report.json` is safe and every string still
 * parses back to itself. They can only occur inside strings.
 */
const UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const isPlain = (v: unknown) => v === null || typeof v !== 'object';

function value(v: unknown): unknown {
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') return (v as { toJSON(): unknown }).toJSON();
  return v;
}

function write(v: unknown, indent: string, out: string[]): void {
  v = value(v);
  if (Array.isArray(v)) {
    const items = v.map(value);
    if (items.length === 0) return void out.push('[]');
    if (items.every(isPlain)) return void out.push(`[${items.map((x) => JSON.stringify(x === undefined ? null : x)).join(', ')}]`);
    const inner = indent + '  ';
    out.push('[\n');
    items.forEach((x, i) => {
      out.push(inner);
      if (x === undefined || typeof x === 'function') out.push('null');
      else write(x, inner, out);
      out.push(i < items.length - 1 ? ',\n' : '\n');
    });
    out.push(`${indent}]`);
    return;
  }
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined && typeof x !== 'function');
    if (entries.length === 0) return void out.push('{}');
    const inner = indent + '  ';
    out.push('{\n');
    entries.forEach(([k, x], i) => {
      out.push(`${inner}${JSON.stringify(k)}: `);
      write(x, inner, out);
      out.push(i < entries.length - 1 ? ',\n' : '\n');
    });
    out.push(`${indent}}`);
    return;
  }
  out.push(JSON.stringify(v));
}

export function renderJson(r: object): string {
  const out: string[] = [];
  write(r, '', out);
  return out.join('').replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + '\n';
}
