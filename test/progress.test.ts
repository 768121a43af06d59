/** The loading progress bar: drawn on a terminal only, and only once loading has taken over a second. */
import { describe, expect, it } from 'vitest';
import { progressBar, progressLine, SHOW_AFTER_MS } from '../cli/progress.js';

function sink(isTTY: boolean) {
  const writes: string[] = [];
  return { isTTY, columns: 100, writes, write: (s: string) => writes.push(s) };
}

describe('progress bar', () => {
  it('draws nothing when stderr is not a terminal', () => {
    const s = sink(false);
    let t = 0;
    const bar = progressBar(s, 'reading a.sqlite', () => t);
    t = 5000;
    bar.update({ done: 10, total: 100 });
    bar.done();
    expect(s.writes).toEqual([]);
  });
  it('stays silent for the first second, then draws and erases itself', () => {
    const s = sink(true);
    let t = 0;
    const bar = progressBar(s, 'reading a.sqlite', () => t);
    t = SHOW_AFTER_MS - 1;
    bar.update({ done: 10, total: 100 });
    expect(s.writes).toEqual([]);
    t = SHOW_AFTER_MS + 1;
    bar.update({ done: 2_500_000, total: 10_000_000 });
    expect(s.writes).toHaveLength(1);
    expect(s.writes[0]).toMatch(/^\rnsys-tp: reading a\.sqlite \[#+\.+\] 25% 2\.5M of 10\.0M rows\x1b\[K$/);
    t += 10;
    bar.update({ done: 2_600_000, total: 10_000_000 });
    expect(s.writes).toHaveLength(1);
    bar.done();
    expect(s.writes[1]).toBe('\r\x1b[K');
  });
  it('a line never exceeds the terminal width', () => {
    for (const width of [20, 40, 80, 200]) {
      const line = progressLine('reading a-very-long-trace-file-name-indeed.sqlite', { done: 123_456, total: 987_654_321 }, width);
      expect(line.length).toBeLessThan(width);
    }
  });
});
