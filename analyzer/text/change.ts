/** How a change between two step times reads: `42.3× faster`, `1.2% slower`, `unchanged (+0.4%)`. */

export const SHIFT_VERDICTS = ['slower', 'faster', 'unchanged', 'incomparable'] as const;
export type ShiftVerdict = (typeof SHIFT_VERDICTS)[number];

export function changeText(change: number, verdict: ShiftVerdict): string {
  const ratio = change + 1;
  if (verdict === 'faster' && ratio <= 0.5) return `${(1 / ratio).toFixed(1)}× faster`;
  if (verdict === 'slower' && ratio >= 2) return `${ratio.toFixed(1)}× slower`;
  const pct = `${(Math.abs(change) * 100).toFixed(1)}%`;
  if (verdict === 'incomparable') return `not comparable (${change >= 0 ? '+' : '−'}${pct})`;
  return verdict === 'unchanged' ? `unchanged (${change >= 0 ? '+' : '−'}${pct})` : `${pct} ${verdict}`;
}
