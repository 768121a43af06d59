/**
 * A saved result (`--format json`) read back, to be rendered or compared again: checked against the
 * contract (analyzer/contract), so a hand-edited or cut-short file is one line naming the first bad field,
 * never a crash later.
 */
import { BadInputError } from '../analyzer/errors.js';
import { RESULT_KINDS, resultProblem, type DiagnoseResult, type Result, type ResultKind } from '../analyzer/contract/results.js';
import { jsonSyntaxProblem } from '../analyzer/report/jsonMember.js';

/** Its kind and schema version, then its shape in full: every field of every part, as the contract names it. */
export function parseResult(text: string, path: string): Result {
  let r: unknown;
  try {
    r = JSON.parse(text);
  } catch {
    // Said by position, never by quoting the text; a file cut short (a copy interrupted, a disk full) says so.
    const problem = jsonSyntaxProblem(text);
    throw new BadInputError(`${path}: not a JSON result${/^the text ends/.test(problem) ? ' (cut short?)' : ''} (${problem})`);
  }
  const o = r as { schemaVersion?: unknown; kind?: unknown; tool?: { name?: unknown } } | null;
  if (typeof o !== 'object' || o === null || o.tool?.name !== 'nsys-tp' || !RESULT_KINDS.includes(o.kind as ResultKind)) {
    throw new BadInputError(`${path}: not an nsys-tp result (write one with --format json)`);
  }
  if (typeof o.schemaVersion !== 'number') {
    throw new BadInputError(`${path}: schemaVersion is ${o.schemaVersion === undefined ? 'missing' : `${JSON.stringify(o.schemaVersion)?.slice(0, 20)}, not a number`}; nsys-tp writes the number 1 there (write the result again with --format json)`);
  }
  if (o.schemaVersion !== 1) throw new BadInputError(`${path}: result schema version ${String(o.schemaVersion)}; this nsys-tp reads version 1`);
  const bad = resultProblem(r);
  if (bad) throw new BadInputError(`${path}: not a ${String(o.kind)} result as nsys-tp writes it: ${bad}`);
  // The object as read, not the schema's output: checked, never rewritten.
  return r as Result;
}

/** A saved diagnose result, for a side of `compare` (another kind is a usage mistake, said so). */
export function parseDiagnosis(text: string, path: string): DiagnoseResult {
  const r = parseResult(text, path);
  if (r.kind !== 'diagnose') throw new BadInputError(`${path}: a saved ${r.kind} result; compare takes a trace or a saved diagnose result (nsys-tp diagnose TRACE --format json -o FILE)`);
  return r;
}
