/** Number and string formatting shared by the renderers. */

/** 1234567 → "1.23 ms"; chooses the unit so the number has 1-4 integer digits. */
export function fmtNs(ns: number | null | undefined, digits = 2): string {
  if (ns === null || ns === undefined || !Number.isFinite(ns)) return '-';
  const a = Math.abs(ns);
  if (a >= 1e9) return `${(ns / 1e9).toFixed(digits)} s`;
  if (a >= 1e6) return `${(ns / 1e6).toFixed(digits)} ms`;
  if (a >= 1e3) return `${(ns / 1e3).toFixed(digits > 1 ? 1 : digits)} µs`;
  return `${Math.round(ns)} ns`;
}

export function fmtMs(ns: number | null | undefined, digits = 2): string {
  if (ns === null || ns === undefined || !Number.isFinite(ns)) return '-';
  return (ns / 1e6).toFixed(digits);
}

export function fmtPct(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  return `${(x * 100).toFixed(digits)}%`;
}

export function fmtBytes(b: number | null | undefined): string {
  if (b === null || b === undefined || !Number.isFinite(b)) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = b;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 || u === 0 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}

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

/** Escapes Markdown inline syntax and table pipes so a trace string stays one cell of text. */
export function mdEscape(s: string): string {
  return termSafe(s).replace(/([\\`*_\[\]<>|~])/g, '\\$1');
}

export function htmlEscape(s: string): string {
  return xmlSafe(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Shortens to n characters with an ellipsis in the middle (kernel names keep their start and end). */
export function ellipsize(s: string, n: number): string {
  if (s.length <= n) return s;
  const head = Math.ceil((n - 1) * 0.6);
  return s.slice(0, head) + '…' + s.slice(s.length - (n - 1 - head));
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
