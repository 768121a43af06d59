/** "Did you mean …?" for a mistyped name: the closest known name by edit distance, when it is close. */

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The known name closest to `given` (case-insensitive), or null when none is within a third of its length (at least 2 edits). */
export function closest(given: string, known: readonly string[]): string | null {
  const g = given.toLowerCase().slice(0, 200);
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(g, k.toLowerCase());
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best !== null && bestD <= Math.max(2, Math.floor(given.length / 3)) ? best : null;
}

/** ` (did you mean "x"?)`, or '' when nothing is close. */
export function didYouMean(given: string, known: readonly string[]): string {
  const c = closest(given, known);
  return c ? ` (did you mean "${c}"?)` : '';
}
