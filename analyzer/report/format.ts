/** Escaping and layout shared by the renderers; number spellings are analyzer/text/units.ts's. */
export { ellipsize, fmtBytes, fmtMs, fmtNs, fmtPct } from '../text/units.js';

/**
 * Characters no document format may carry: lone surrogates (not text at all), noncharacters (U+FFFE,
 * U+FDD0, ...: XML forbids some, HTML flags all) and C0/C1 controls but tab, line feed and carriage return
 * (XML 1.0 forbids C0). Each becomes U+FFFD, the replacement character, so the text stays visibly damaged.
 */
const NOT_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufdd0-\ufdef\ufffe\uffff]|[\ud83f\ud87f\ud8bf\ud8ff\ud93f\ud97f\ud9bf\ud9ff\uda3f\uda7f\udabf\udaff\udb3f\udb7f\udbbf\udbff][\udffe\udfff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `s` with every character no document may hold replaced by U+FFFD (see NOT_TEXT). For SVG, HTML. */
export function xmlSafe(s: string): string {
  return s.replace(NOT_TEXT, '\ufffd');
}

/**
 * Strips terminal control characters (ESC sequences, C0/C1 controls) and bidirectional overrides (which
 * make text read in another order than it runs): trace strings are untrusted. Line breaks become spaces;
 * lone surrogates and noncharacters become U+FFFD.
 */
export function termSafe(s: string): string {
  return xmlSafe(
    s
      .replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, '')
      .replace(/\u001b\][^\u0007\u001b]*(\u0007|\u001b\\)?/g, '')
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
      .replace(/[\n\u2028\u2029]/g, ' '),
  );
}

/** Escapes Markdown inline syntax, table pipes and `$` (GitHub reads two on a line as math) so a string stays text. */
export function mdEscape(s: string): string {
  return termSafe(s).replace(/([\\`*_\[\]<>|~$])/g, '\\$1');
}

/**
 * A Markdown code span holding `s` as it is: nothing inside a code span is Markdown, so nothing is escaped
 * (a backslash there would show); the fence is one backtick longer than the longest run inside, with a
 * space of padding where the text starts or ends with a backtick (CommonMark strips one).
 */
export function mdCode(s: string): string {
  const text = termSafe(s);
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = /^`|`$|^ .* $/.test(text) ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

export function htmlEscape(s: string): string {
  return xmlSafe(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}


/** Renders rows as aligned columns: first column left-aligned, the rest right-aligned. */
export function table(rows: string[][], opts: { gap?: number; leftCols?: number } = {}): string[] {
  const gap = opts.gap ?? 2;
  const left = opts.leftCols ?? 1;
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, [...c].length)));
  return rows.map((r) =>
    r
      .map((c, i) => {
        const pad = ' '.repeat(Math.max(0, widths[i]! - [...c].length));
        return i < left ? c + pad : pad + c;
      })
      .join(' '.repeat(gap))
      .trimEnd(),
  );
}

/** Words into lines of at most `width` characters; continuation lines start with `indent`. A word longer than a line (a kernel name) is cut. */
export function wrap(text: string, width: number, indent = ''): string[] {
  const lead = /^\s*/.exec(text)![0];
  const words = text.trim().split(/\s+/);
  words[0] = lead + words[0];
  const out: string[] = [];
  let line = '';
  const room = Math.max(8, width - indent.length - 1);
  const pieces = words.flatMap((w) => ([...w].length > width - indent.length ? [...w].join('').match(new RegExp(`.{1,${room}}`, 'gu')) ?? [w] : [w]));
  for (const w of pieces) {
    if (line && [...line].length + 1 + [...w].length > width) {
      out.push(line);
      line = indent + w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(line);
  return out;
}
