/** Escaping and layout shared by the renderers; number spellings are analyzer/text/units.ts's. */
export { ellipsize, fmtBytes, fmtMs, fmtNs, fmtPct } from '../text/units.js';

/**
 * Strips terminal control characters (ESC sequences, C0/C1 controls) and bidirectional overrides (which
 * make text read in another order than it runs): trace strings are untrusted. Line breaks become spaces.
 */
export function termSafe(s: string): string {
  return s
    .replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, '')
    .replace(/\u001b\][^\u0007\u001b]*(\u0007|\u001b\\)?/g, '')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/[\n\u2028\u2029]/g, ' ');
}

/** Escapes Markdown inline syntax and table pipes so a trace string stays one cell of text. */
export function mdEscape(s: string): string {
  return termSafe(s).replace(/([\\`*_\[\]<>|~])/g, '\\$1');
}

export function htmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
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
