/**
 * The `nsys profile` / `nsys export` command lines that capture everything a TP diagnosis reads, per
 * runtime: vLLM and SGLang serve from worker processes (so nsys must follow fork-before-exec) and start
 * the CUDA profiler themselves; torchrun is profiled as the launcher (every rank in one report); a plain
 * Python program calls torch.cuda.profiler.start() / stop() itself. The README's "Recapturing" section
 * documents exactly these lines (test/doctor.test.ts checks it), with `<command>` where the workload goes.
 */
import type { Reads } from '../data.js';
import type { CaptureRuntime } from '../contract/reports.js';

export interface RecaptureRecipe {
  runtime: CaptureRuntime;
  /** How the runtime is named in the text (`vLLM`). */
  name: string;
  /** The environment variables to set before the command, if any (`VLLM_TORCH_CUDA_PROFILE=1`). */
  env: string | null;
  /** `nsys profile ...` with `<command>` where the workload's command line goes. */
  profile: string;
  export: string;
  /** How the capture range opens and closes with this runtime, and what else to know. */
  notes: string[];
}

const COMMON = '-t cuda,nvtx,osrt -s none --cpuctxsw=none --cuda-graph-trace=node';
const EXPORT = 'nsys export --type sqlite --include-blobs=true --output report.sqlite report.nsys-rep';

export const RECIPES: Record<CaptureRuntime, RecaptureRecipe> = {
  vllm: {
    runtime: 'vllm', name: 'vLLM', env: 'VLLM_TORCH_CUDA_PROFILE=1',
    profile: `nsys profile ${COMMON} --trace-fork-before-exec=true --capture-range=cudaProfilerApi --capture-range-end=repeat -o report <command>`,
    export: EXPORT,
    notes: [
      'the engine\'s workers are separate processes: --trace-fork-before-exec=true follows them, so every rank lands in the report',
      'VLLM_TORCH_CUDA_PROFILE=1 makes the workers call cudaProfilerStart/Stop when profiling starts and stops (vLLM 0.13 and later: --profiler-config \'{"profiler": "cuda"}\'); send a few requests with vllm bench serve --profile so the range holds whole steps',
    ],
  },
  sglang: {
    runtime: 'sglang', name: 'SGLang', env: null,
    profile: `nsys profile ${COMMON} --trace-fork-before-exec=true --delay 60 --duration 30 -o report <command>`,
    export: EXPORT,
    notes: [
      'the scheduler and TP workers are separate processes: --trace-fork-before-exec=true follows them',
      '--delay / --duration: start once the server has warmed up (CUDA graphs captured) and is serving load, e.g. python3 -m sglang.bench_serving',
    ],
  },
  torchrun: {
    runtime: 'torchrun', name: 'torchrun', env: null,
    profile: `nsys profile ${COMMON} --capture-range=cudaProfilerApi --capture-range-end=stop -o report <command>`,
    export: EXPORT,
    notes: [
      'profile the launcher: every rank lands in one report (or -o report_%q{RANK} for one report per rank, then pass every file)',
      'call torch.cuda.profiler.start() / stop() on every rank at step boundaries around a few steps',
    ],
  },
  python: {
    runtime: 'python', name: 'Python', env: null,
    profile: `nsys profile ${COMMON} --capture-range=cudaProfilerApi --capture-range-end=stop -o report <command>`,
    export: EXPORT,
    notes: ['call torch.cuda.profiler.start() / stop() at step boundaries around a few steps; name steps with NVTX ranges (prefill, decode N) where you can'],
  },
};

/** The recipe for the runtime the trace shows. */
export function recipeFor(a: Reads<'runtime' | 'model'>): RecaptureRecipe {
  const r = a.runtime;
  if (r.id === 'vllm') return RECIPES.vllm;
  if (r.id === 'sglang') return RECIPES.sglang;
  const cmd = a.model.files.map((f) => f.meta.command ?? '').find(Boolean) ?? '';
  if (/(^|\/)torchrun\b|torch\.distributed\.(run|launch)/.test(cmd)) return RECIPES.torchrun;
  return RECIPES.python;
}

/** A recipe's profile line with the trace's own command line in place of `<command>` (the recorded one, when there is one). */
export function filled(recipe: RecaptureRecipe, command: string | null): string {
  const line = command ? recipe.profile.replace('<command>', command) : recipe.profile;
  return recipe.env ? `${recipe.env} ${line}` : line;
}
