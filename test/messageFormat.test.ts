/**
 * The one formatter of rule messages (rules/messageFormat.ts): each kind of placeholder against the text it
 * must give, every rule's templates parse, and `nsys-tp rules --format json` lists every template.
 */
import { describe, expect, it } from 'vitest';
import { checkTemplate, formatText, renderedData, text } from '../rules/messageFormat.js';
import { PLAN_RULES, RULES, SCALING_RULES } from '../rules/index.js';
import { ruleCatalogue } from '../index.js';
import { HOST_CALLS, SETTING_LIST } from '../rules/sharedMessages.js';
import { hostActivity } from '../analyzer/host/hostActivity.js';
import { settingList } from '../analyzer/runtime/environment.js';

const say = (template: string, data: Record<string, unknown>, more: Record<string, string> = {}) => formatText({ t: template, ...more }, text('t', data));

describe('message templates', () => {
  it('values and typed placeholders: names as given, numbers spelled by the units helpers', () => {
    expect(say('{label} at TP={tp}', { label: 'GPU 1', tp: 4 })).toBe('GPU 1 at TP=4');
    expect(say('{ns, ns} / {share, pct} / {share, pct0} / {b, bytes}', { ns: 1_234_567, share: 0.256, b: 16 * 2 ** 20 })).toBe('1.23 ms / 25.6% / 26% / 16.0 MiB');
    expect(say('{x, fixed, 2} {phase, phaseStep} {phase, capital} {n, count}', { x: 1 / 3, phase: 'decode', n: 1234567.4 })).toBe('0.33 decode step Decode 1,234,567');
    expect(say('{s, settings}; {s, settingKeys}', { s: { A: '1', B: 'x' } })).toBe('A=1, B=x; A / B');
    expect(say('{k, ellipsize, 9}', { k: 'abcdefghijkl' })).toBe('abcde…jkl');
  });
  it('ratios and unit steps are computed where they are spelled', () => {
    expect(say('{a / b, pct} {a * 100, fixed, 0}% {1 / a, fixed, 1}', { a: 0.25, b: 0.5 })).toBe('50.0% 25% 4.0');
    expect(say('{a / b * 100, fixed, 0}% {b - a / b, fixed, 2}', { a: 0.25, b: 0.5 })).toBe('50% 0.50');
  });
  it('select: by count, string, boolean, null and none', () => {
    const t = '{n, select, =1 {once} other {{n} times}}';
    expect([say(t, { n: 1 }), say(t, { n: 3 })]).toEqual(['once', '3 times']);
    expect(say('{d, select, HtoD {in} other {out}}', { d: 'HtoD' })).toBe('in');
    expect(say('{j, select, true {jit} other {no}}', { j: false })).toBe('no');
    expect(say('{g, select, null {?} other {{g}}}', { g: 0 })).toBe('0');
    for (const none of [null, '', 0, [], {}]) expect(say('[{v, select, none {} other {x}}]', { v: none })).toBe('[]');
  });
  it('lists: each element through the template after the comma, its fields in scope and the outer ones behind', () => {
    const d = { tp: 2, xs: [{ l: 'a', s: 0.5 }, { l: 'b', s: 0.25 }, { l: 'c', s: 0.125 }] };
    expect(say('{xs, comma, {l} {s, pct0}}', d)).toBe('a 50%, b 25%, c 13%');
    expect(say('{xs, series, {l}/{tp}}', d)).toBe('a/2, b/2 and c/2');
    expect(say('{xs, and, {l}}|{xs, semi, {l}}|{ys, slash}', { ...d, ys: ['x', 'y'] })).toBe('a and b and c|a; b; c|x / y');
    expect(say('{ps, comma, {#.0} {#.1, ns}}', { ps: [['idle', 2000], ['copy', 3]] })).toBe('idle 2.0 µs, copy 3 ns');
  });
  it('nested messages and included parts render in place; a result shows them as their text', () => {
    const more = { part: '{name} {ns, ns}', why: 'because {x}' };
    expect(say('calls: {c}; {r, message, why}', { c: text('part', { name: 'cudaMemcpy', ns: 5000 }), r: { x: 'y' } }, more)).toBe('calls: cudaMemcpy 5.0 µs; because y');
    expect(renderedData({ part: '{name}' }, { a: 1, c: text('part', { name: 'n' }), l: [text('part', { name: 'm' })] })).toEqual({ a: 1, c: 'n', l: ['m'] });
  });
  it('shared parts: the host calls of an idle gap and a list of settings', () => {
    const call = (name: string, overlapNs: number) => ({ name, source: 'cuda' as const, start: 0, end: overlapNs, overlapNs });
    const host = (calls: ReturnType<typeof call>[], windowNs: number) => formatText(HOST_CALLS, text('hostCalls', { ...hostActivity(calls, windowNs) }));
    expect(host([], 1e6)).toBe('no CUDA or OS call in flight: CPU-side work (Python, framework, scheduling)');
    // Calls covering 0.6 of 1 ms: the rest is not named; the fourth call is not listed.
    expect(host([call('cudaMemcpy', 300_000), call('fread', 200_000), call('ioctl', 50_000), call('poll', 50_000)], 1e6)).toBe('cudaMemcpy 0.30 ms, fread 0.20 ms, ioctl 0.05 ms');
    // 0.2 of 2 ms covered: 90% is CPU-side; a library load is a kernel built at run time.
    expect(host([call('cuLibraryLoadData', 200_000)], 2e6)).toBe(
      'cuLibraryLoadData 0.20 ms; the rest (90%) CPU-side work with no call in flight (a kernel library was loaded during the gap: a kernel compiled or loaded at run time, such as a new cuDNN or Triton plan)');
    expect(formatText(SETTING_LIST, text('settingList', { settings: settingList({ NCCL_P2P_DISABLE: '1', NCCL_ALGO: 'Tree' }) }))).toBe('NCCL_P2P_DISABLE=1, NCCL_ALGO=Tree');
  });
  it('a template that does not parse, a missing value and an unknown message are errors, not silent text', () => {
    expect(() => checkTemplate('{a, nope}')).toThrow(/unknown format "nope"/);
    expect(() => checkTemplate('{a, select, x {1}}')).toThrow(/select without other/);
    expect(() => checkTemplate('a}')).toThrow(/unmatched \}/);
    expect(() => say('{missing}', {})).toThrow(/no value for missing/);
    expect(() => say('{m, message, nope}', { m: {} })).toThrow(/"nope" is not among/);
  });
});

describe('every rule', () => {
  const all = [...RULES, ...PLAN_RULES, ...SCALING_RULES];
  for (const r of all) {
    it(`${r.meta.id}: its templates parse, and include only messages it has`, () => {
      const messages = r.meta.messages as Record<string, string>;
      for (const [id, t] of Object.entries(messages)) {
        expect(() => checkTemplate(t), id).not.toThrow();
        for (const m of t.matchAll(/, message, (\w+)\}/g)) expect(messages, `${id} includes ${m[1]}`).toHaveProperty(m[1]!);
      }
    });
  }
  it('rules --format json lists every message template of every rule', () => {
    const listed = Object.fromEntries(ruleCatalogue().map((r) => [r.id, r.messages]));
    expect(Object.keys(listed).sort()).toEqual(all.map((r) => r.meta.id).sort());
    for (const r of all) expect(listed[r.meta.id]).toEqual(r.meta.messages);
  });
});
