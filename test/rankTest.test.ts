/**
 * The Mann–Whitney U test and the noise judgement of compare. Expected p-values are scipy's
 * (scipy.stats.mannwhitneyu 1.17.1, alternative='two-sided', the method named), computed on the same inputs.
 */
import { describe, expect, it } from 'vitest';
import { mannWhitney, smallestP } from '../analyzer/util/rankTest.js';
import { judgeShift, RUN_TO_RUN } from '../analyzer/across/compare/stepShift.js';

// Decode replica step times (ns) of tp2graph and tp2graph-blobs: one configuration captured twice.
const TP2GRAPH = [9003552,2954170,3022037,3002195,3013115,3013289,3014453,3017565,3015768,3016795,3015493,3013386,3017077,3019548,3015093,3011227,3017526,3015515];
const TP2GRAPH_BLOBS = [3133630,2958364,2980950,2987258,3004129,3002056,3005462,2972919,2976788,2975622,2980886,2974494,2981975,2976994,2984362,2977206,2975322,2976480];

describe('Mann–Whitney U', () => {
  it('exact distribution for small samples without ties', () => {
    expect(mannWhitney([1, 2, 3], [4, 5, 6])).toEqual({ u: 0, p: 0.1, method: 'exact' });
    expect(mannWhitney([1, 2, 3, 4], [5, 6, 7, 8]).p).toBeCloseTo(0.02857142857142857, 14);
    const r = mannWhitney([1.1, 2.5, 3.3, 4.8, 0.2], [2.2, 5.1, 6.3, 3.9]);
    expect(r.u).toBe(4);
    expect(r.p).toBeCloseTo(0.19047619047619047, 14);
  });
  it('normal approximation with tie and continuity corrections when there are ties', () => {
    const r = mannWhitney([1, 2, 2, 3, 4], [2, 3, 5, 6]);
    expect(r).toMatchObject({ u: 4.5, method: 'asymptotic' });
    expect(r.p).toBeCloseTo(0.21090292605661043, 6);
  });
  it('two captures of one configuration differ significantly step by step (scipy exact p = 1.98e-5)', () => {
    const r = mannWhitney(TP2GRAPH_BLOBS, TP2GRAPH);
    expect(r.u).toBe(36);
    expect(r.method).toBe('exact');
    expect(r.p).toBeCloseTo(1.98275831766387e-5, 10);
  });
  it('the smallest two-sided p the exact test can give', () => {
    expect(smallestP(3, 3)).toBeCloseTo(0.1, 12);
    expect(smallestP(4, 4)).toBeCloseTo(2 / 70, 12);
    expect(smallestP(1, 1)).toBe(1);
  });
});

describe('judgeShift: a change counts only beyond noise', () => {
  it('the same configuration captured twice is unchanged: −1.2% is inside the run-to-run floor though the rank test is significant', () => {
    const s = judgeShift(TP2GRAPH, TP2GRAPH_BLOBS)!;
    expect(s.change).toBeLessThan(0);
    expect(Math.abs(s.change)).toBeLessThan(RUN_TO_RUN);
    expect(s.p!).toBeLessThan(0.001);
    expect(s.verdict).toBe('unchanged');
    expect(s.reason).toMatch(/run-to-run/);
  });
  it('a shift within the steps\' own spread is not called, however large the medians differ', () => {
    const noisy = [50, 60, 70, 80, 90, 100, 110, 120].map((x) => x * 1e6);
    const s = judgeShift(noisy, noisy.map((x) => x * 1.1))!;
    expect(s.change).toBeCloseTo(0.1, 12);
    expect(s.separated).toBe(false);
    expect(s.verdict).toBe('unchanged');
  });
  it('a clear shift beyond both spreads, with enough steps, is slower', () => {
    const s = judgeShift(TP2GRAPH, TP2GRAPH.map((x) => x * 1.2))!;
    expect(s.verdict).toBe('slower');
    expect(s.change).toBeCloseTo(0.2, 12);
    expect(s.p!).toBeLessThan(1e-6);
  });
  it('one step each: no rank test, the floor and the bands decide', () => {
    expect(judgeShift([27.8e6], [27.5e6])!.verdict).toBe('unchanged');
    const s = judgeShift([27.8e6], [86.4e6])!;
    expect(s.p).toBeNull();
    expect(s.verdict).toBe('slower');
    expect(s.reason).toMatch(/too few for a rank test/);
  });
});
