/**
 * What differs in how the two traces were made: the profiled command line's options, the environment
 * variables that steer NCCL, CUDA and the serving runtimes, TP, GPUs, runtime. Often the "why" of a change
 * is right there (`--graph` added, NCCL_P2P_DISABLE=1 set).
 */
import type { Analysis } from '../analysis.js';
import { tpDegree } from '../roofline/achievement.js';
import { detectRuntime } from '../runtime/detectRuntime.js';

/** Variables that change how inference runs; paths, hosts and the rest of the environment are left out. */
const RELEVANT_ENV = /^(NCCL|CUDA|CUBLAS|CUBLASLT|CUDNN|TORCH|PYTORCH|VLLM|SGLANG|SGL|TRTLLM|TLLM|NVSHMEM|UCX|MSCCL|NVTE|OMP|TORCHINDUCTOR)_/;
const PATH_LIKE = /(_HOME|_PATH|_DIR|_ROOT|CXX|_CC)$/;

export interface ValueChange {
  name: string;
  base: string | null;
  new: string | null;
}

export interface SetupDiff {
  tp: { base: number; new: number };
  gpus: { base: string; new: string };
  runtime: { base: string; new: string };
  /** Command-line options (an option with its value is one item) only in one of the two. */
  commandLine: { removed: string[]; added: string[] } | null;
  environment: ValueChange[];
}

/** `torchrun --nproc_per_node=4 x.py --batch 8 --graph` → ['torchrun', '--nproc_per_node=4', 'x.py', '--batch 8', '--graph']. */
export function commandOptions(command: string): string[] {
  const words = command.trim().split(/\s+/).filter(Boolean);
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const v = words[i + 1];
    if (/^--?[A-Za-z]/.test(w) && !w.includes('=') && v !== undefined && !/^-/.test(v)) {
      out.push(`${w} ${v}`);
      i++;
    } else out.push(w);
  }
  return out;
}

function gpuText(a: Analysis): string {
  const names = new Map<string, number>();
  for (const d of a.model.devices) {
    const n = d.gpu?.name ?? 'unknown GPU';
    names.set(n, (names.get(n) ?? 0) + 1);
  }
  return [...names].map(([n, c]) => `${c} × ${n}`).join(', ');
}

function environment(a: Analysis): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of a.model.files) {
    for (const [k, v] of f.meta.environment) if (RELEVANT_ENV.test(k) && !PATH_LIKE.test(k) && !out.has(k)) out.set(k, v);
  }
  return out;
}

export function setupDiff(base: Analysis, next: Analysis): SetupDiff {
  const cmd = (a: Analysis) => a.model.files[0]!.meta.command;
  let commandLine: SetupDiff['commandLine'] = null;
  const cb = cmd(base);
  const cn = cmd(next);
  if (cb && cn) {
    const ob = commandOptions(cb);
    const on = commandOptions(cn);
    commandLine = { removed: ob.filter((x) => !on.includes(x)), added: on.filter((x) => !ob.includes(x)) };
  }
  const eb = environment(base);
  const en = environment(next);
  const names = [...new Set([...eb.keys(), ...en.keys()])].sort();
  return {
    tp: { base: tpDegree(base), new: tpDegree(next) },
    gpus: { base: gpuText(base), new: gpuText(next) },
    runtime: { base: detectRuntime(base.model).name, new: detectRuntime(next.model).name },
    commandLine,
    environment: names.filter((k) => eb.get(k) !== en.get(k)).map((k) => ({ name: k, base: eb.get(k) ?? null, new: en.get(k) ?? null })),
  };
}
