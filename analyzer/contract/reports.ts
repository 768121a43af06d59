/**
 * The parts of the results of attach (the section a benchmark report gets, analyzer/results/attach.ts)
 * and doctor (the capture's facts, world and recapture, analyzer/results/doctor.ts).
 */
import { z } from 'zod';
import type { CaptureRuntime } from '../capture/recapture.js';
import type { FactId, Lack } from '../capture/captureCheck.js';
import { arr, bool, num, obj, oneOf, record, str } from './checks.js';

export const benchPhaseSchema = obj({
  steps: num,
  medianStepNs: num,
  p10StepNs: num,
  p90StepNs: num,
  /** The mean steady step per GPU (its own span): the whole the shares below are parts of. */
  meanGpuStepNs: num,
  commShare: num,
  exposedCommShare: num,
  idleShare: num,
  /** ns per step per GPU by kernel class and idle. */
  timeNs: record(num),
});
export type BenchPhase = z.infer<typeof benchPhaseSchema>;

export const benchSectionSchema = obj({
  tool: str,
  traces: arr(str),
  gpus: str,
  tp: num,
  stepDetection: str,
  prefill: benchPhaseSchema.optional(),
  mixed: benchPhaseSchema.optional(),
  decode: benchPhaseSchema.optional(),
  step: benchPhaseSchema.optional(),
  findings: arr(obj({ rule: str, severity: str, message: str, recommendation: str })),
});
export type BenchSection = z.infer<typeof benchSectionSchema>;

export const DOCTOR_VERDICTS = ['complete', 'gaps', 'unusable'] as const;
export type DoctorVerdict = (typeof DOCTOR_VERDICTS)[number];

/** The part of the recapture that fixes a gap: an `nsys profile` flag, an `nsys export` flag, or a change to the workload. */
export const fixSchema = obj({
  where: oneOf(['profile', 'export', 'workload']),
  /** The flag or setting, as typed (`--cuda-graph-trace=node`). */
  flag: str,
  /** Why this flag, in a few words. */
  note: str,
});

export const doctorFactSchema = obj({
  id: z.custom<FactId>(),
  title: str,
  status: oneOf(['ok', 'gap', 'info']),
  /** What the trace shows, in one sentence. */
  statement: str,
  /** Where that comes from: tables, counts, names, the command line. */
  evidence: str,
  /** For a gap: what it costs (which numbers are guesses or missing). */
  cost: str.nullable(),
  lacks: arr(z.custom<Lack>()),
  fixes: arr(fixSchema),
  /** For a gap: a few words for diagnose's header (`no NCCL payloads`). */
  short: str.nullable(),
  /** Rules that cannot run because of this gap (their requirement is what it lacks). */
  rulesNotRun: arr(str),
});
export type DoctorFact = z.infer<typeof doctorFactSchema>;

export const doctorTraceSchema = obj({
  path: str,
  paths: arr(str),
  nsysVersion: str.nullable(),
  exportSchema: str.nullable(),
  gpus: arr(obj({ deviceId: num, name: str })),
  runtime: obj({ id: str, name: str, evidence: str.nullable() }),
  commandLine: str.nullable(),
});

/** What the job says its world is: a source (the command line, the environment, NCCL) and the value. */
export const worldSchema = obj({
  declared: num.nullable(),
  found: num,
  missing: num,
  sources: arr(obj({ source: str, ranks: num, evidence: str })),
});

export const recaptureSchema = obj({
  runtime: z.custom<CaptureRuntime>(),
  name: str,
  /** The lines as the README documents them, `<command>` standing for the workload. */
  profileTemplate: str,
  /** The same with the trace's recorded command line in place (the template when none is recorded). */
  profile: str,
  export: str,
  notes: arr(str),
  /** The flags that close this trace's gaps, one per gap that a flag fixes. */
  fixes: arr(fixSchema),
  /** True when every gap is fixed by exporting the same report again (nsys export), without a new capture. */
  exportOnly: bool,
});

/** What diagnose's header says of the capture: its gaps in a few words each, from the same check as doctor. */
export const captureGapsSchema = obj({ verdict: oneOf(DOCTOR_VERDICTS), gaps: arr(obj({ id: str, short: str })) });
export type CaptureGaps = z.infer<typeof captureGapsSchema>;
