/**
 * Tiny hand-made exports for unit tests of the rules (ESLint's RuleTester, on nsys SQLite): a copy of a
 * real sample with its activity emptied, refilled with a few steps described in microseconds. The
 * schema, metadata and GPU rows stay the real export's, so the readers see an export like any other.
 *
 * Each GPU g is one process (globalPid (100+g)·2^24) with one launching thread; every op is launched from
 * it `launchLeadUs` before it starts (later when the host is slow: `launchUs`), each step is an NVTX range
 * around its launches, and each op gets its own correlation id.
 */
import Database from 'better-sqlite3';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { samplePath } from './traces.js';

export interface TinyOp {
  gpu: number;
  name: string;
  startUs: number;
  durUs: number;
  stream?: number;
  /** When the host launched it (default: 5 µs before it starts). */
  launchUs?: number;
}

export interface TinyRange {
  gpu: number;
  name: string;
  startUs: number;
  endUs: number;
}

/** A host call on a GPU's thread (a synchronization, a long API call). */
export interface TinyCall {
  gpu: number;
  name: string;
  startUs: number;
  endUs: number;
}

export interface TinyTrace {
  ops: TinyOp[];
  ranges: TinyRange[];
  calls?: TinyCall[];
  /** Recorded environment variables (META_DATA_CAPTURE), e.g. { NCCL_ALGO: 'Tree' }. */
  env?: Record<string, string>;
}

const US = 1000;
const pid = (g: number) => (100 + g) * 2 ** 24;
const tid = (g: number) => pid(g) + 100 + g;

/** Writes the trace into `dir` and returns its path. */
export function writeTinyTrace(dir: string, t: TinyTrace, name = 'tiny.sqlite'): string {
  const path = join(dir, name);
  copyFileSync(samplePath('tp4graph-decode.sqlite'), path);
  const db = new Database(path);
  const tables = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
  for (const table of ['CUPTI_ACTIVITY_KIND_KERNEL', 'CUPTI_ACTIVITY_KIND_MEMCPY', 'CUPTI_ACTIVITY_KIND_MEMSET', 'CUPTI_ACTIVITY_KIND_RUNTIME', 'NVTX_EVENTS', 'OSRT_API', 'CUDA_GRAPH_NODE_EVENTS']) {
    if (tables.has(table)) db.prepare(`DELETE FROM ${table}`).run();
  }
  if (tables.has('META_DATA_CAPTURE')) db.prepare("DELETE FROM META_DATA_CAPTURE WHERE name LIKE '%ENVIRONMENT_VARIABLE' OR name LIKE 'PROCESS_%'").run();
  let nextString = (db.prepare('SELECT coalesce(max(id), 0) + 1 FROM StringIds').pluck().get() as number);
  const strings = new Map<string, number>();
  const sid = (s: string) => {
    let id = strings.get(s) ?? (db.prepare('SELECT id FROM StringIds WHERE value = ?').pluck().get(s) as number | undefined);
    if (id === undefined) {
      id = nextString++;
      db.prepare('INSERT INTO StringIds (id, value) VALUES (?, ?)').run(id, s);
    }
    strings.set(s, id);
    return id;
  };
  const kernel = db.prepare(`INSERT INTO CUPTI_ACTIVITY_KIND_KERNEL (start, end, deviceId, contextId, streamId, correlationId, globalPid, demangledName, shortName,
    registersPerThread, gridX, gridY, gridZ, blockX, blockY, blockZ, staticSharedMemory, dynamicSharedMemory, localMemoryPerThread, localMemoryTotal, gridId)
    VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, 32, 1, 1, 1, 128, 1, 1, 0, 0, 0, 0, ?)`);
  const runtime = db.prepare('INSERT INTO CUPTI_ACTIVITY_KIND_RUNTIME (start, end, eventClass, globalTid, correlationId, nameId, returnValue) VALUES (?, ?, 1, ?, ?, ?, 0)');
  const nvtx = db.prepare('INSERT INTO NVTX_EVENTS (start, end, eventType, text, globalTid, domainId) VALUES (?, ?, 59, ?, ?, 0)');
  db.transaction(() => {
    let corr = 1;
    t.ops.forEach((o, k) => {
      const c = corr++;
      const start = Math.round(o.startUs * US);
      const launch = Math.round((o.launchUs ?? o.startUs - 5) * US);
      kernel.run(start, start + Math.round(o.durUs * US), o.gpu, o.stream ?? 7, c, pid(o.gpu), sid(o.name), sid(o.name), k);
      runtime.run(launch, launch + 2 * US, tid(o.gpu), c, sid('cudaLaunchKernel_v7000'));
    });
    for (const r of t.ranges) nvtx.run(Math.round(r.startUs * US), Math.round(r.endUs * US), r.name, tid(r.gpu));
    for (const h of t.calls ?? []) runtime.run(Math.round(h.startUs * US), Math.round(h.endUs * US), tid(h.gpu), corr++, sid(h.name));
    const env = Object.entries(t.env ?? {});
    if (env.length && tables.has('META_DATA_CAPTURE')) {
      const put = db.prepare('INSERT INTO META_DATA_CAPTURE (name, value) VALUES (?, ?)');
      env.forEach(([k, v], i) => put.run(`PROCESS_${i}:ENVIRONMENT_VARIABLE`, `${k}=${v}`));
    }
  })();
  db.close();
  return path;
}

export const NAMES = {
  gemm: 'nvjet_sm90_tst_256x128_64x4_1x2_h_bz_coopA_NNT',
  attention: 'cudnn_generated_fort_native_sdpa_sm90_flash_fprop_wgmma_f16_knob_3_64x64x128_4x1x1_kernel0_0',
  norm: 'triton_red_fused__to_copy_add_mean_mul_pow_rsqrt_0',
  allReduce: 'ncclDevKernel_AllReduce_Sum_bf16_RING_LL',
  allReduceTree: 'ncclDevKernel_AllReduce_Sum_bf16_TREE_LL',
  reduceScatter: 'ncclDevKernel_ReduceScatter_Sum_bf16_RING_LL',
  allGather: 'ncclDevKernel_AllGather_RING_LL',
} as const;

export interface StepShape {
  /** GPUs (TP ranks). */
  gpus: number;
  steps: number;
  /** Step name for step k (default `decode k`). */
  name?: (k: number) => string;
  /** Work of one layer on every GPU, in order: [kernel name, µs]; an all-reduce name marks a collective. */
  layer: [string, number][];
  layers: number;
  /** Extra start delay (µs) of GPU g before each collective: a late rank. */
  lateBy?: (gpu: number, step: number) => number;
  /** Gap (µs) between steps, and the host's lead over the GPU (µs; negative: launched late, the GPU waits). */
  gapUs?: number;
  /** Extra idle (µs) before each op on GPU g, its launch that late: a host-bound GPU. */
  hostIdleUs?: (gpu: number) => number;
  /** Collectives on their own stream, overlapping the next op (a second micro-batch). */
  overlapComm?: boolean;
}

/**
 * Steps of a TP decoder: every GPU runs `layers` × `layer`; a collective waits for the last rank to reach
 * it (transfer = its listed time, the others wait), as NCCL does.
 */
export function tpSteps(s: StepShape): TinyTrace {
  const ops: TinyOp[] = [];
  const ranges: TinyRange[] = [];
  const clock = Array.from({ length: s.gpus }, () => 0);
  const gap = s.gapUs ?? 50;
  for (let k = 0; k < s.steps; k++) {
    const name = s.name ? s.name(k) : `decode ${k}`;
    const startAt = Math.max(...clock) + gap;
    for (let g = 0; g < s.gpus; g++) clock[g] = startAt;
    const stepStart = clock.slice();
    for (let l = 0; l < s.layers; l++) {
      for (const [kernel, us] of s.layer) {
        if (kernel.startsWith('nccl')) {
          const arrive = clock.map((c, g) => c + (s.lateBy?.(g, k) ?? 0));
          const last = Math.max(...arrive);
          for (let g = 0; g < s.gpus; g++) {
            const start = arrive[g]!;
            const end = last + us;
            ops.push({ gpu: g, name: kernel, startUs: start, durUs: end - start, stream: s.overlapComm ? 13 : 7, launchUs: start - 5 });
            clock[g] = s.overlapComm ? start : end;
          }
        } else {
          for (let g = 0; g < s.gpus; g++) {
            const idle = s.hostIdleUs?.(g) ?? 0;
            const start = clock[g]! + idle;
            ops.push({ gpu: g, name: kernel, startUs: start, durUs: us, launchUs: idle > 0 ? start - 1 : start - 5 });
            clock[g] = start + us;
          }
        }
      }
    }
    for (let g = 0; g < s.gpus; g++) ranges.push({ gpu: g, name, startUs: stepStart[g]! - 20, endUs: clock[g]! });
  }
  ops.sort((a, b) => a.startUs - b.startUs);
  return { ops, ranges };
}
