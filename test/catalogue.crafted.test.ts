/**
 * The bad-input catalogue, crafted inputs: traces made to attack the reader (SQL in the schema, views,
 * virtual tables, computed columns, WAL, format-breaking and backtracking-shaped names) and user patterns
 * that backtrack, on every command that takes them (support/catalogueCase.ts runs each case).
 */
import { afterAll, describe, it } from 'vitest';
import { BAD_PATTERNS, CRAFTED_TRACES, longNamesTrace } from './support/broken.js';
import { TRACE_COMMANDS, patternCommands } from './support/catalogue.js';
import { runCase, tallyText } from './support/catalogueCase.js';

describe('crafted traces: SQL in the schema, views, virtual tables, computed columns, WAL, format-breaking text', () => {
  for (const c of CRAFTED_TRACES) it(c.name, () => runCase(c, TRACE_COMMANDS));
});

describe('user patterns that backtrack, on names of 30 000 characters (each runs in linear time or is refused)', () => {
  for (const p of BAD_PATTERNS) {
    it(`${p.name}: /${p.pattern.slice(0, 40)}/${p.flags ?? ''}`, () =>
      runCase({ name: p.name, expect: p.expect, message: p.message, make: (d) => ({ path: longNamesTrace(d) }) }, patternCommands(p.pattern, p.flags), { processes: true }));
  }
});

afterAll(() => {
  console.log(tallyText());
});
