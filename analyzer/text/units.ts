/**
 * Numbers and names as people read them: one spelling for every rule message and every renderer, so the
 * same quantity reads the same everywhere (docs/architecture.md, "One truth").
 */

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

/** Shortens to n characters with an ellipsis in the middle (kernel names keep their start and end). */
export function ellipsize(s: string, n: number): string {
  if (s.length <= n) return s;
  const head = Math.ceil((n - 1) * 0.6);
  return s.slice(0, head) + '…' + s.slice(s.length - (n - 1 - head));
}
