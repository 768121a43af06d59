/**
 * Regular expressions the user gives (`--steps`, kernel-class patterns in a config) run on names from a
 * trace, which anyone may have written: with a backtracking engine, `(a+)+$` on a name of 40 `a`s takes
 * longer than the universe has. So every user pattern runs on V8's linear-time engine (the `l` flag):
 * time proportional to pattern × name, whatever either holds.
 *
 * That engine lacks a few features, handled here:
 *  - case-insensitive matching (`i`): the pattern is rewritten with each letter's case variants spelled
 *    out (`a` → `[aA]`, `[a-f]` → `[a-fA-F]`), exactly as JavaScript's `i` folds case without `u`;
 *  - counted repetition above 16 (`[a-z]{1,64}`): written out as a sequence of copies;
 *  - look-ahead, look-behind and back-references have no linear-time form: refused, with the reason.
 * Captures become plain groups: user patterns are only ever tested, never used to extract.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--enable-experimental-regexp-engine');
/** Whether this Node.js has the engine (V8's, behind that flag since V8 8.8; Node.js 20 has it). */
const HAVE_LINEAR = (() => {
  try {
    return new RegExp('a', 'l').test('a');
  } catch {
    return false;
  }
})();

/** Longer than any step or kernel pattern a person writes; bounds the pattern side of pattern × name. */
export const MAX_PATTERN_LENGTH = 4096;
/** What a rewritten pattern may grow to (counted repetition written out). */
const MAX_EXPANDED_LENGTH = 65536;
/** The largest count written out (`x{1,1000}`). */
const MAX_COUNT = 1000;
/** Flags a user pattern may carry: case-insensitive, dot matches newlines, ^ and $ at line breaks. */
const FLAGS = /^[ims]*$/;

export class PatternError extends Error {}

/** A user pattern compiled for the linear-time engine. */
export interface LinearPattern {
  /** Matches what `new RegExp(source, flags)` matches, in linear time; its `source` is the user's. */
  re: RegExp;
  /** The pattern and flags the linear engine runs (for code that compiles patterns itself). */
  linearSource: string;
  linearFlags: string;
}

/** Compiles a user pattern; throws PatternError saying what is wrong with it. */
export function linearPattern(source: string, flags = ''): LinearPattern {
  if (!HAVE_LINEAR) throw new PatternError(`this Node.js (${process.version}) has no linear-time regular expression engine, so user patterns cannot run safely`);
  if (source.length > MAX_PATTERN_LENGTH) throw new PatternError(`longer than ${MAX_PATTERN_LENGTH} characters`);
  if (!FLAGS.test(flags) || new Set(flags).size !== flags.length) throw new PatternError(`flags "${flags}": only i, m and s are supported`);
  try {
    new RegExp(source, flags);
  } catch (e) {
    throw new PatternError(`not a valid regular expression: ${(e as Error).message}`);
  }
  const plain = flags.replace('i', '');
  const attempt = (s: string): RegExp | null => {
    try {
      return new RegExp(s, `${plain}l`);
    } catch {
      return null;
    }
  };
  let linearSource = source;
  let re = flags.includes('i') ? null : attempt(source);
  if (!re) {
    const tree = new Parser(source).parse();
    const unsupported = tree.unsupported;
    if (unsupported) throw new PatternError(`${unsupported}: such a pattern needs backtracking, which can take exponential time on a long name; rewrite it without`);
    const fold = flags.includes('i');
    for (const expand of [false, true]) {
      linearSource = emit(tree.root, { fold, expand });
      if (linearSource.length > MAX_EXPANDED_LENGTH) break;
      re = attempt(linearSource);
      if (re) break;
    }
    if (!re) throw new PatternError('too many counted repetitions to run in linear time (write x+ or x* instead of large x{n,m})');
  }
  Object.defineProperty(re, 'source', { value: source });
  return { re, linearSource, linearFlags: `${plain}l` };
}

// --- parsing (JavaScript's pattern grammar without the u flag) ---

type Node =
  | { t: 'alt'; seqs: Node[][] }
  | { t: 'group'; body: Node }
  | { t: 'char'; c: number }
  | { t: 'raw'; s: string }
  | { t: 'class'; negated: boolean; ranges: [number, number][]; escapes: string[] }
  | { t: 'quant'; atom: Node; min: number; max: number; text: string };

class Parser {
  private i = 0;
  unsupported: string | null = null;
  private readonly named: boolean;
  constructor(private readonly s: string) {
    this.named = /\(\?<[^=!]/.test(s);
  }

  parse(): { root: Node; unsupported: string | null } {
    const root = this.alt();
    return { root, unsupported: this.unsupported };
  }

  private note(what: string): void {
    this.unsupported ??= what;
  }

  private alt(): Node {
    const seqs = [this.seq()];
    while (this.s[this.i] === '|') {
      this.i++;
      seqs.push(this.seq());
    }
    return { t: 'alt', seqs };
  }

  private seq(): Node[] {
    const out: Node[] = [];
    while (this.i < this.s.length && this.s[this.i] !== '|' && this.s[this.i] !== ')') {
      const atom = this.atom();
      out.push(this.quantifier(atom));
    }
    return out;
  }

  private quantifier(atom: Node): Node {
    const s = this.s;
    const start = this.i;
    let min: number;
    let max: number;
    const c = s[this.i];
    if (c === '*' || c === '+' || c === '?') {
      [min, max] = c === '*' ? [0, Infinity] : c === '+' ? [1, Infinity] : [0, 1];
      this.i++;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(s.slice(this.i));
      if (!m) return atom;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      this.i += m[0].length;
    } else return atom;
    if (s[this.i] === '?') this.i++;
    return { t: 'quant', atom, min, max, text: s.slice(start, this.i) };
  }

  private atom(): Node {
    const s = this.s;
    const c = s[this.i]!;
    if (c === '(') {
      this.i++;
      if (s.startsWith('?:', this.i)) this.i += 2;
      else if (s.startsWith('?=', this.i) || s.startsWith('?!', this.i)) (this.note('a look-ahead (?= or (?!'), (this.i += 2));
      else if (s.startsWith('?<=', this.i) || s.startsWith('?<!', this.i)) (this.note('a look-behind (?<= or (?<!'), (this.i += 3));
      else if (s.startsWith('?<', this.i)) this.i = s.indexOf('>', this.i) + 1;
      const body = this.alt();
      this.i++; // ')'
      return { t: 'group', body };
    }
    if (c === '[') return this.charClass();
    if (c === '\\') return this.escape(false) as Node;
    this.i++;
    if (c === '.' || c === '^' || c === '$') return { t: 'raw', s: c };
    return { t: 'char', c: c.charCodeAt(0) };
  }

  /** An escape at this.i (a backslash); in a class, `\b` is a backspace and class escapes are returned as raw. */
  private escape(inClass: boolean): Node {
    const s = this.s;
    const e = s[this.i + 1];
    this.i += 2;
    if (e === undefined) return { t: 'char', c: 92 };
    if ('dDwWsS'.includes(e)) return { t: 'raw', s: `\\${e}` };
    if (e === 'b' || e === 'B') return inClass && e === 'b' ? { t: 'char', c: 8 } : { t: 'raw', s: `\\${e}` };
    if (e === 'c') {
      const l = s[this.i];
      if (l && /[A-Za-z]/.test(l)) {
        this.i++;
        return { t: 'char', c: l.charCodeAt(0) & 31 };
      }
      this.i--; // `\c` alone is a backslash, then `c` is read as itself
      return { t: 'char', c: 92 };
    }
    if (e === 'x' || e === 'u') {
      const n = e === 'x' ? 2 : 4;
      const hex = s.slice(this.i, this.i + n);
      if (hex.length === n && /^[0-9A-Fa-f]+$/.test(hex)) {
        this.i += n;
        return { t: 'char', c: parseInt(hex, 16) };
      }
      return { t: 'char', c: e.charCodeAt(0) };
    }
    if (e === '0' && !/[0-9]/.test(s[this.i] ?? '')) return { t: 'char', c: 0 };
    if (/[0-9]/.test(e)) {
      if (inClass || e === '8' || e === '9') {
        // Octal in a class (Annex B), or \8 and \9 as themselves.
        if (e === '8' || e === '9') return { t: 'char', c: e.charCodeAt(0) };
        let v = e.charCodeAt(0) - 48;
        while (/[0-7]/.test(s[this.i] ?? '') && v * 8 + (s.charCodeAt(this.i) - 48) <= 255) v = v * 8 + (s.charCodeAt(this.i++) - 48);
        return { t: 'char', c: v };
      }
      this.note('a back-reference (\\1)');
      return { t: 'raw', s: '' };
    }
    if (e === 'k' && this.named) {
      this.note('a back-reference (\\k<name>)');
      this.i = s.indexOf('>', this.i) + 1 || s.length;
      return { t: 'raw', s: '' };
    }
    const controls: Record<string, number> = { f: 12, n: 10, r: 13, t: 9, v: 11 };
    return { t: 'char', c: controls[e] ?? e.charCodeAt(0) };
  }

  private charClass(): Node {
    const s = this.s;
    this.i++; // '['
    const negated = s[this.i] === '^';
    if (negated) this.i++;
    const ranges: [number, number][] = [];
    const escapes: string[] = [];
    const one = (): Node => {
      if (s[this.i] === '\\') return this.escape(true);
      return { t: 'char', c: s.charCodeAt(this.i++) };
    };
    while (this.i < s.length && s[this.i] !== ']') {
      const a = one();
      if (a.t === 'raw') {
        escapes.push(a.s);
        continue;
      }
      const lo = (a as { c: number }).c;
      if (s[this.i] === '-' && s[this.i + 1] !== ']' && this.i + 1 < s.length) {
        const save = this.i;
        this.i++;
        const b = one();
        if (b.t === 'char') {
          ranges.push([lo, b.c]);
          continue;
        }
        // `[a-\d]`: a, '-' and the class escape (Annex B).
        this.i = save + 1;
        ranges.push([lo, lo], [45, 45]);
        continue;
      }
      ranges.push([lo, lo]);
    }
    this.i++; // ']'
    return { t: 'class', negated, ranges, escapes };
  }
}

// --- emitting for the linear engine ---

const hex = (c: number) => `\\u${c.toString(16).padStart(4, '0')}`;

/** JavaScript's case folding for `i` without `u` (Canonicalize in the spec): by toUpperCase, one unit to one. */
function canonicalize(c: number): number {
  const u = String.fromCharCode(c).toUpperCase();
  if (u.length !== 1) return c;
  const cu = u.charCodeAt(0);
  return c >= 128 && cu < 128 ? c : cu;
}

let classesByCanon: Map<number, number[]> | null = null;
/** Every code unit that `i` treats as the same letter as `c`, `c` included. */
function caseVariants(c: number): number[] {
  if (!classesByCanon) {
    classesByCanon = new Map();
    for (let x = 0; x <= 0xffff; x++) {
      const k = canonicalize(x);
      const list = classesByCanon.get(k);
      if (list) list.push(x);
      else classesByCanon.set(k, [x]);
    }
  }
  return classesByCanon.get(canonicalize(c)) ?? [c];
}

function rangesText(units: Iterable<[number, number]>): string {
  let out = '';
  for (const [lo, hi] of units) out += lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`;
  return out;
}

/** Sorted, merged ranges. */
function merge(rs: [number, number][]): [number, number][] {
  const sorted = rs.map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as [number, number]).sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([...r]);
  }
  return out;
}

function folded(ranges: [number, number][]): [number, number][] {
  const out = [...ranges];
  for (const [lo, hi] of merge(ranges)) {
    for (let c = lo; c <= hi; c++) for (const v of caseVariants(c)) if (v !== c) out.push([v, v]);
  }
  return merge(out);
}

function emit(n: Node, o: { fold: boolean; expand: boolean }): string {
  switch (n.t) {
    case 'alt':
      return n.seqs.map((seq) => seq.map((x) => emit(x, o)).join('')).join('|');
    case 'group':
      return `(?:${emit(n.body, o)})`;
    case 'raw':
      return n.s;
    case 'char': {
      if (!o.fold) return hex(n.c);
      const vs = caseVariants(n.c);
      return vs.length > 1 ? `[${rangesText(merge(vs.map((v) => [v, v])))}]` : hex(n.c);
    }
    case 'class': {
      const ranges = o.fold ? folded(n.ranges) : merge(n.ranges);
      return `[${n.negated ? '^' : ''}${n.escapes.join('')}${rangesText(ranges)}]`;
    }
    case 'quant': {
      const a = emit(n.atom, o);
      const counted = n.text.startsWith('{');
      if (!o.expand || !counted) return a + n.text;
      if ((n.max === Infinity ? n.min : n.max) > MAX_COUNT) throw new PatternError(`a counted repetition of more than ${MAX_COUNT} (${n.text})`);
      const one = `(?:${a})`;
      const fixed = one.repeat(n.min);
      return fixed + (n.max === Infinity ? `${one}*` : `${one}?`.repeat(n.max - n.min));
    }
  }
}
