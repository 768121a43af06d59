/**
 * The progress bar shown on stderr while a big trace loads: only on a terminal, and only once loading has
 * taken more than a second (a small trace loads without a flicker). Redrawn at most ten times a second;
 * erased when loading ends, so the report that follows starts on a clean line.
 */
import type { LoadProgress } from '../queries/progress.js';

export interface ProgressSink {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

export const SHOW_AFTER_MS = 1000;
const REDRAW_MS = 100;

function rows(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(0)}k` : String(n);
}

/** One line: `nsys-tp: reading trace.sqlite [#######.......] 52% 11.2M of 21.5M rows`, at most `width` wide. */
export function progressLine(label: string, p: LoadProgress, width: number): string {
  const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
  const tail = ` ${Math.floor(frac * 100)}% ${rows(p.done)} of ${rows(p.total)} rows`;
  const head = `nsys-tp: ${label} `;
  const barWidth = Math.max(10, Math.min(40, width - head.length - tail.length - 3));
  const filled = Math.round(frac * barWidth);
  const line = `${head}[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]${tail}`;
  return line.length > width - 1 ? line.slice(0, Math.max(0, width - 1)) : line;
}

export interface ProgressBar {
  update(p: LoadProgress): void;
  /** Erases the bar if it was drawn. */
  done(): void;
}

export function progressBar(sink: ProgressSink, label: string, now: () => number = Date.now): ProgressBar {
  if (!sink.isTTY) return { update: () => {}, done: () => {} };
  const t0 = now();
  let last = -Infinity;
  let drawn = false;
  return {
    update(p) {
      const t = now();
      if (t - t0 < SHOW_AFTER_MS || t - last < REDRAW_MS) return;
      last = t;
      drawn = true;
      sink.write(`\r${progressLine(label, p, sink.columns || 80)}\x1b[K`);
    },
    done() {
      if (drawn) sink.write('\r\x1b[K');
      drawn = false;
    },
  };
}

/** A one-line status redrawn in place on a terminal (nothing elsewhere); `null` erases it. */
export function statusLine(sink: ProgressSink): (line: string | null) => void {
  let drawn = false;
  return (line) => {
    if (!sink.isTTY) return;
    if (line === null) {
      if (drawn) sink.write('\r\x1b[K');
      drawn = false;
      return;
    }
    const width = (sink.columns || 80) - 1;
    sink.write(`\r${`nsys-tp: ${line}`.slice(0, width)}\x1b[K`);
    drawn = true;
  };
}
