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

const QUOTE = 0x22;
const NUMBER = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
/** Bare values: JSON's, and the NaN / Infinity / -Infinity Python's json.dump writes. */
const WORDS = ['true', 'false', 'null', 'NaN', 'Infinity', '-Infinity'];

/** Where a scan stopped, as a position (the text itself is never quoted back: it may be anyone's file). */
function shapeError(text: string, i: number, what: string): JsonShapeError {
  if (i >= text.length) return new JsonShapeError(`the text ends where ${what} should be`);
  let line = 1;
  let col = 1;
  for (let j = 0; j < i; j++) {
    if (text.charCodeAt(j) === 0x0a) {
      line++;
      col = 1;
    } else col++;
  }
  return new JsonShapeError(`expected ${what} at line ${line}, column ${col}`);
}

/** End of the string starting at i (a '"'), checked as JSON: no raw control characters, known escapes. */
function strictStringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === QUOTE) return j + 1;
    if (c < 0x20) throw shapeError(text, j, 'a character that may stand in a string (a control character is there)');
    if (c === 0x5c) {
      const e = text[j + 1];
      if (e === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(j + 2, j + 6))) throw shapeError(text, j, 'a \\u escape of four hex digits');
        j += 5;
      } else if (e !== undefined && '"\\/bfnrt'.includes(e)) j++;
      else throw shapeError(text, j, 'a known escape');
    }
  }
  throw shapeError(text, text.length, 'the end of a string');
}

function scalarEnd(text: string, i: number): number {
  for (const w of WORDS) if (text.startsWith(w, i)) return i + w.length;
  NUMBER.lastIndex = i;
  if (NUMBER.test(text)) return NUMBER.lastIndex;
  throw shapeError(text, i, 'a value');
}

/**
 * End of the JSON value starting at i, the whole value checked against JSON's grammar (with Python's
 * NaN and Infinity) without building it: a report of tens of megabytes costs no object graph, and a
 * value nested a million deep no call stack.
 */
export function valueEnd(text: string, i: number): number {
  const stack: number[] = [];
  for (;;) {
    i = skipWs(text, i);
    const c = text.charCodeAt(i);
    let opened = false;
    if (c === 0x7b || c === 0x5b) {
      const close = c === 0x7b ? 0x7d : 0x5d;
      i = skipWs(text, i + 1);
      if (text.charCodeAt(i) === close) i++;
      else {
        stack.push(close);
        if (close === 0x7d) i = keyEnd(text, i);
        opened = true;
      }
    } else if (c === QUOTE) i = strictStringEnd(text, i);
    else i = scalarEnd(text, i);
    if (opened) continue;
    for (;;) {
      if (stack.length === 0) return i;
      i = skipWs(text, i);
      const d = text.charCodeAt(i);
      const close = stack[stack.length - 1]!;
      if (d === 0x2c) {
        i = close === 0x7d ? keyEnd(text, skipWs(text, i + 1)) : i + 1;
        break;
      }
      if (d !== close) throw shapeError(text, i, close === 0x7d ? '"," or "}"' : '"," or "]"');
      stack.pop();
      i++;
    }
  }
}

/** Past the key and its colon at i, in an object. */
function keyEnd(text: string, i: number): number {
  if (text.charCodeAt(i) !== QUOTE) throw shapeError(text, i, 'a key');
  const colon = skipWs(text, strictStringEnd(text, i));
  if (text[colon] !== ':') throw shapeError(text, colon, '":"');
  return colon + 1;
}

function skipWs(text: string, i: number): number {
  while (i < text.length && WS.test(text[i]!)) i++;
  return i;
}

function topObject(text: string): TopObject {
  const open = skipWs(text, text.charCodeAt(0) === 0xfeff ? 1 : 0);
  if (text[open] !== '{') throw new JsonShapeError(open >= text.length ? 'empty' : 'not a JSON object');
  const members: Member[] = [];
  let i = skipWs(text, open + 1);
  if (text[i] !== '}') {
    for (;;) {
      if (text[i] !== '"') throw shapeError(text, i, 'a key');
      const kEnd = strictStringEnd(text, i);
      const key = JSON.parse(text.slice(i, kEnd)) as string;
      const colon = skipWs(text, kEnd);
      if (text[colon] !== ':') throw shapeError(text, colon, '":"');
      const vs = skipWs(text, colon + 1);
      const ve = valueEnd(text, vs);
      members.push({ key, keyStart: i, valueStart: vs, valueEnd: ve });
      i = skipWs(text, ve);
      if (text[i] === ',') i = skipWs(text, i + 1);
      else if (text[i] === '}') break;
      else throw shapeError(text, i, '"," or "}"');
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

/** Python writes NaN, Infinity and -Infinity, which JSON.parse rejects: read as null. */
function withoutNonFinite(text: string): string {
  const parts: string[] = [];
  let from = 0;
  for (let i = 0; i < text.length; ) {
    if (text.charCodeAt(i) === QUOTE) {
      i = stringEnd(text, i);
      continue;
    }
    const w = text.startsWith('NaN', i) ? 3 : text.startsWith('Infinity', i) ? 8 : text.startsWith('-Infinity', i) ? 9 : 0;
    if (w) {
      parts.push(text.slice(from, i), 'null');
      from = i += w;
    } else i++;
  }
  parts.push(text.slice(from));
  return parts.join('');
}

/**
 * What is wrong with a text JSON.parse refused, by position only: JSON.parse's own message quotes the
 * text (`"root:x:0:0"... is not valid JSON`), and a file given by mistake may be anyone's secrets.
 */
export function jsonSyntaxProblem(text: string): string {
  const start = skipWs(text, text.charCodeAt(0) === 0xfeff ? 1 : 0);
  try {
    const end = skipWs(text, valueEnd(text, start));
    if (end < text.length) return shapeError(text, end, 'the end of the text (more than one JSON value?)').message;
    return 'NaN or Infinity, which JSON does not allow';
  } catch (e) {
    if (e instanceof JsonShapeError) return text.trim() === '' ? 'empty' : e.message;
    throw e;
  }
}

/** The top-level object's keys, the whole text checked as one JSON object (nothing built: see valueEnd). */
export function topLevelKeys(text: string): string[] {
  return topObject(text).members.map((m) => m.key);
}

/** The text parsed (NaN and Infinity as null), checked to be one JSON object. */
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
