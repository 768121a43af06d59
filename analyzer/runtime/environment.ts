/**
 * Settings the trace recorded: the profiled processes' environment variables that steer NCCL, CUDA and
 * the serving runtimes. They are evidence on their own (a forced NCCL_ALGO, NCCL_P2P_DISABLE=1), with or
 * without a model config, and every finding and comparison reads them from here.
 */
import { artifact } from '../artifact.js';
import type { Reads } from '../data.js';

/** Variables that change how inference runs; paths, hosts and the rest of the environment are left out. */
const RELEVANT = /^(NCCL|CUDA|CUBLAS|CUBLASLT|CUDNN|TORCH|PYTORCH|VLLM|SGLANG|SGL|TRTLLM|TLLM|NVSHMEM|UCX|MSCCL|NVTE|OMP|TORCHINDUCTOR)_/;
const PATH_LIKE = /(_HOME|_PATH|_DIR|_ROOT|CXX|_CC)$/;

/**
 * NCCL settings that steer traffic off NVLink peer-to-peer (NCCL environment variable docs), with the
 * values that do so: NCCL_P2P_DISABLE=1, any NCCL_P2P_LEVEL (it caps the peer-to-peer distance),
 * NCCL_SHM_DISABLE=1 together with P2P off. A forced NCCL_ALGO / NCCL_PROTO is not one of them: Tree or
 * the LL protocol still move data over NVLink, only with another schedule (nccl-algorithm-override's
 * finding, not a fabric problem).
 */
const OFF_NVLINK: Record<string, (v: string) => boolean> = {
  NCCL_P2P_DISABLE: (v) => v !== '0',
  NCCL_P2P_LEVEL: () => true,
  NCCL_SHM_DISABLE: (v) => v !== '0',
};

/** Settings that override NCCL's own choice of algorithm and protocol. */
export const ALGORITHM_SETTINGS = ['NCCL_ALGO', 'NCCL_PROTO'] as const;

/** The relevant variables of every file of the trace (the first file that records one wins), by name. */
export const recordedSettings = artifact(['model'], (a): Map<string, string> => {
  const out = new Map<string, string>();
  for (const f of a.model.files) {
    for (const [k, v] of f.meta.environment) if (RELEVANT.test(k) && !PATH_LIKE.test(k) && !out.has(k)) out.set(k, v);
  }
  return out;
});

/** The recorded values of `names`, in that order, as an object for evidence. */
export function settingsOf(a: Reads<'settings'>, names: readonly string[]): Record<string, string> {
  const all = a.settings;
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = all.get(n);
    if (v !== undefined) out[n] = v;
  }
  return out;
}

/** The recorded settings that keep NCCL off NVLink peer-to-peer, at values that do. */
export const offNvlinkSettings = artifact(['settings'], (a): Record<string, string> =>
  Object.fromEntries(Object.entries(settingsOf(a, Object.keys(OFF_NVLINK))).filter(([k, v]) => OFF_NVLINK[k]!(v))));

/** The recorded settings that override NCCL's own choice of algorithm and protocol. */
export const algorithmSettings = artifact(['settings'], (a): Record<string, string> => settingsOf(a, ALGORITHM_SETTINGS));

/** A setting as a message lists it. */
export interface Setting {
  name: string;
  value: string;
}

/** Settings in their recorded order, as a list. */
export function settingList(settings: Record<string, string>): Setting[] {
  return Object.entries(settings).map(([name, value]) => ({ name, value }));
}

/** `NCCL_P2P_DISABLE=1, NCCL_ALGO=Tree` */
export function settingsText(settings: Record<string, string>): string {
  return Object.entries(settings).map(([k, v]) => `${k}=${v}`).join(', ');
}
