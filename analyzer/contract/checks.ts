/**
 * The checks of the result contract, as zod schemas that word their own mismatch: saved results come back
 * hand-edited, cut short or from another tool, and the first mismatch is one line of bad input naming the
 * field by its path (`summary.phases[0].stepTimesNs[3]: expected a number, found a string`). Schemas only
 * check: what a command emits is the object it built, never zod's output (no key reordered, no default).
 */
import { z } from 'zod';

const typeName = (v: unknown) =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object'
    : typeof v === 'number' && !Number.isFinite(v) ? 'a number beyond what a double holds (such as 1e309, read as infinity)' : `a ${typeof v}`;

/** The message of a value of the wrong type; a key that is absent reads `missing`. */
const expected = (what: string) => (iss: { input?: unknown }) => (iss.input === undefined ? 'missing' : `expected ${what}, found ${typeName(iss.input)}`);

export const num = z.number({ error: expected('a number') });
/**
 * Numbers with a range: a time, a count or a share outside it is no measurement nsys-tp wrote (a negative
 * or zero step time makes "-1.0× faster" or "Infinity× faster" verdicts, and a gate that passes over them).
 */
const ranged = (ok: (x: number) => boolean, what: string) => num.refine(ok, { error: (iss) => `${String(iss.input)} is not ${what}` });
/** A time that is a step's or a phase's length: more than zero. */
export const pos = ranged((x) => x > 0, 'a positive time (a step takes some time)');
/** A time or an amount: zero or more. */
export const nonNeg = ranged((x) => x >= 0, 'zero or more');
export const count = ranged((x) => x >= 0 && Number.isInteger(x), 'a count (a whole number, zero or more)');
export const share = ranged((x) => x >= 0 && x <= 1, 'a share between 0 and 1');
export const tpDegree = ranged((x) => x >= 1 && Number.isInteger(x), 'a TP degree (a whole number, 1 or more)');
/**
 * A number the analyses hold as a number, which the JSON writer spells null when it is not finite (a
 * median or p10 of no steps is NaN): read as either, typed as the number it is in memory.
 */
export const orNull = <T extends z.ZodType<number>>(n: T) => n.nullable() as unknown as T;
export const measurePos = orNull(pos);
export const str = z.string({ error: expected('a string') });
export const bool = z.boolean({ error: expected('true or false') });

export const oneOf = <const T extends readonly [string, ...string[]]>(xs: T) =>
  z.enum(xs, { error: (iss) => (iss.input === undefined ? 'missing' : `expected one of ${xs.join(', ')}, found ${JSON.stringify(iss.input)?.slice(0, 40)}`) });

export const arr = <T extends z.ZodType>(item: T) => z.array(item, { error: expected('an array') });

/**
 * An object with these fields (all required); other fields are allowed (newer versions add some), in
 * reading and in the JSON Schema of the MCP tools' output alike. Typed without an index signature: the
 * fields named are the ones a reader may use.
 */
export const obj = <T extends z.ZodRawShape>(shape: T) => z.looseObject(shape, { error: expected('an object') }) as unknown as z.ZodObject<T>;

export const record = <T extends z.ZodType>(value: T) => z.record(z.string(), value, { error: expected('an object') });
/** An object with a value for every key of `keys` (a time per class); `partialKeyed`: for some of them. */
export const keyed = <const K extends readonly [string, ...string[]], T extends z.ZodType>(keys: K, value: T) => z.record(z.enum(keys), value, { error: expected('an object') });
export const partialKeyed = <const K extends readonly [string, ...string[]], T extends z.ZodType>(keys: K, value: T) => z.partialRecord(z.enum(keys), value, { error: expected('an object') });

/** The first mismatch of `v` against `schema`, by its path (`a.b[2].c: ...`), or null when it fits. */
export function firstMismatch(schema: z.ZodType, v: unknown): string | null {
  const r = schema.safeParse(v);
  if (r.success) return null;
  const issue = r.error.issues[0]!;
  const path = issue.path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join('');
  return path ? `${path}: ${issue.message}` : issue.message;
}
