/**
 * Is a parsed JSON value a result nsys-tp wrote? Saved results come back hand-edited, cut short or from
 * another tool, and compare, scaling and attach compute on a diagnosis' summary, so its shape is checked
 * field by field (what they read), and every kind's top level; the first mismatch is named by its path
 * (`summary.phases[0].stepTimesNs[3]: expected a number`), for a one-line bad-input error.
 */

import { PHASES, STEP_SOURCES } from '../steps/types.js';

type Check = (v: unknown, path: string) => string | null;

const typeName = (v: unknown) =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object'
    : typeof v === 'number' && !Number.isFinite(v) ? 'a number beyond what a double holds (such as 1e309, read as infinity)' : `a ${typeof v}`;

const num: Check = (v, p) => (typeof v === 'number' && Number.isFinite(v) ? null : `${p}: expected a number, found ${typeName(v)}`);
/**
 * Numbers with a range: a time, a count or a share outside it is no measurement nsys-tp wrote (a negative
 * or zero step time makes "-1.0× faster" or "Infinity× faster" verdicts, and a gate that passes over them).
 */
const ranged = (ok: (x: number) => boolean, what: string): Check => (v, p) => num(v, p) ?? (ok(v as number) ? null : `${p}: ${String(v)} is not ${what}`);
/** A time that is a step's or a phase's length: more than zero. */
const pos = ranged((x) => x > 0, 'a positive time (a step takes some time)');
/** A time or an amount: zero or more. */
const nonNeg = ranged((x) => x >= 0, 'zero or more');
const count = ranged((x) => x >= 0 && Number.isInteger(x), 'a count (a whole number, zero or more)');
const share = ranged((x) => x >= 0 && x <= 1, 'a share between 0 and 1');
const measurePos: Check = (v, p) => (v === null ? null : pos(v, p));
/** Numbers the JSON writer spells null when they were not finite (a median of no steps). */
const measure: Check = (v, p) => (v === null ? null : num(v, p));
const str: Check = (v, p) => (typeof v === 'string' ? null : `${p}: expected a string, found ${typeName(v)}`);
const bool: Check = (v, p) => (typeof v === 'boolean' ? null : `${p}: expected true or false, found ${typeName(v)}`);
const nullable = (c: Check): Check => (v, p) => (v === null ? null : c(v, p));
const oneOf = (...xs: string[]): Check => (v, p) => (typeof v === 'string' && xs.includes(v) ? null : `${p}: expected one of ${xs.join(', ')}, found ${JSON.stringify(v)?.slice(0, 40)}`);
const any: Check = () => null;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const arr = (c: Check): Check => (v, p) => {
  if (!Array.isArray(v)) return `${p}: expected an array, found ${typeName(v)}`;
  for (let i = 0; i < v.length; i++) {
    const e = c(v[i], `${p}[${i}]`);
    if (e) return e;
  }
  return null;
};

/** An object with these fields (all required); other fields are allowed (newer versions add some). */
const obj = (fields: Record<string, Check>): Check => (v, p) => {
  if (!isObject(v)) return `${p}: expected an object, found ${typeName(v)}`;
  for (const [k, c] of Object.entries(fields)) {
    if (!Object.prototype.hasOwnProperty.call(v, k)) return `${p}.${k}: missing`;
    const e = c(v[k], `${p}.${k}`);
    if (e) return e;
  }
  return null;
};

const record = (c: Check): Check => (v, p) => {
  if (!isObject(v)) return `${p}: expected an object, found ${typeName(v)}`;
  for (const [k, x] of Object.entries(v)) {
    const e = c(x, `${p}.${k}`);
    if (e) return e;
  }
  return null;
};

const SEVERITY = oneOf('error', 'warning', 'info');
const PHASE = oneOf(...PHASES);

const phaseProfile = obj({
  phase: PHASE,
  stepTimesNs: arr(pos),
  stepTime: obj({ count, medianNs: measurePos, p10Ns: measurePos, p90Ns: measurePos }),
  gpus: count, stepsPerGpu: nonNeg, opsPerStep: nonNeg, classNs: record(nonNeg), spanNs: nonNeg,
  commShare: share, exposedCommShare: share, idleShare: share, graphShare: share,
  comm: nullable(obj({ transferNs: nonNeg, waitNs: nonNeg })),
  layers: arr(obj({ name: str, spanNs: num, parts: record(num) })),
  collectives: arr(obj({ op: str, bytes: nullable(num), perStep: num, transferMedianNs: num, waitShare: num, skewMedianNs: num, busGBps: nullable(num) })),
});

/** What compare, scaling and attach read of a diagnosis (analyzer/summary/traceSummary.ts). */
export const traceSummaryShape = obj({
  paths: arr(str), nsysVersion: nullable(str), stepSource: oneOf(...STEP_SOURCES), stepDetection: str, stepTimes: str, tp: ranged((x) => x >= 1 && Number.isInteger(x), 'a TP degree (a whole number, 1 or more)'),
  gpus: arr(obj({ name: str, count })), runtime: str, commandLine: nullable(str), settings: record(str), layers: nullable(num),
  phases: arr(phaseProfile),
  findings: arr(obj({ rule: str, severity: SEVERITY, phase: nullable(str), deviceId: nullable(num), message: str, recommendation: str })),
  warnings: arr(str),
});

const finding = obj({ rule: str, severity: SEVERITY, message: str, recommendation: str, evidence: any });
const trace = obj({ path: str, paths: arr(str) });
const frame = { schemaVersion: num, kind: str, tool: obj({ name: str, version: str }) };

/** Each kind's top level: the fields its document reads first. */
const SHAPES: Record<string, Check> = {
  diagnose: obj({
    ...frame, trace, stepDetection: obj({ source: str, description: str }),
    devices: arr(obj({ deviceId: num, label: str, steps: any })), collectives: obj({ count: num, sizeClasses: arr(any), devices: arr(any) }),
    findings: arr(finding), warnings: arr(str), notRun: arr(obj({ rule: str, reason: str })), layers: obj({ methods: any, phases: arr(any) }),
    summary: traceSummaryShape,
  }),
  layers: obj({ ...frame, trace, layers: obj({ methods: any, phases: arr(any) }), warnings: arr(str), notes: arr(finding) }),
  steps: obj({ ...frame, trace, rows: arr(obj({ name: str, phase: PHASE, steady: bool, startNs: num, spanNs: num, times: record(num) })), warnings: arr(str) }),
  kernels: obj({ ...frame, trace, phases: arr(obj({ phase: PHASE, top: arr(any), byClass: arr(any) })), warnings: arr(str) }),
  compare: obj({ ...frame, base: any, new: any, verdict: any, phases: arr(any), findings: any }),
  scaling: obj({ ...frame, rows: arr(any), findings: arr(finding) }),
  plan: obj({ ...frame, plans: arr(any), findings: arr(finding) }),
  attach: obj({ ...frame, findings: arr(finding) }),
  doctor: obj({
    ...frame, trace, verdict: oneOf('complete', 'gaps', 'unusable'), exitCode: num, verdictReason: str,
    world: obj({ declared: nullable(num), found: num, missing: num, sources: arr(obj({ source: str, ranks: num, evidence: str })) }),
    facts: arr(obj({ id: str, title: str, status: oneOf('ok', 'gap', 'info'), statement: str, evidence: str, cost: nullable(str), rulesNotRun: arr(str), fixes: arr(obj({ where: str, flag: str, note: str })) })),
    recapture: obj({ runtime: str, name: str, profileTemplate: str, profile: str, export: str, notes: arr(str), fixes: arr(any), exportOnly: bool }),
  }),
};

/** Null when `v` has the shape of a result of its kind; else the first mismatch, by its path. */
export function resultShapeError(v: unknown): string | null {
  if (!isObject(v)) return `expected an object, found ${typeName(v)}`;
  const shape = SHAPES[v.kind as string];
  return shape ? shape(v, '$') : `$.kind: unknown result kind ${JSON.stringify(v.kind)?.slice(0, 40)}`;
}
