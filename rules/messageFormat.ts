/**
 * The one place a rule's words are written out: a message template (ICU MessageFormat's shape, as
 * Lighthouse's UIStrings and ESLint's `meta.messages` + `data` use it) filled from the ids and numbers a
 * check reports. Rules never build sentences; every number is spelled here, by the units helpers, so a
 * quantity reads the same in every rule.
 *
 * A template is text with placeholders:
 *   {path}                       the value: a name or id as is, a number as JavaScript writes it, null as nothing,
 *                                a nested message ({messageId, data}) rendered in its place
 *   {path, ns | pct | pct0 | bytes | phaseStep | capital | count | wholeOr2 | settings | settingKeys}
 *   {path, fixed, 2} {path, ellipsize, 60}
 *   {path, select, key {…} … other {…}}   by the value: `=N` (a number, or a list's length), a string,
 *                                `true` / `false`, `null`, `none` (null, '', 0, false, an empty list or record)
 *   {path, comma | semi | slash | and | series[, …]}   a list, each element rendered by the template after the comma
 *                                (its fields in scope, `#` the element itself) and joined: ', ', '; ',
 *                                ' / ', ' and ', or 'a, b and c'
 *   {path, message, id}          another message of the rule, with the value in scope
 * A path is a field name with dotted steps (`latest.label`, `#.1`), or operands joined by / * - and
 * computed left to right (`busGBps / expectedBusGBps * 100`): ratios and unit steps are computed where
 * they are spelled.
 */
import { ellipsize, fmtBytes, fmtNs, fmtPct } from '../analyzer/text/units.js';
import { phaseStep } from '../analyzer/text/phaseText.js';
import { settingsText } from '../analyzer/runtime/environment.js';

/** A message by id and the data it is filled from: what a check reports, and what a nested part of one is. */
export interface Text<Id extends string = string> {
  messageId: Id;
  data: Record<string, unknown>;
}

/** A rule's templates by message id. */
export type Messages<Id extends string = string> = Readonly<Record<Id, string>>;

export function text<Id extends string>(messageId: Id, data: Record<string, unknown> = {}): Text<Id> {
  return { messageId, data };
}

export function isText(v: unknown): v is Text {
  return typeof v === 'object' && v !== null && typeof (v as Text).messageId === 'string' && typeof (v as Text).data === 'object' && Object.keys(v).length === 2;
}

type Scope = { vars: Record<string, unknown>; parent: Scope | null };

const FORMATS: Record<string, (v: any) => string> = {
  ns: (v) => fmtNs(v),
  pct: (v) => fmtPct(v),
  pct0: (v) => fmtPct(v, 0),
  bytes: (v) => fmtBytes(v),
  phaseStep: (v) => phaseStep(String(v)),
  capital: (v) => String(v)[0]!.toUpperCase() + String(v).slice(1),
  count: (v) => Math.round(v).toLocaleString('en-US'),
  wholeOr2: (v) => (Number.isInteger(v) ? String(v) : Number(v).toFixed(2)),
  settings: (v) => settingsText(v),
  settingKeys: (v) => Object.keys(v).join(' / '),
};

const FORMATS_WITH_ARG: Record<string, (v: any, n: number) => string> = {
  fixed: (v, n) => Number(v).toFixed(n),
  ellipsize: (v, n) => ellipsize(String(v), n),
};

const JOINS: Record<string, (xs: string[]) => string> = {
  comma: (xs) => xs.join(', '),
  semi: (xs) => xs.join('; '),
  slash: (xs) => xs.join(' / '),
  and: (xs) => xs.join(' and '),
  series: (xs) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`),
};

/** The parsed template: literal text and placeholders, with their inner templates parsed too. */
type Node =
  | string
  | { path: string; kind: 'value' }
  | { path: string; kind: 'format'; format: string; arg?: number }
  | { path: string; kind: 'select'; cases: Record<string, Node[]> }
  | { path: string; kind: 'join'; join: string; each: Node[] | null }
  | { path: string; kind: 'message'; id: string };

const parsed = new Map<string, Node[]>();

function parse(template: string): Node[] {
  let hit = parsed.get(template);
  if (!hit) parsed.set(template, (hit = new Parser(template).nodes(false)));
  return hit;
}

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  private fail(why: string): never {
    throw new Error(`message template: ${why} at ${this.i} in "${this.s}"`);
  }

  /** Text and placeholders up to the end, or (inner) up to the closing brace, which is consumed. */
  nodes(inner: boolean): Node[] {
    const out: Node[] = [];
    let lit = '';
    while (this.i < this.s.length) {
      const c = this.s[this.i]!;
      if (c === '}') {
        if (!inner) this.fail('unmatched }');
        this.i++;
        if (lit) out.push(lit);
        return out;
      }
      if (c === '{') {
        if (lit) out.push(lit);
        lit = '';
        this.i++;
        out.push(this.placeholder());
        continue;
      }
      lit += c;
      this.i++;
    }
    if (inner) this.fail('unclosed {');
    if (lit) out.push(lit);
    return out;
  }

  private word(): string {
    const start = this.i;
    while (this.i < this.s.length && this.s[this.i] !== ',' && this.s[this.i] !== '}' && this.s[this.i] !== '{') this.i++;
    return this.s.slice(start, this.i).trim();
  }

  private skipSpace(): void {
    while (this.s[this.i] === ' ') this.i++;
  }

  private placeholder(): Node {
    const path = this.word();
    if (!path) this.fail('empty placeholder');
    if (this.s[this.i] === '}') {
      this.i++;
      return { path, kind: 'value' };
    }
    if (this.s[this.i] !== ',') this.fail('expected , or }');
    this.i++;
    const kind = this.word();
    if (kind === 'select') {
      if (this.s[this.i] !== ',') this.fail('select without cases');
      this.i++;
      const cases: Record<string, Node[]> = {};
      for (;;) {
        this.skipSpace();
        if (this.s[this.i] === '}') {
          this.i++;
          break;
        }
        const key = this.word();
        if (this.s[this.i] !== '{' || !key) this.fail('expected key {…}');
        this.i++;
        cases[key] = this.nodes(true);
      }
      if (!cases.other) this.fail('select without other');
      return { path, kind: 'select', cases };
    }
    if (kind in JOINS) {
      let each: Node[] | null = null;
      if (this.s[this.i] === ',') {
        this.i++;
        this.skipSpace();
        // The rest of the placeholder is the element's template (its closing brace ends both).
        each = this.nodes(true);
      } else {
        if (this.s[this.i] !== '}') this.fail('expected } after a list');
        this.i++;
      }
      return { path, kind: 'join', join: kind, each };
    }
    if (kind === 'message' || kind in FORMATS_WITH_ARG) {
      if (this.s[this.i] !== ',') this.fail(`${kind} needs an argument`);
      this.i++;
      const arg = this.word();
      if (this.s[this.i] !== '}') this.fail('expected }');
      this.i++;
      if (kind === 'message') return { path, kind: 'message', id: arg };
      const n = Number(arg);
      if (!Number.isInteger(n)) this.fail(`${kind} needs a whole number`);
      return { path, kind: 'format', format: kind, arg: n };
    }
    if (!(kind in FORMATS)) this.fail(`unknown format "${kind}"`);
    if (this.s[this.i] !== '}') this.fail('expected }');
    this.i++;
    return { path, kind: 'format', format: kind };
  }
}

function lookup(scope: Scope, name: string): unknown {
  for (let s: Scope | null = scope; s; s = s.parent) if (name in s.vars) return s.vars[name];
  return undefined;
}

function operand(scope: Scope, expr: string, template: string): unknown {
  if (/^-?\d+(\.\d+)?(e\d+)?$/.test(expr)) return Number(expr);
  const [head, ...rest] = expr.split('.');
  let v = lookup(scope, head!);
  if (v === undefined) throw new Error(`message template "${template}": no value for ${expr}`);
  for (const k of rest) {
    if (v === null || v === undefined) throw new Error(`message template "${template}": no value for ${expr}`);
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

function evaluate(scope: Scope, path: string, template: string): unknown {
  // Operands and operators alternate, computed left to right: `busGBps / expectedBusGBps * 100`.
  const parts = path.split(/\s+([/*-])\s+/);
  let v = operand(scope, parts[0]!, template);
  for (let k = 1; k < parts.length; k += 2) {
    const y = operand(scope, parts[k + 1]!, template) as number;
    const x = v as number;
    v = parts[k] === '/' ? x / y : parts[k] === '*' ? x * y : x - y;
  }
  return v;
}

function selectKey(v: unknown, cases: Record<string, Node[]>): string {
  const size = Array.isArray(v) ? v.length : typeof v === 'number' ? v : null;
  if (size !== null && `=${size}` in cases) return `=${size}`;
  if (typeof v === 'string' && v in cases) return v;
  if (typeof v === 'boolean' && String(v) in cases) return String(v);
  if ((v === null || v === undefined) && 'null' in cases) return 'null';
  const none = v === null || v === undefined || v === '' || v === false || v === 0 || (typeof v === 'number' && Number.isNaN(v)) ||
    (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && !isText(v) && !Array.isArray(v) && Object.keys(v).length === 0);
  return none && 'none' in cases ? 'none' : 'other';
}

function plain(v: unknown, messages: Messages, template: string): string {
  if (v === null || v === undefined) return '';
  if (isText(v)) return formatText(messages, v);
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new Error(`message template "${template}": a ${Array.isArray(v) ? 'list' : 'record'} needs a format`);
}

function render(nodes: Node[], scope: Scope, messages: Messages, template: string): string {
  let out = '';
  for (const n of nodes) {
    if (typeof n === 'string') {
      out += n;
      continue;
    }
    const v = n.path === '#' ? lookup(scope, '#') : evaluate(scope, n.path, template);
    switch (n.kind) {
      case 'value':
        out += plain(v, messages, template);
        break;
      case 'format':
        out += n.arg === undefined ? FORMATS[n.format]!(v) : FORMATS_WITH_ARG[n.format]!(v, n.arg);
        break;
      case 'select':
        out += render(n.cases[selectKey(v, n.cases)]!, scope, messages, template);
        break;
      case 'join': {
        if (!Array.isArray(v)) throw new Error(`message template "${template}": ${n.path} is not a list`);
        out += JOINS[n.join]!(v.map((x) => (n.each ? render(n.each, element(x, scope), messages, template) : plain(x, messages, template))));
        break;
      }
      case 'message':
        out += fill(messages, n.id, element(v, scope));
        break;
    }
  }
  return out;
}

/** The scope inside a list or an included message: the element's fields (a record's), `#` the element, the outer names behind. */
function element(x: unknown, parent: Scope): Scope {
  const fields = typeof x === 'object' && x !== null && !Array.isArray(x) && !isText(x) ? (x as Record<string, unknown>) : {};
  return { vars: { ...fields, '#': x }, parent };
}

function fill(messages: Messages, id: string, scope: Scope): string {
  const template = messages[id];
  if (template === undefined) throw new Error(`message "${id}" is not among the rule's messages`);
  return render(parse(template), scope, messages, template);
}

/** The text of a message: its template filled from its data. */
export function formatText(messages: Messages, t: Text): string {
  return fill(messages, t.messageId, { vars: t.data, parent: null });
}

/** Data with every nested message rendered as its text: what a finding's `data` shows in a result. */
export function renderedData(messages: Messages, v: unknown): unknown {
  if (isText(v)) return formatText(messages, v);
  if (Array.isArray(v)) return v.map((x) => renderedData(messages, x));
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renderedData(messages, x)]));
  return v;
}

/** Checks a template parses (the rules test runs it over every message). */
export function checkTemplate(template: string): void {
  parse(template);
}
