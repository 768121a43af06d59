/**
 * Adding one member to the top-level object of a JSON text without re-serialising the rest: every byte
 * of the existing text stays as it was (key order, number spelling such as `1.0` or `1e-05`, spacing,
 * Python's NaN / Infinity), and the new member is written in the text's own style (indented or on one
 * line, `": "` or `":"`, ASCII-only escapes as Python's json.dump writes them). When the key is already
 * there, its value is replaced in place.
 */

export interface JsonStyle {
  /** Indent of a top-level member ('' when the object is on one line). */
  indent: string;
  /** Between a key and its value (`": "`), and between one-line items (`", "`). */
  keySep: string;
  itemSep: string;
  eol: string;
}

interface Member {
  key: string;
  keyStart: number;
  valueStart: number;
  valueEnd: number;
}

interface TopObject {
  open: number;
  close: number;
  members: Member[];
}

export class JsonShapeError extends Error {}

const WS = /[ \t\n\r]/;

/** End of the string starting at i (a '"'), just past its closing quote. */
function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === '"') return j + 1;
  }
  throw new JsonShapeError('unterminated string');
}

/** End of the value starting at i: a string, a bracketed value (strings inside skipped), or a bare token. */
function valueEnd(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return stringEnd(text, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const d = text[j];
      if (d === '"') j = stringEnd(text, j) - 1;
      else if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') if (--depth === 0) return j + 1;
    }
    throw new JsonShapeError('unbalanced brackets');
  }
  let j = i;
  while (j < text.length && !/[,}\]\s]/.test(text[j]!)) j++;
  if (j === i) throw new JsonShapeError(`unexpected ${text[i] === undefined ? 'end' : `"${text[i]}"`}`);
  return j;
}

function skipWs(text: string, i: number): number {
  while (i < text.length && WS.test(text[i]!)) i++;
  return i;
}

function topObject(text: string): TopObject {
  const open = skipWs(text, text.charCodeAt(0) === 0xfeff ? 1 : 0);
  if (text[open] !== '{') throw new JsonShapeError('not a JSON object');
  const members: Member[] = [];
  let i = skipWs(text, open + 1);
  if (text[i] !== '}') {
    for (;;) {
      if (text[i] !== '"') throw new JsonShapeError('expected a key');
      const keyEnd = stringEnd(text, i);
      const key = JSON.parse(text.slice(i, keyEnd)) as string;
      const colon = skipWs(text, keyEnd);
      if (text[colon] !== ':') throw new JsonShapeError('expected ":"');
      const vs = skipWs(text, colon + 1);
      const ve = valueEnd(text, vs);
      members.push({ key, keyStart: i, valueStart: vs, valueEnd: ve });
      i = skipWs(text, ve);
      if (text[i] === ',') i = skipWs(text, i + 1);
      else if (text[i] === '}') break;
      else throw new JsonShapeError('expected "," or "}"');
    }
  }
  const rest = skipWs(text, i + 1);
  if (rest < text.length) throw new JsonShapeError('more than one JSON value (one result per line, as --append-result writes?): attach takes a file holding one result');
  // Readers disagree on which of two equal keys counts (most take the last): editing one would leave the other.
  const seen = new Set<string>();
  for (const m of members) {
    if (seen.has(m.key)) throw new JsonShapeError(`the key ${JSON.stringify(m.key)} appears twice at the top level, so readers may see either value`);
    seen.add(m.key);
  }
  return { open, close: i, members };
}

/** Python writes NaN, Infinity and -Infinity, which JSON.parse rejects: checked as null. */
function withoutNonFinite(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; ) {
    if (text[i] === '"') {
      const e = stringEnd(text, i);
      out += text.slice(i, e);
      i = e;
      continue;
    }
    const m = /^(-?Infinity|NaN)/.exec(text.slice(i, i + 9));
    if (m) {
      out += 'null';
      i += m[0].length;
    } else out += text[i++];
  }
  return out;
}

export function parseJsonObject(text: string): Record<string, unknown> {
  topObject(text);
  const v = JSON.parse(withoutNonFinite(text.replace(/^\uFEFF/, ''))) as unknown;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new JsonShapeError('not a JSON object');
  return v as Record<string, unknown>;
}

function styleOf(text: string, o: TopObject): JsonStyle {
  const m = o.members[0];
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  if (!m) return { indent: text.slice(o.open, o.close).includes('\n') ? '  ' : '', keySep: ': ', itemSep: ', ', eol };
  const before = text.slice(o.open + 1, m.keyStart);
  const indent = before.includes('\n') ? before.slice(before.lastIndexOf('\n') + 1) : '';
  const keySep = text.slice(stringEnd(text, m.keyStart), m.valueStart);
  const second = o.members[1];
  const itemSep = second ? text.slice(m.valueEnd, second.keyStart).replace(/\r?\n[ \t]*/g, '') : ', ';
  return { indent, keySep, itemSep: itemSep || ', ', eol };
}

/** JSON text of a value in a style; non-ASCII characters escaped (\\uXXXX), as Python's json.dump does. */
export function stringifyLike(value: unknown, style: JsonStyle, level = 1): string {
  const str = (s: string) => JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : 'null';
  if (typeof value === 'string') return str(value);
  if (typeof value !== 'object') return JSON.stringify(value);
  const isArray = Array.isArray(value);
  const entries = isArray ? (value as unknown[]).map((v) => [null, v] as const) : Object.entries(value as object).filter(([, v]) => v !== undefined);
  const [o, c] = isArray ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) return o + c;
  const item = ([k, v]: readonly [string | null, unknown]) => (k === null ? '' : str(k) + style.keySep) + stringifyLike(v, style, level + 1);
  if (!style.indent) return o + entries.map(item).join(style.itemSep) + c;
  const pad = style.indent.repeat(level + 1);
  return `${o}${style.eol}${entries.map((e) => pad + item(e)).join(`,${style.eol}`)}${style.eol}${style.indent.repeat(level)}${c}`;
}

/** The text with `key` set to `value` in its top-level object (added last, or replaced where it is). */
export function setTopLevelMember(text: string, key: string, value: unknown): string {
  const o = topObject(text);
  const style = styleOf(text, o);
  const json = stringifyLike(value, style);
  const existing = o.members.find((m) => m.key === key);
  if (existing) return text.slice(0, existing.valueStart) + json + text.slice(existing.valueEnd);
  const member = JSON.stringify(key) + style.keySep + json;
  const last = o.members[o.members.length - 1];
  if (!last) {
    const inner = style.indent ? `${style.eol}${style.indent}${member}${style.eol}` : member;
    return text.slice(0, o.open + 1) + inner + text.slice(o.close);
  }
  const sep = style.indent ? `,${style.eol}${style.indent}` : style.itemSep;
  return text.slice(0, last.valueEnd) + sep + member + text.slice(last.valueEnd);
}
