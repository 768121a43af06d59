/**
 * The bad-input catalogue (issue 8, item 1): every broken input of a kind (test/support/broken.ts) on every
 * command that reads that kind (test/support/catalogue.ts), each case run by support/catalogueCase.ts. Each
 * run must end cleanly: exit 0 with a whole report (warnings saying what was skipped) or exit 2 with one
 * line saying what is wrong; never exit 3, a stack trace or a hang. The input is byte-identical afterwards
 * and no temp file is left anywhere. This file: broken traces and reports; catalogue.crafted: crafted
 * traces and user patterns; catalogue.inputs: the side inputs, options, stdin and stdout;
 * catalogue.surroundings: hostile surroundings of the newer surfaces.
 */
import { afterAll, describe, it } from 'vitest';
import { BAD_TRACES, REPORTS, UNREADABLE } from './support/broken.js';
import { TRACE_COMMANDS } from './support/catalogue.js';
import { nobodySkip, runCase, tallyText } from './support/catalogueCase.js';

describe('bad traces on every command that reads traces', () => {
  for (const c of BAD_TRACES) it(c.name, () => runCase(c, TRACE_COMMANDS));
});

describe('a trace the user may not read', () => {
  it.skipIf(!!nobodySkip)(UNREADABLE.name, () => runCase(UNREADABLE, TRACE_COMMANDS));
});

/** Every command reaches a report's export through one function (cli/inputs.ts): one row per command is enough. */
const REPORT_COMMANDS = ['diagnose --format json', 'layers', 'slice -o', 'compare (bad as new) --format json', 'scaling --chart', 'attach (json)'].map((c) => TRACE_COMMANDS.find((r) => r.command === c)!);

describe('.nsys-rep reports and the nsys that exports them', () => {
  for (const c of REPORTS) it(c.name, () => runCase(c, REPORT_COMMANDS));
});

afterAll(() => {
  console.log(tallyText());
});
