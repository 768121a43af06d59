/**
 * What a capture holds and lacks for a TP diagnosis, each fact with its evidence: the export, the GPUs and
 * ranks against the world size the job declares, the per-rank files, CUDA graph tracing, the event streams
 * (CUDA API, NVTX, OS runtime, NCCL's NVTX domain and payloads, GPU metrics), the capture range and the
 * step source. `doctor` shows all of it; `diagnose` names the gaps in its header. Both read this one
 * artifact, so they never disagree.
 */
import { artifact } from '../artifact.js';
import { CLASS_INDEX } from '../classify/opClasses.js';
import type { Reads } from '../data.js';
import { OpKind, type RecordedStreams } from '../model/types.js';
import { median } from '../util/stats.js';
import { subForwards, wholeRounds } from '../steps/subForwards.js';
import type { DeclaredSize, DoctorFact, DoctorVerdict, Fix } from '../contract/reports.js';

/** A fact as doctor's result carries it, before the rules it keeps from running are named. */
export type CaptureFact = Omit<DoctorFact, 'rulesNotRun'>;

export interface CaptureCheck {
  facts: CaptureFact[];
  /** complete: nothing missing; gaps: usable, with what is missing said; unusable: not a TP capture nsys-tp can diagnose. */
  verdict: DoctorVerdict;
  verdictReason: string;
  /** Ranks the job declares (the first of `declared`), and those found in the files. */
  declaredRanks: number | null;
  declared: DeclaredSize[];
  foundRanks: number;
  missingRanks: number;
}

/** What the capture check reads. */
const CAPTURE_DEPS = ['model', 'stepSet', 'steady', 'classes', 'collectives', 'collectiveSummary', 'tp', 'ncclRanges'] as const;
type Capture = Reads<(typeof CAPTURE_DEPS)[number]>;

const n = (x: number) => x.toLocaleString('en-US');
const plural = (x: number, w: string) => `${n(x)} ${w}${x === 1 ? '' : 's'}`;
const flagRe = (names: string) => new RegExp(`(?:^|\\s)(?:${names})(?:=|\\s+)(\\d+)(?=\\s|$)`);

/** The world sizes the command lines and environments declare, most specific first. */
function declaredSizes(a: Capture): DeclaredSize[] {
  const out: DeclaredSize[] = [];
  const comms = a.model.communicators.filter((c) => c.nranks > 0);
  if (comms.length) {
    const c = comms.reduce((x, y) => (y.nranks > x.nranks ? y : x));
    out.push({ source: 'NCCL communicator init', ranks: c.nranks, evidence: `ncclCommInitRank payload: communicator ${c.id} of ${c.nranks} ranks` });
  }
  const commands = [...new Set(a.model.files.map((f) => f.meta.command).filter((c): c is string => !!c))];
  for (const cmd of commands) {
    const tp = flagRe('--tensor-parallel-size|--tensor_parallel_size|-tp|--tp|--tp-size|--tp_size').exec(cmd);
    if (tp) out.push({ source: 'the command line\'s TP size', ranks: Number(tp[1]), evidence: `command line: ${tp[0].trim()}` });
    const nproc = flagRe('--nproc_per_node|--nproc-per-node').exec(cmd);
    if (nproc) {
      const nodes = flagRe('--nnodes').exec(cmd);
      const k = nodes ? Number(nodes[1]) : 1;
      out.push({ source: 'torchrun', ranks: Number(nproc[1]) * k, evidence: `command line: ${nproc[0].trim()}${nodes ? ` ${nodes[0].trim()}` : ''}` });
    }
    const mpi = /(?:^|\s)(?:mpirun|mpiexec|srun)\b.*?(?:\s)(?:-np|-n|--ntasks)(?:=|\s+)(\d+)/.exec(cmd);
    if (mpi) out.push({ source: 'MPI launcher', ranks: Number(mpi[1]), evidence: `command line: ${mpi[0].trim()}` });
  }
  for (const name of ['WORLD_SIZE', 'LOCAL_WORLD_SIZE']) {
    const v = a.model.files.map((f) => f.meta.environment.get(name)).find((x) => x !== undefined && /^\d+$/.test(x));
    if (v) out.push({ source: name, ranks: Number(v), evidence: `recorded environment: ${name}=${v}` });
  }
  return out.filter((d) => d.ranks > 0);
}

function ranksFacts(a: Capture, declared: DeclaredSize[]): { facts: CaptureFact[]; found: number; missing: number } {
  const { model } = a;
  const devs = model.devices;
  const found = devs.length;
  const tp = a.tp;
  const want = declared[0]?.ranks ?? null;
  const ids = devs.map((d) => d.label).join(', ');
  const initRanges = a.ncclRanges.filter((i) => /^ncclCommInitRank/.test(model.nvtx.texts[model.nvtx.text[i]!]!)).length;
  const evidence = [
    `${plural(found, 'GPU')} with work (${ids})`,
    tp > 1 ? `${tp} ranks in the tensor-parallel collectives` : 'no tensor-parallel collectives',
    initRanges ? `${plural(initRanges, 'ncclCommInitRank range')} in NCCL's NVTX domain` : null,
    ...declared.map((d) => d.evidence),
  ].filter(Boolean).join('; ');
  const missing = want !== null && want > found ? want - found : 0;
  let fact: CaptureFact;
  if (missing > 0) {
    fact = {
      id: 'gpus-ranks', title: 'GPUs and ranks', status: 'gap',
      statement: `${plural(found, 'GPU')} in the trace, but the job declares ${want} ranks (${declared[0]!.source}): ${plural(missing, 'rank')} missing`,
      evidence,
      cost: found > 1
        ? 'collectives are matched across the ranks present only: waiting, transfer and the late rank ignore the missing ones, and a missing rank that arrives late cannot be named'
        : 'with one rank, collectives cannot be matched across ranks: transfer vs waiting, skew, the late rank and every rule that needs collectives cannot run; communication time is all "communication", unsplit',
      lacks: found > 1 ? [] : ['collectives'],
      fixes: [
        { where: 'profile', flag: '-o report_%q{RANK}', note: 'one report per rank, then pass every file: nsys-tp doctor report_*.sqlite' },
        { where: 'profile', flag: 'nsys profile <launcher>', note: 'or profile the launcher (torchrun, vllm serve): all ranks in one report' },
      ],
      short: `${plural(missing, 'rank')} of ${want} missing`,
    };
  } else if (found > 1 && tp <= 1 && a.collectives.n > 0) {
    const ops = [...new Set(a.collectives.kinds.map((k) => k.op))].join(', ');
    fact = {
      id: 'gpus-ranks', title: 'GPUs and ranks', status: 'info',
      statement: `${plural(found, 'GPU')} exchanging ${ops} only, no all-reduce, reduce-scatter or all-gather: not a tensor-parallel group (TP reads as 1)`,
      evidence, cost: null, lacks: [], fixes: [], short: null,
    };
  } else if (found > 1 && tp <= 1 && hasGraphExecutions(a)) {
    fact = {
      id: 'gpus-ranks', title: 'GPUs and ranks', status: 'gap',
      statement: `${plural(found, 'GPU')} with work, no collectives visible: they run inside CUDA graphs traced at graph level`,
      evidence, cost: 'no collective is matched across GPUs: the TP degree reads as 1, and every rule that needs collectives cannot run',
      lacks: ['collectives'], fixes: [{ where: 'profile', flag: '--cuda-graph-trace=node', note: 'the collectives inside graphs traced' }], short: 'collectives hidden in CUDA graphs',
    };
  } else if (found > 1 && tp <= 1) {
    fact = {
      id: 'gpus-ranks', title: 'GPUs and ranks', status: 'gap',
      statement: `${plural(found, 'GPU')} with work but no collectives between them: not one tensor-parallel group`,
      evidence, cost: 'no collective is matched across GPUs: each GPU is analysed alone, and every rule that needs collectives cannot run',
      lacks: ['collectives'], fixes: [], short: 'no collectives between the GPUs',
    };
  } else {
    fact = {
      id: 'gpus-ranks', title: 'GPUs and ranks', status: 'ok',
      statement: want !== null ? `${plural(found, 'GPU')}, as the job declares (${declared[0]!.source}: ${want})` : `${plural(found, 'GPU')}${tp > 1 ? `, TP=${tp}` : ''}; the job declares no world size`,
      evidence, cost: null, lacks: [], fixes: [], short: null,
    };
  }
  return { facts: [fact, rankFilesFact(a, want)], found, missing };
}

function rankFilesFact(a: Capture, want: number | null): CaptureFact {
  const { files, devices } = a.model;
  const per = files.map((f, i) => {
    const rank = f.meta.environment.get('RANK');
    const gpus = devices.filter((d) => d.file === i).map((d) => d.label);
    return { path: f.path, rank: rank !== undefined && /^\d+$/.test(rank) ? Number(rank) : null, gpus };
  });
  if (files.length === 1) {
    return {
      id: 'rank-files', title: 'Per-rank files', status: 'info',
      statement: `one report holding ${plural(devices.length, 'GPU')}${want !== null && want > devices.length ? ` of the ${want} declared` : ''}`,
      evidence: `${per[0]!.path}: ${per[0]!.gpus.join(', ')}${per[0]!.rank !== null ? ` (RANK=${per[0]!.rank})` : ''}`,
      cost: null, lacks: [], fixes: [], short: null,
    };
  }
  // A rank is named by the RANK a file recorded, else by its GPU's device id (one node, rank = device).
  const ranks = per.flatMap((p) => (p.rank !== null ? [p.rank] : devices.filter((d) => a.model.files[d.file]!.path === p.path).map((d) => d.deviceId)));
  const absent = want !== null ? [...Array(want).keys()].filter((r) => !ranks.includes(r)) : [];
  return {
    id: 'rank-files', title: 'Per-rank files', status: absent.length ? 'gap' : 'ok',
    statement: `${files.length} files of one job${absent.length ? `; rank${absent.length === 1 ? '' : 's'} ${absent.join(', ')} missing` : ''}`,
    evidence: per.map((p) => `${p.path}: ${p.gpus.join(', ') || 'no GPU work'}${p.rank !== null ? ` (RANK=${p.rank})` : ''}`).join('; ') +
      (per.some((p) => p.rank === null) ? '; ranks without a recorded RANK are named by their GPU' : ''),
    cost: absent.length ? 'the missing ranks\' collectives, waits and late arrivals are not seen' : null,
    lacks: [], fixes: absent.length ? [{ where: 'profile', flag: '-o report_%q{RANK}', note: 'pass every rank\'s file' }] : [], short: null,
  };
}

function hasGraphExecutions(a: Capture): boolean {
  const { ops } = a.model;
  for (let i = 0; i < ops.n; i++) if (ops.kind[i] === OpKind.graph) return true;
  return false;
}

/** Every collective kernel a CUDA graph replay: NCCL makes its calls (and ranges) only when the graph is captured. */
function collectivesReplayedOnly(a: Capture): boolean {
  const c = a.collectives;
  if (c.n === 0) return false;
  for (const o of c.ops) if (o >= 0 && !a.model.ops.fromGraph[o]) return false;
  return true;
}

function graphFact(a: Capture): CaptureFact {
  const { ops } = a.model;
  let graphKernels = 0;
  let graphExecs = 0;
  for (let i = 0; i < ops.n; i++) {
    if (ops.kind[i] === OpKind.graph) graphExecs++;
    else if (ops.kind[i] === OpKind.kernel && ops.fromGraph[i]) graphKernels++;
  }
  const mode = a.model.files.map((f) => f.meta.cudaGraphTraceMode).find((m) => m) ?? null;
  const ev = `trace mode ${mode ?? 'not recorded'}; ${plural(graphKernels, 'kernel')} with a graph node id; ${plural(graphExecs, 'whole-graph execution')} (CUPTI_ACTIVITY_KIND_GRAPH_TRACE)`;
  const flag: Fix = { where: 'profile', flag: '--cuda-graph-trace=node', note: 'every kernel inside a graph traced' };
  if (graphExecs > 0) {
    return {
      id: 'cuda-graphs', title: 'CUDA graphs', status: 'gap',
      statement: `CUDA graphs traced at graph level: the kernels inside ${plural(graphExecs, 'graph execution')} are invisible`,
      evidence: ev,
      cost: 'graph time cannot be split into GEMM, attention and communication; layers and collectives inside graphs are not seen (graph-kernels-hidden)',
      lacks: ['graph-kernels'], fixes: [flag], short: 'graph-level CUDA graph trace (kernels in graphs invisible)',
    };
  }
  if (graphKernels > 0) {
    return { id: 'cuda-graphs', title: 'CUDA graphs', status: 'ok', statement: `CUDA graphs used and traced at node level: ${plural(graphKernels, 'kernel')} ran inside graphs, each recorded`, evidence: ev, cost: null, lacks: [], fixes: [], short: null };
  }
  return {
    id: 'cuda-graphs', title: 'CUDA graphs', status: 'info',
    statement: `no CUDA graphs launched (eager)${mode === 'Graph' ? '; the trace mode is graph level (the nsys default), which would hide graph kernels: keep --cuda-graph-trace=node' : ''}`,
    evidence: ev, cost: null, lacks: [], fixes: [], short: null,
  };
}

function streamFacts(a: Capture, rec: RecordedStreams | null): CaptureFact[] {
  const { model } = a;
  const traced = (what: string) => rec?.traced?.includes(what) ?? null;
  const tFlag: Fix = { where: 'profile', flag: '-t cuda,nvtx,osrt', note: 'CUDA API, NVTX and OS runtime traced' };
  const out: CaptureFact[] = [];
  // CUDA API: what joins each GPU op to its launch.
  const { ops } = model;
  let kernels = 0;
  let launched = 0;
  for (let i = 0; i < ops.n; i++) {
    if (ops.kind[i] === OpKind.graph || ops.kind[i] === OpKind.kernel) {
      kernels++;
      if (!Number.isNaN(ops.launchStart[i]!)) launched++;
    }
  }
  const api = rec?.cudaApiCalls ?? (launched > 0 ? launched : 0);
  const share = kernels ? launched / kernels : 0;
  const apiEv = `${plural(api, 'CUDA API call')} (CUPTI_ACTIVITY_KIND_RUNTIME); ${n(launched)} of ${n(kernels)} kernels joined to their launch (${(share * 100).toFixed(0)}%)`;
  if (api === 0 || launched === 0) {
    out.push({
      id: 'cuda-api', title: 'CUDA API', status: 'gap', statement: 'no CUDA API calls: no GPU op can be joined to the host call that launched it', evidence: apiEv,
      cost: 'NVTX ranges cannot be put on the GPUs (steps come from the kernels alone); host-bound-gaps and sync-in-step cannot run; idle gaps cannot be explained',
      lacks: ['launches', 'step-ranges'], fixes: [tFlag], short: 'no CUDA API trace',
    });
  } else if (share < 0.9) {
    out.push({
      id: 'cuda-api', title: 'CUDA API', status: 'gap', statement: `${((1 - share) * 100).toFixed(0)}% of the kernels have no launching call in the trace (launched before the capture started, or not traced)`,
      evidence: apiEv, cost: 'those kernels belong to no NVTX range and their idle gaps have no host call to explain them',
      lacks: [], fixes: [{ where: 'profile', flag: '--capture-range=cudaProfilerApi', note: 'start the capture at a step boundary, before the launches of the steps you measure' }],
      short: `${((1 - share) * 100).toFixed(0)}% of kernels without their launch`,
    });
  } else {
    out.push({ id: 'cuda-api', title: 'CUDA API', status: 'ok', statement: `traced: ${(share * 100).toFixed(0)}% of the kernels joined to their launch`, evidence: apiEv, cost: null, lacks: [], fixes: [], short: null });
  }
  // NVTX.
  const nvtxRows = rec?.nvtxEvents ?? model.nvtx.n;
  const domains = new Map<string, number>();
  for (let i = 0; i < model.nvtx.n; i++) {
    const d = model.nvtx.domains[model.nvtx.domain[i]!]!;
    domains.set(d, (domains.get(d) ?? 0) + 1);
  }
  const domEv = [...domains].map(([d, c]) => `${d === '' ? 'default domain' : d} ${n(c)}`).join(', ');
  const stepsNamed = a.stepSet.source === 'nvtx';
  if (nvtxRows === 0 && traced('NvtxEvents') === false) {
    out.push({
      id: 'nvtx', title: 'NVTX', status: 'gap', statement: 'NVTX not traced', evidence: `CAPTURE_EVENT_TYPE: ${rec?.traced?.join(', ') ?? '?'}; no NVTX_EVENTS rows`,
      cost: 'no step or layer ranges and no NCCL ranges: steps come from the kernels, message sizes only from --model',
      lacks: ['step-ranges', 'sizes'], fixes: [tFlag], short: 'NVTX not traced',
    });
  } else if (nvtxRows === 0) {
    out.push({
      id: 'nvtx', title: 'NVTX', status: 'info', statement: 'NVTX traced, but the workload emits no ranges: steps come from the kernels',
      evidence: `${traced('NvtxEvents') ? 'CAPTURE_EVENT_TYPE includes NvtxEvents; ' : ''}no NVTX_EVENTS rows`, cost: null, lacks: [],
      fixes: [{ where: 'workload', flag: 'NVTX ranges named prefill / decode N', note: 'steps named by the workload (or --steps REGEX)' }], short: null,
    });
  } else {
    out.push({
      id: 'nvtx', title: 'NVTX', status: 'ok', statement: `traced: ${plural(model.nvtx.n, 'range')}${stepsNamed ? ', the steps among them' : ', none of them steps'}`,
      evidence: `NVTX_EVENTS ${plural(nvtxRows, 'row')}; ranges by domain: ${domEv || 'none'}`, cost: null, lacks: [], fixes: [], short: null,
    });
  }
  // OS runtime.
  const osrt = rec?.osRuntimeCalls ?? 0;
  if (osrt > 0) {
    out.push({ id: 'os-runtime', title: 'OS runtime', status: 'ok', statement: `traced: ${plural(osrt, 'OS runtime call')}`, evidence: `OSRT_API ${plural(osrt, 'row')}`, cost: null, lacks: [], fixes: [], short: null });
  } else {
    out.push({
      id: 'os-runtime', title: 'OS runtime', status: 'gap', statement: 'OS runtime calls not traced', evidence: `no OSRT_API rows${rec?.traced ? `; CAPTURE_EVENT_TYPE: ${rec.traced.join(', ')}` : ''}`,
      cost: 'host-bound-gaps and collective-wait name only the CUDA API calls in flight when a GPU sits idle, not the locks, sleeps, reads and polls behind them',
      lacks: ['host-calls'], fixes: [tFlag], short: 'no OS runtime trace',
    });
  }
  // NCCL: its NVTX domain and payloads matter only where there are collectives.
  const nccl = a.ncclRanges.length;
  const hasColl = a.collectives.n > 0;
  const disabled = model.files.map((f) => f.meta.environment.get('NCCL_NVTX_DISABLE')).find((v) => v !== undefined);
  if (!hasColl) {
    out.push({ id: 'nccl-nvtx', title: 'NCCL NVTX domain', status: 'info', statement: `no collectives across GPUs: not needed${nccl ? ` (${plural(nccl, 'NCCL range')} present)` : ''}`, evidence: `NCCL domain ranges: ${n(nccl)}`, cost: null, lacks: [], fixes: [], short: null });
  } else if (nccl === 0 && collectivesReplayedOnly(a)) {
    out.push({
      id: 'nccl-nvtx', title: 'NCCL NVTX domain', status: 'info',
      statement: 'no NCCL ranges: every collective here is a CUDA graph replay, and NCCL emits its ranges only when a collective is called (when the graph was captured, outside this capture)',
      evidence: `NCCL domain ranges: 0; all ${plural(a.collectives.n, 'collective instance')} replayed from graphs`, cost: null, lacks: [], fixes: [], short: null,
    });
  } else if (nccl === 0) {
    out.push({
      id: 'nccl-nvtx', title: 'NCCL NVTX domain', status: 'gap', statement: 'no ranges in NCCL\'s NVTX domain', evidence: `NCCL domain ranges: 0${disabled !== undefined ? `; NCCL_NVTX_DISABLE=${disabled}` : ''}`,
      cost: 'message sizes can never come from the trace (NCCL\'s payloads ride on these ranges): only from --model',
      lacks: ['sizes'], fixes: [{ where: 'workload', flag: 'NCCL_NVTX_DISABLE unset', note: 'NCCL emits its ranges (NCCL 2.18+)' }, tFlag], short: 'no NCCL NVTX ranges',
    });
  } else {
    out.push({ id: 'nccl-nvtx', title: 'NCCL NVTX domain', status: 'ok', statement: `present: ${plural(nccl, 'range')}`, evidence: `NCCL domain ranges: ${n(nccl)} (${[...new Set(ncclNames(a))].slice(0, 4).join(', ')})`, cost: null, lacks: [], fixes: [], short: null });
  }
  const sized = model.ncclCalls.bytes.filter((b) => !Number.isNaN(b)).length;
  const classes = a.collectiveSummary.classes;
  const fromPayload = classes.filter((k) => k.bytesSource === 'payload').length;
  const payloadEv = `NVTX_EVENTS rows with binaryData: ${n(rec?.payloadBlobs ?? 0)}; NCCL calls with a message size: ${n(sized)}; collective size classes sized from payloads: ${fromPayload} of ${classes.length}`;
  if (!hasColl) {
    out.push({ id: 'nccl-payloads', title: 'NCCL payloads', status: 'info', statement: 'no collectives: message sizes not needed', evidence: payloadEv, cost: null, lacks: [], fixes: [], short: null });
  } else if (sized === 0) {
    out.push({
      id: 'nccl-payloads', title: 'NCCL payloads', status: 'gap', statement: 'not in the export: message sizes only come from --model',
      evidence: payloadEv,
      cost: 'message sizes and bus bandwidth come only from --model (the model shape, batch and prompt: a computed guess); without --model, bandwidth is unknown and low-bus-bandwidth cannot judge the fabric',
      lacks: ['sizes'],
      fixes: nccl === 0
        ? [{ where: 'profile', flag: '--capture-range=cudaProfilerApi', note: 'open the capture before the warm-up captures the CUDA graphs, so NCCL\'s calls at graph capture are recorded' },
          { where: 'export', flag: '--include-blobs=true', note: 'the calls\' payloads in the export' }]
        : [{ where: 'export', flag: '--include-blobs=true', note: 'export the same .nsys-rep again: no new capture needed' }],
      short: 'no NCCL payloads (sizes only from --model)',
    });
  } else {
    const unsized = classes.length - fromPayload;
    out.push({
      id: 'nccl-payloads', title: 'NCCL payloads', status: 'ok',
      statement: `exported: ${plural(sized, 'NCCL call')} carry their message size${unsized ? `; ${plural(unsized, 'size class')} still unsized (no call seen for them)` : ''}`,
      evidence: payloadEv, cost: null, lacks: [], fixes: [], short: null,
    });
  }
  // GPU metrics: nothing nsys-tp computes reads them.
  const gm = rec?.gpuMetricSamples ?? 0;
  out.push({
    id: 'gpu-metrics', title: 'GPU metrics', status: 'info',
    statement: gm ? `captured: ${plural(gm, 'sample')} (nsys-tp reads none of them)` : 'not captured; nsys-tp reads none (--gpu-metrics-devices=all would add SM and NVLink throughput samples for the GUI)',
    evidence: `GPU_METRICS ${plural(gm, 'row')}`, cost: null, lacks: [], fixes: [], short: null,
  });
  return out;
}

/**
 * The ranges of NCCL's NVTX domain: the domain named NCCL, or one whose ranges are NCCL calls (an export
 * may lack the event that names a domain, and then shows it by number).
 */
export const ncclRanges = artifact(['model'], (a): number[] => {
  const nv = a.model.nvtx;
  const callText = nv.texts.map((x) => /^nccl[A-Z]/.test(x));
  const isNccl = nv.domains.map((name) => name !== '');
  for (let i = 0; i < nv.n; i++) if (!callText[nv.text[i]!]) isNccl[nv.domain[i]!] = false;
  nv.domains.forEach((name, d) => { if (name === 'NCCL') isNccl[d] = true; });
  const out: number[] = [];
  for (let i = 0; i < nv.n; i++) if (isNccl[nv.domain[i]!]) out.push(i);
  return out;
});

function ncclNames(a: Capture): string[] {
  const nv = a.model.nvtx;
  return a.ncclRanges.slice(0, 2000).map((i) => nv.texts[nv.text[i]!]!);
}

/** A first or last step with far fewer ops than its phase's median step on its device: the capture cut into it. */
function cutSteps(a: Capture): string[] {
  const out: string[] = [];
  // Steps cut at idle gaps hold whatever lies between two gaps, and a rhythm found only partly cuts its
  // steps unevenly: their op counts say nothing of a cut (the step split's own fact says it is unsure).
  if (a.stepSet.source === 'gaps' || a.stepSet.confidence === 'low') return out;
  // Rounds of a draft and a target (speculative decoding) shrink as a generation ends: whole, not cut.
  const rounds = a.stepSet.source === 'rhythm' ? subForwards(a.model, a.classes.opClass, a.stepSet.steps.filter((s) => a.steady[s.index])) : null;
  for (const dev of a.model.devices) {
    const steps = a.stepSet.steps.filter((s) => s.device === dev.index);
    if (steps.length < 3) continue;
    for (const s of [steps[0]!, steps[steps.length - 1]!]) {
      const same = steps.filter((x) => x.phase === s.phase).map((x) => x.ops.length);
      if (same.length < 3) continue;
      const m = median(same);
      if (rounds && wholeRounds(a.model, a.classes.opClass, s.ops, rounds.depths)) continue;
      if (s.ops.length < 0.5 * m) out.push(`${dev.label} "${s.name}" (${s === steps[0] ? 'first' : 'last'}: ${n(s.ops.length)} ops against a median of ${n(Math.round(m))})`);
    }
  }
  // A step range the capture stopped inside never ends.
  const nv = a.model.nvtx;
  for (let i = 0; i < nv.n; i++) {
    if (Number.isNaN(nv.end[i]!) && nv.domains[nv.domain[i]!] === '' && /^(prefill|decode|step)\b/i.test(nv.texts[nv.text[i]!]!)) out.push(`NVTX range "${nv.texts[nv.text[i]!]}" never ends`);
  }
  return [...new Set(out)];
}

function rangeFact(a: Capture, rec: RecordedStreams | null): CaptureFact {
  const f0 = a.model.files[0]!;
  // nsys records nothing before the start call of a cudaProfilerApi range: the call opens the trace.
  const byApi = rec?.profilerStartNs != null && rec.firstCudaApiNs != null && rec.profilerStartNs <= rec.firstCudaApiNs + 1e6;
  const how = byApi
    ? `cudaProfilerApi (the trace opens with the profiler start call, at ${((rec!.profilerStartNs! + f0.offsetNs) / 1e9).toFixed(3)} s)`
    : rec?.startDelayMs ? `a delay of ${rec.startDelayMs} ms`
    : rec?.startTrigger && rec.startTrigger !== 'Immediate' ? `start trigger ${rec.startTrigger}`
    : 'the whole run (no capture range)';
  const ev = [`START_TRIGGER ${rec?.startTrigger ?? '?'}`, `START_DELAY_MS ${rec?.startDelayMs ?? '?'}`, `RUN_DURATION_MS ${rec?.durationMs ?? '?'}`,
    rec?.profilerStartNs != null
      ? `profiler start call at ${((rec.profilerStartNs + f0.offsetNs) / 1e9).toFixed(3)} s, ${byApi ? 'the first CUDA API call recorded' : `after CUDA API calls from ${(((rec.firstCudaApiNs ?? 0) + f0.offsetNs) / 1e9).toFixed(3)} s: not a capture range`}`
      : 'no profiler start call'].join('; ');
  const cut = cutSteps(a);
  if (cut.length) {
    return {
      id: 'capture-range', title: 'Capture range', status: 'gap', statement: `${how}; it cuts steps: ${cut.slice(0, 4).join('; ')}${cut.length > 4 ? `; and ${cut.length - 4} more` : ''}`,
      evidence: ev, cost: 'a cut step is counted as a fast outlier or pulls its phase\'s numbers down; its collectives cannot be matched on every rank',
      lacks: [], fixes: [{ where: 'profile', flag: '--capture-range=cudaProfilerApi --capture-range-end=stop', note: 'start and stop the profiler at step boundaries (torch.cuda.profiler.start() / stop())' }],
      short: 'the capture range cuts steps',
    };
  }
  const passes = a.stepSet.passes.length;
  return {
    id: 'capture-range', title: 'Capture range', status: 'ok',
    statement: `${how}; no step is cut${passes > 1 ? ` (${passes} passes in the capture; the numbers describe the last)` : ''}`,
    evidence: ev, cost: null, lacks: [], fixes: [], short: null,
  };
}

function stepsFact(a: Capture): CaptureFact {
  const s = a.stepSet;
  const ev = `${s.description}${s.confidenceNote ? `; ${s.confidenceNote}` : ''}`;
  const base = `steps from ${s.source === 'nvtx' ? 'NVTX ranges' : s.source === 'rhythm' ? 'the kernels\' rhythm' : s.source === 'graph' ? 'CUDA graph launches' : 'GPU idle gaps'}${s.forced ? ' (forced)' : ''}, confidence ${s.confidence}`;
  if (s.steps.length === 0) {
    return { id: 'steps', title: 'Step source', status: 'gap', statement: 'no steps found', evidence: ev, cost: 'no per-step numbers: every rule that needs steps cannot run', lacks: [], fixes: [{ where: 'workload', flag: 'NVTX ranges named prefill / decode N', note: 'or --steps REGEX' }], short: 'no steps' };
  }
  if (s.confidence === 'low') {
    return {
      id: 'steps', title: 'Step source', status: 'gap', statement: base, evidence: ev,
      cost: 'step times are cut at idle gaps: a step may be several forward passes or a part of one, so per-step numbers are guesses',
      lacks: [], fixes: [{ where: 'workload', flag: 'NVTX ranges named prefill / decode N', note: 'steps named by the workload (or --steps REGEX)' }], short: 'steps guessed from idle gaps',
    };
  }
  return { id: 'steps', title: 'Step source', status: s.confidence === 'high' ? 'ok' : 'info', statement: base, evidence: ev, cost: null, lacks: [], fixes: [], short: null };
}

function exportFact(a: Capture): CaptureFact {
  const metas = a.model.files.map((f) => f.meta);
  const versions = [...new Set(metas.map((m) => `Nsight Systems ${m.nsysVersion ?? '?'} (export schema ${m.exportSchema ?? '?'})`))];
  return {
    id: 'export', title: 'Export', status: 'info', statement: versions.join('; '),
    evidence: `META_DATA_EXPORT EXPORT_PRODUCT_VERSION / EXPORT_SCHEMA_VERSION of ${plural(metas.length, 'file')}`, cost: null, lacks: [], fixes: [], short: null,
  };
}

/** Transformer inference leaves attention kernels (or collectives, at TP > 1, or graph replays hiding both); work with none is not what nsys-tp diagnoses. */
function tpWork(a: Capture): boolean {
  const att = CLASS_INDEX.attention;
  const cls = a.classes.opClass;
  for (let i = 0; i < cls.length; i++) if (cls[i] === att) return true;
  // Graphs traced at graph level hide whatever runs in them: a gap to name, not a reason to give up.
  return a.collectives.n > 0 || hasGraphExecutions(a);
}

export const captureCheck = artifact(CAPTURE_DEPS, (a): CaptureCheck => {
  const rec = a.model.files[0]!.meta.recorded ?? null;
  const declared = declaredSizes(a);
  const ranks = ranksFacts(a, declared);
  const facts = [exportFact(a), ...ranks.facts, graphFact(a), ...streamFacts(a, rec), rangeFact(a, rec), stepsFact(a)];
  const gaps = facts.filter((f) => f.status === 'gap');
  const usable = tpWork(a);
  return {
    facts,
    verdict: !usable ? 'unusable' : gaps.length ? 'gaps' : 'complete',
    verdictReason: !usable
      ? 'not a TP inference capture nsys-tp can diagnose: no attention kernels, no collectives and no CUDA graphs (no transformer layers, no phases, no TP group)'
      : gaps.length ? `usable, with ${plural(gaps.length, 'gap')}: ${gaps.map((g) => g.short ?? g.title).join('; ')}` : 'complete: everything a TP diagnosis reads is in the capture',
    declaredRanks: declared[0]?.ranks ?? null,
    declared,
    foundRanks: ranks.found,
    missingRanks: ranks.missing,
  };
});
