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
const UNSAFE_ANY = new RegExp(UNSAFE.source);

/** A JSON value JSON.stringify writes on one line: a number, null, a boolean or a string. */
const PLAIN = String.raw`(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|null|true|false|"(?:[^"\\\n]|\\.)*")`;
/** An indented array whose items are all plain values: `[`, one item a line at one indent, `]`. */
const PLAIN_ARRAY = new RegExp(String.raw`\[\n( +)(${PLAIN}(?:,\n\1${PLAIN})*)\n *\]`, 'g');

export function renderJson(r: object): string {
  // JSON.stringify does the walk in C++ (non-finite numbers become null, toJSON is called, undefined and
  // functions are left out of objects); then each array of plain values is joined onto its line. A string
  // holds no raw newline, so an item's line ends where the item does.
  const joined = (JSON.stringify(r, null, 2) ?? 'null').replace(PLAIN_ARRAY, (_all, indent: string, items: string) => `[${items.split(`,\n${indent}`).join(', ')}]`);
  // A copy of a report of tens of MB only when it holds such a character.
  return (UNSAFE_ANY.test(joined) ? joined.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : joined) + '\n';
}
