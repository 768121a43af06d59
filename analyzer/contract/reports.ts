/**
 * The parts of the results of attach (the section a benchmark report gets, analyzer/results/attach.ts)
 * and doctor (the capture's facts, world and recapture, analyzer/results/doctor.ts).
 */
import { z } from 'zod';
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

/** The facts doctor checks, each by its id. */
export const FACT_IDS = [
  'export', 'gpus-ranks', 'rank-files', 'cuda-graphs', 'cuda-api', 'nvtx', 'os-runtime',
  'nccl-nvtx', 'nccl-payloads', 'gpu-metrics', 'capture-range', 'steps',
] as const;
export type FactId = (typeof FACT_IDS)[number];

/** ok: present and right; gap: missing or wrong, at a cost; info: absent but not needed here, or nothing to judge. */
export const FACT_STATUSES = ['ok', 'gap', 'info'] as const;
export type FactStatus = (typeof FACT_STATUSES)[number];

/** What a gap takes away from the analysis, for the rules that need it (rules/requirements.ts). */
export const LACKS = ['collectives', 'launches', 'sizes', 'graph-kernels', 'host-calls', 'step-ranges'] as const;
export type Lack = (typeof LACKS)[number];

/** The runtimes a recapture recipe is written for (analyzer/capture/recapture.ts). */
export const CAPTURE_RUNTIMES = ['vllm', 'sglang', 'torchrun', 'python'] as const;
export type CaptureRuntime = (typeof CAPTURE_RUNTIMES)[number];

/** The part of the recapture that fixes a gap: an `nsys profile` flag, an `nsys export` flag, or a change to the workload. */
export const fixSchema = obj({
  where: oneOf(['profile', 'export', 'workload']),
  /** The flag or setting, as typed (`--cuda-graph-trace=node`). */
  flag: str,
  /** Why this flag, in a few words. */
  note: str,
});
export type Fix = z.infer<typeof fixSchema>;

export const doctorFactSchema = obj({
  id: oneOf(FACT_IDS),
  title: str,
  status: oneOf(FACT_STATUSES),
  /** What the trace shows, in one sentence. */
  statement: str,
  /** Where that comes from: tables, counts, names, the command line. */
  evidence: str,
  /** For a gap: what it costs (which numbers are guesses or missing). */
  cost: str.nullable(),
  lacks: arr(oneOf(LACKS)),
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
export const declaredSizeSchema = obj({ source: str, ranks: num, evidence: str });
export type DeclaredSize = z.infer<typeof declaredSizeSchema>;

export const worldSchema = obj({
  declared: num.nullable(),
  found: num,
  missing: num,
  sources: arr(declaredSizeSchema),
});

export const recaptureSchema = obj({
  runtime: oneOf(CAPTURE_RUNTIMES),
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
