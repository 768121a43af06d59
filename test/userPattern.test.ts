/**
 * User patterns (cli/userPattern.ts) match exactly what JavaScript's own engine matches, in linear time:
 * compared with `new RegExp(pattern, flags)` on random strings over an alphabet chosen to hit case
 * folding (µ/μ/Μ, ſ, the Kelvin sign), class edges and escapes; and timed against inputs that make a
 * backtracking engine take exponential time.
 */
import { describe, expect, it } from 'vitest';
import { linearPattern } from '../cli/userPattern.js';
import { rng } from './support/broken.js';

const PATTERNS: [string, string][] = [
  ['(a+)+$', ''], ['(a|aa)+$', ''], ['^decode', 'i'], ['[a-f]+x', 'i'], ['[^a-z]', 'i'], ['[A-z]', 'i'], ['\\u00e9t\\xE9', 'i'], ['µ', 'i'],
  ['[\\w-]+_GEMM', 'i'], ['[a-z]{1,64}$', ''], ['x{20,}', ''], ['(ab){17}', ''], ['(a{1,20}){1,20}b', ''], ['^(?<n>de)code \\d+$', 'i'],
  ['[\\d-x]', ''], ['[\\b]', ''], ['\\cJ', ''], ['[\\1]', ''], ['a.b', 's'], ['^b$', 'm'], ['ſ', 'i'], ['K', 'i'], ['[k-l]', 'i'],
  ['\\bnccl', 'i'], ['all_?reduce', 'i'], ['(one|two)_?shot_?all_?reduce|lamport.*all_?reduce', 'i'], ['^nccl(Dev|Symk)?Kernel_', ''],
  ['[^]', ''], ['[]', ''], ['\\x4', ''], ['\\u12', ''], ['a|', ''], ['(?:)', 'i'],
];
const ALPHABET = ['a', 'A', 'b', 'x', 'X', 'é', 'É', 'µ', 'μ', 'Μ', 'ſ', 's', 'S', 'K', 'k', '\u212a', '-', '_', '1', '\n', '\b', '[', ']', '^', '`', 'd', 'e', 'c', 'o', 'D', 'E', 'C', 'O', ' ', '\\', '\u0001', 'n', 'N', 'l', 'L', 'G', 'M', 'r', 'u'];

describe('user patterns on the linear-time engine', () => {
  it('match what JavaScript\'s engine matches', () => {
    const r = rng(42);
    const mismatches: string[] = [];
    for (const [p, f] of PATTERNS) {
      const mine = linearPattern(p, f).re;
      const native = new RegExp(p, f);
      expect(mine.source, p).toBe(p);
      for (let k = 0; k < 2000; k++) {
        let s = '';
        for (let n = Math.floor(r() * 12); n > 0; n--) s += ALPHABET[Math.floor(r() * ALPHABET.length)];
        if (native.test(s) !== mine.test(s)) mismatches.push(`/${p}/${f} on ${JSON.stringify(s)}: ${native.test(s)}`);
      }
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });

  it('take linear time on inputs that make backtracking exponential', () => {
    for (const [p, f] of [['(a+)+$', ''], ['(a|aa)+$', ''], ['(a*)*b', ''], ['^(a+)+$', 'i'], ['(\\w+\\s?)+$', ''], ['(.*a){12}!$', '']] as const) {
      const t0 = performance.now();
      expect(linearPattern(p, f).re.test(`${'a'.repeat(50_000)}!`), p).toBe(p === '(.*a){12}!$');
      // A backtracking engine needs longer than the age of the universe here; linear takes milliseconds.
      expect(performance.now() - t0, p).toBeLessThan(10_000);
    }
  });

  it('refuse what has no linear-time form, saying why', () => {
    for (const [p, f, why] of [
      ['(?=a)b', '', /look-ahead/], ['(?<!a)b', '', /look-behind/], ['(a)\\1', '', /back-reference/], ['(?<n>a)\\k<n>', '', /back-reference/],
      ['a{1001}', '', /counted repetition of more than 1000/], ['x'.repeat(5000), '', /longer than 4096/], ['a', 'g', /only i, m and s/],
      ['a', 'u', /only i, m and s/], ['a', 'ii', /only i, m and s/], ['(', '', /not a valid regular expression/],
    ] as const) {
      expect(() => linearPattern(p, f), p).toThrow(why);
    }
  });
});
