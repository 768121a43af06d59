/**
 * The Mann–Whitney U test (Wilcoxon rank-sum): do two samples of step times come from the same
 * distribution? Rank-based, so a few slow steps (a plan rebuilt, a page fault) do not decide it, and no
 * normal shape is assumed: step times are skewed. Two-sided. Exact distribution for small samples
 * without ties; otherwise the normal approximation with tie and continuity corrections (as
 * scipy.stats.mannwhitneyu, method 'exact' / 'asymptotic').
 */

export interface RankTest {
  /** U of the first sample: pairs where it is larger, ties counting half. */
  u: number;
  p: number;
  method: 'exact' | 'asymptotic';
}

const EXACT_MAX = 50;

/** Number of orderings of n x's and m y's giving each U = 0..nm (Gaussian binomial coefficients). */
function uCounts(n: number, m: number): Float64Array {
  // row[j] holds the counts for (i, j) while i advances: c(i, j, u) = c(i−1, j, u−j) + c(i, j−1, u).
  let row: Float64Array[] = Array.from({ length: m + 1 }, () => Float64Array.of(1));
  for (let i = 1; i <= n; i++) {
    const next: Float64Array[] = [Float64Array.of(1)];
    for (let j = 1; j <= m; j++) {
      const c = new Float64Array(i * j + 1);
      const up = row[j]!;
      for (let u = 0; u < up.length; u++) c[u + j]! += up[u]!;
      const left = next[j - 1]!;
      for (let u = 0; u < left.length; u++) c[u]! += left[u]!;
      next.push(c);
    }
    row = next;
  }
  return row[m]!;
}

/** Complementary error function (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

export function mannWhitney(x: readonly number[], y: readonly number[]): RankTest {
  const n = x.length;
  const m = y.length;
  if (n === 0 || m === 0) return { u: NaN, p: NaN, method: 'exact' };
  let u = 0;
  for (const a of x) for (const b of y) u += a > b ? 1 : a === b ? 0.5 : 0;
  const all = [...x, ...y].sort((a, b) => a - b);
  let tieTerm = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j] === all[i]) j++;
    const t = j - i;
    tieTerm += t * t * t - t;
    i = j;
  }
  if (tieTerm === 0 && n <= EXACT_MAX && m <= EXACT_MAX) {
    const counts = uCounts(n, m);
    const total = counts.reduce((s, c) => s + c, 0);
    let below = 0;
    for (let k = 0; k <= u; k++) below += counts[k]!;
    let above = 0;
    for (let k = u; k < counts.length; k++) above += counts[k]!;
    return { u, p: Math.min(1, (2 * Math.min(below, above)) / total), method: 'exact' };
  }
  const N = n + m;
  const sigma = Math.sqrt(((n * m) / 12) * (N + 1 - tieTerm / (N * (N - 1))));
  if (sigma === 0) return { u, p: 1, method: 'asymptotic' };
  const z = Math.max(0, Math.abs(u - (n * m) / 2) - 0.5) / sigma;
  return { u, p: Math.min(1, erfc(z / Math.SQRT2)), method: 'asymptotic' };
}

/** The smallest two-sided p the exact test can give for these sample sizes: 2 / C(n+m, n). */
export function smallestP(n: number, m: number): number {
  let c = 1;
  for (let i = 1; i <= Math.min(n, m); i++) c = (c * (n + m - Math.min(n, m) + i)) / i;
  return Math.min(1, 2 / c);
}
