/**
 * The expert reading of every real trace, written down: which findings must fire (rule, severity, phase,
 * and where it names ranks, which), and which rules must not, with why. test/rules.traces.test.ts checks
 * each row; the set of findings is exact, so a finding that is not listed fails the row.
 *
 * Adding a trace is adding a row: `trace` names it ('tp4' is ../shared/traces/tp4.sqlite.xz,
 * 'external/saxpy-mpi-cuda-nsys-old' likewise, 'repo:hf-eager-range' is test/traces, 'sample:tp4straggle'
 * is samples/), `args` are diagnose's options, `fire` what must fire and `forbid` what an expert would
 * reject (each with its reason; already excluded by exactness, listed so the reason is on record).
 */
import type { Severity } from '../../analyzer/severity.js';

export interface ExpectedFinding {
  rule: string;
  severity: Severity;
  /** evidence.phase; omit for findings about no phase (a setting, the tracing mode). */
  phase?: string;
  /** The ranks (device ids) the finding names as late, in order: straggler-rank's deviceIds, collective-wait's lateDeviceIds. */
  ranks?: number[];
}

export interface TraceRow {
  trace: string;
  args?: string[];
  why: string;
  fire: ExpectedFinding[];
  forbid?: Record<string, string>;
  /** Findings that must be kept as superseded, with the rule that supersedes them. */
  superseded?: { rule: string; phase: string; by: string }[];
}

const MODELS = '../shared/models';
/** The shared traces' model (8 layers of Llama 3 70B), batch 8, prompt 512: message sizes and the roofline. */
export const W8 = ['--model', `${MODELS}/llama-70b-8layers.config.json`, '--batch', '8', '--prompt', '512'];

const w = (rule: string, phase?: string, ranks?: number[]): ExpectedFinding => ({ rule, severity: 'warning', ...(phase ? { phase } : {}), ...(ranks ? { ranks } : {}) });
const info = (rule: string, phase?: string): ExpectedFinding => ({ rule, severity: 'info', ...(phase ? { phase } : {}) });
const err = (rule: string, phase?: string): ExpectedFinding => ({ rule, severity: 'error', ...(phase ? { phase } : {}) });

/** Eager decode rebuilds cuDNN attention plans on the host every step: the early ranks wait in NCCL for the late one. */
const eagerDecode = (late: number[]) => [w('host-bound-gaps', 'decode'), w('straggler-rank', 'decode', late), w('collective-wait', 'decode', late.length === 1 ? late : undefined)];
const NO_TP = {
  'collective-wait': 'no collectives across GPUs',
  'straggler-rank': 'no collectives across GPUs',
  'low-bus-bandwidth': 'no collectives across GPUs',
};

export const TRACE_ROWS: TraceRow[] = [
  { trace: 'tp1', args: W8, why: 'TP=1 eager: host-bound decode, no collectives', fire: [w('host-bound-gaps', 'decode')], forbid: NO_TP },
  { trace: 'tp1graph', args: W8, why: 'TP=1 CUDA-graph decode: clean', fire: [] },
  { trace: 'tp2', args: W8, why: 'TP=2 eager: GPU 1 late (host work)', fire: eagerDecode([1]) },
  { trace: 'tp2graph', args: W8, why: 'TP=2 graphs: decode all-reduces 4% of the step, below the latency bar', fire: [] },
  { trace: 'tp2graph-blobs', args: W8, why: 'sizes from NCCL payloads: 64 MiB prefill at healthy busBW', fire: [], forbid: { 'low-bus-bandwidth': 'measured busBW is healthy' } },
  {
    trace: 'tp4', args: W8, why: 'TP=4 eager: two ranks late by turns; 64 MiB prefill all-reduces ~19% of prefill, no overlap',
    fire: [...eagerDecode([0, 1]), w('comm-serialized', 'prefill')],
  },
  { trace: 'tp4graph', args: W8, why: 'graph decode at the all-reduce latency floor', fire: [w('comm-serialized', 'prefill'), w('latency-bound-collectives', 'decode')] },
  { trace: 'tp4graphg', args: W8, why: 'graph-level tracing hides the kernels', fire: [w('comm-serialized', 'prefill'), w('graph-kernels-hidden')] },
  {
    trace: 'tp4nop2p', args: W8, why: 'NCCL_P2P_DISABLE=1: prefill all-reduces at 8% of NVLink busBW, measured (sizes from the model)',
    fire: [err('low-bus-bandwidth', 'prefill'), ...eagerDecode([1])],
    superseded: [{ rule: 'comm-dominant-step', phase: 'prefill', by: 'low-bus-bandwidth' }, { rule: 'comm-serialized', phase: 'prefill', by: 'low-bus-bandwidth' }],
    forbid: { 'comm-serialized': 'superseded by the measured slow fabric, kept in superseded', 'comm-dominant-step': 'superseded by the measured slow fabric' },
  },
  {
    trace: 'tp4nop2p', why: 'without sizes: the slow fabric is a guess (info); prefill transfer 75% of the step with no overlap is measured, so those fire and cite the setting',
    fire: [info('low-bus-bandwidth', 'prefill'), w('comm-dominant-step', 'prefill'), w('comm-serialized', 'prefill'), ...eagerDecode([1])],
  },
  {
    trace: 'tp4overlap', args: W8, why: 'micro-batches overlap prefill comm (no comm-serialized) but read every weight twice in decode',
    fire: [...eagerDecode([3, 0]), w('low-hbm-bandwidth')], forbid: { 'comm-serialized': 'prefill comm overlaps compute' },
  },
  {
    trace: 'tp4serial', args: W8, why: 'a sync after every all-reduce: 16 per step, 1.2% (decode) and 2.4% (prefill) of the step idle after them',
    fire: [...eagerDecode([1]), w('comm-serialized', 'prefill'), w('sync-in-step', 'prefill'), w('sync-in-step', 'decode')],
  },
  { trace: 'tp4sp', args: W8, why: 'sequence parallel: reduce-scatter + all-gather', fire: [...eagerDecode([3]), w('comm-serialized', 'prefill'), info('sequence-parallel')] },
  {
    trace: 'tp4tree', args: W8, why: 'NCCL_ALGO=Tree: the override is the finding; Tree stays on NVLink (184 of 312 GB/s measured)',
    fire: [...eagerDecode([3]), w('comm-serialized', 'prefill'), w('nccl-algorithm-override')],
    forbid: { 'low-bus-bandwidth': 'Tree does not leave NVLink: busBW is 59% of expected' },
  },
  {
    trace: 'tp4tree', why: 'without sizes: the same findings as with them (no guess about the fabric from NCCL_ALGO)',
    fire: [...eagerDecode([3]), w('comm-serialized', 'prefill'), w('nccl-algorithm-override')],
    forbid: { 'low-bus-bandwidth': 'NCCL_ALGO is not an off-NVLink setting; nothing measured' },
  },
  {
    trace: 'tp4big', args: ['--model', `${MODELS}/llama-70b.config.json`, '--batch', '32', '--prompt', '128'], why: 'the 80-layer model, batch 32',
    fire: [...eagerDecode([3]), w('comm-serialized', 'prefill')],
  },
  { trace: 'external/cloverleaf-cuda-nsys2024.5', why: 'an HPC code that synchronizes every step (17% of it)', fire: [w('sync-in-step', 'step')], forbid: NO_TP },
  {
    trace: 'external/saxpy-mpi-cuda-nsys-old', why: 'copy in, one tiny kernel, copy out: the copies are the work; its one sync costs 0.1% of the step (info)',
    fire: [w('copy-bound', 'step'), w('copy-bound', 'step'), info('sync-in-step', 'step')], forbid: NO_TP,
  },
  { trace: 'external/nsys-ai-h100_2gpu_1s', why: '95% of the step is host-to-device copies', fire: [w('copy-bound', 'step')], forbid: NO_TP },
  { trace: 'external/nsys-ai-mfu_2gpu_before', why: 'a sync at 0.3% of the step: info', fire: [info('sync-in-step', 'decode')], forbid: NO_TP },
  { trace: 'external/nsys-ai-mfu_2gpu_after', why: 'a sync at 0.7% of the step: info', fire: [info('sync-in-step', 'decode')], forbid: NO_TP },
  {
    trace: 'repo:hf-eager-range', why: 'HF eager generate(): host-bound decode, stream syncs 2.2% (decode) and 1.2% (prefill) of the step',
    fire: [w('host-bound-gaps', 'decode'), w('sync-in-step', 'decode'), w('sync-in-step', 'prefill')], forbid: NO_TP,
  },
  { trace: 'repo:hf-eager-whole', why: 'the same, whole process', fire: [w('host-bound-gaps', 'decode'), w('sync-in-step', 'decode'), w('sync-in-step', 'prefill')], forbid: NO_TP },
  {
    trace: 'repo:hf-eager-whole', args: ['--from', '0'], why: 'both generate() calls described: the first one\'s decode steps are a slower regime (cuDNN plans built per KV length), not outliers',
    fire: [w('slow-regime', 'decode'), w('host-bound-gaps', 'decode'), w('host-bound-gaps', 'prefill'), w('sync-in-step', 'decode'), info('sync-in-step', 'prefill')],
    forbid: NO_TP,
  },
  { trace: 'repo:hf-compile-range', why: 'Inductor kernels, no graphs: still host-bound', fire: [w('host-bound-gaps', 'decode'), w('sync-in-step', 'decode'), w('sync-in-step', 'prefill')] },
  { trace: 'repo:hf-static-node', why: 'graph decode, node-level tracing', fire: [w('host-bound-gaps', 'decode'), w('sync-in-step', 'decode'), w('sync-in-step', 'prefill')] },
  {
    trace: 'repo:hf-static-whole', why: 'graph decode traced at graph level', fire: [w('host-bound-gaps', 'decode'), w('sync-in-step', 'decode'), w('sync-in-step', 'prefill'), w('graph-kernels-hidden')],
  },
  {
    trace: 'repo:hf-cb-range', why: 'continuous batching: host-bound, syncs under 1% of the step (info)',
    fire: [w('host-bound-gaps', 'decode'), w('host-bound-gaps', 'prefill'), info('sync-in-step', 'prefill'), info('sync-in-step', 'decode')],
  },
  { trace: 'repo:hf-cbgraph-node', why: 'continuous batching with graphs', fire: [w('sync-in-step', 'decode'), w('sync-in-step', 'prefill')] },
  {
    trace: 'repo:hf-mp-whole', why: 'a scheduler process paces the GPU worker: host-bound decode, and 39% of the loop the GPU waits between steps (the worker reads its queue)',
    fire: [w('idle-between-steps', 'decode'), w('host-bound-gaps', 'decode')],
  },
  // The zoo (test/traces, truth beside each capture): MoE, FP8, speculative decoding, an engine loop, training.
  { trace: 'repo:moe-qwen3-grouped', why: 'HF Qwen3-MoE (grouped_mm), eager generate: host-bound, routing syncs (histc/cumsum offsets)', fire: [w('host-bound-gaps', 'decode'), w('host-bound-gaps', 'prefill'), w('sync-in-step', 'prefill'), w('sync-in-step', 'decode')], forbid: NO_TP },
  { trace: 'repo:moe-qwen3-whole', why: 'the same, whole process, two generate() calls: the second is measured', fire: [w('host-bound-gaps', 'decode'), w('host-bound-gaps', 'prefill'), w('sync-in-step', 'prefill'), w('sync-in-step', 'decode')], forbid: NO_TP },
  {
    trace: 'repo:moe-qwen3-eager', why: 'the eager expert loop: nonzero syncs the host for every expert, the GPU waits on it; the token indices come back to the host inside the step',
    fire: [w('host-bound-gaps', 'decode'), w('host-bound-gaps', 'prefill'), w('sync-in-step', 'prefill'), w('sync-in-step', 'decode'), info('copy-bound', 'prefill'), info('copy-bound', 'decode')],
    forbid: NO_TP,
  },
  { trace: 'repo:moe-mixtral-grouped', why: 'HF Mixtral: decode gathers the experts\' weights per token (dispatch/combine 54% of the step), GPU-bound, few syncs', fire: [w('sync-in-step', 'prefill'), info('sync-in-step', 'decode')], forbid: NO_TP },
  { trace: 'repo:moe-mixtral-eager', why: 'the eager expert loop on Mixtral: host-bound, per-expert syncs', fire: [w('host-bound-gaps', 'decode'), w('host-bound-gaps', 'prefill'), w('sync-in-step', 'decode'), w('sync-in-step', 'prefill'), info('copy-bound', 'decode')], forbid: NO_TP },
  { trace: 'repo:autotune-range', why: 'torch.compile max-autotune decode (Triton GEMM templates), the prompt eager: a 1.6 ms forward beside 0.9 ms of generate() work, host-bound', fire: [w('host-bound-gaps', 'decode'), w('host-bound-gaps', 'prefill'), w('sync-in-step', 'prefill'), w('sync-in-step', 'decode')], forbid: NO_TP },
  { trace: 'repo:fp8-range', why: 'dynamic per-tensor FP8 linears (torch._scaled_mm), eager: host-bound decode', fire: [w('host-bound-gaps', 'decode'), w('sync-in-step', 'decode'), info('sync-in-step', 'prefill')], forbid: NO_TP },
  {
    trace: 'repo:engine-node', why: 'an engine loop: request 3 decodes 8 tokens past any KV length seen (cuDNN plans built: a slower regime), and the worker waits on its scheduler 40% of the loop',
    fire: [w('slow-regime', 'decode'), w('idle-between-steps', 'decode'), w('sync-in-step', 'decode'), info('sync-in-step', 'prefill')],
    forbid: NO_TP,
  },
  {
    trace: 'repo:engine-graph', why: 'the same loop, piecewise graphs traced at graph level: the same findings as engine-node, and the replays hide their kernels',
    fire: [w('slow-regime', 'decode'), w('idle-between-steps', 'decode'), w('sync-in-step', 'decode'), w('graph-kernels-hidden'), info('sync-in-step', 'prefill')],
    forbid: NO_TP,
  },
  { trace: 'repo:spec-range', why: 'assisted generation, batch 1: host-bound draft and target forwards, the prompt round too', fire: [w('host-bound-gaps', 'prefill'), w('host-bound-gaps', 'decode'), w('sync-in-step', 'decode'), w('sync-in-step', 'prefill')], forbid: NO_TP },
  { trace: 'repo:train-whole', why: 'a training loop (fused AdamW): steps, not decode; GPU-bound, nothing to say', fire: [], forbid: NO_TP },
  {
    trace: 'sample:tp4straggle', args: W8, why: 'GPU 3 does 4 extra matmuls per layer: named in both phases, by every rule that names a late rank',
    fire: [
      w('host-bound-gaps', 'decode'), w('straggler-rank', 'decode', [3]), w('collective-wait', 'decode', [3]),
      w('straggler-rank', 'prefill', [3]), w('collective-wait', 'prefill', [3]), w('comm-serialized', 'prefill'),
    ],
  },
  {
    trace: 'sample:tp4straggle', args: [...W8, '--rule', 'straggler-rank.shareOverFair=3.9', '--rule', 'straggler-rank.maxShareBar=0.95'],
    why: 'with the arrival bar (95%) above GPU 3\'s 91% of decode arrivals, its 7.8× compute still names it in decode',
    fire: [
      w('host-bound-gaps', 'decode'), w('straggler-rank', 'decode', [3]), w('collective-wait', 'decode', [3]),
      w('collective-wait', 'prefill', [3]), w('comm-serialized', 'prefill'),
    ],
  },
];
