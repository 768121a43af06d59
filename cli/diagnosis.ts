/**
 * What every analysing command shares on the command line: its flags turned into the runner's config
 * (config file, model, GPU, step selection, rule options), and the traces turned into readable exports
 * (a .nsys-rep exported first) read with a progress bar on stderr.
 */
import { basename } from 'node:path';
import { loadTraces, type AnalyseConfig, type RunHooks, type Workload } from '../index.js';
import type { StepSource } from '../analyzer/contract/vocabulary.js';
import type { GpuSpec } from '../analyzer/hardware/gpuSpecs.js';
import { termSafe } from '../analyzer/report/format.js';
import type { RuleOptionOverrides } from '../rules/options.js';
import { loadConfig } from './config.js';
import { resolveInputs } from './inputs.js';
import { progressBar, statusLine } from './progress.js';
import { mergeRuleOptions } from './ruleOptions.js';
import { gpuFrom, workloadFrom } from './workload.js';

export interface AnalysisFlags {
  steps?: RegExp;
  stepSource?: string;
  from?: number;
  to?: number;
  gapMs?: number;
  config?: string;
  rule?: RuleOptionOverrides;
  model?: string;
  batch?: number;
  prompt?: number;
  dtype?: string;
  gpu?: string;
}

/** The runner's config from the flags; `workload` and `gpu` when the command reads them another way. */
export function analyseConfig(opts: AnalysisFlags, over: { workload?: Workload | undefined; gpu?: GpuSpec | undefined } = {}): AnalyseConfig {
  // In this order, so the first bad flag is the one reported: model, GPU, then the config file.
  const workload = 'workload' in over ? over.workload : workloadFrom(opts);
  const gpu = 'gpu' in over ? over.gpu : gpuFrom(opts.gpu);
  const config = loadConfig(opts.config);
  return {
    kernelClasses: config.kernelClasses,
    steps: {
      steps: opts.steps, source: opts.stepSource as StepSource | undefined, from: opts.from, to: opts.to,
      gapNs: opts.gapMs ? opts.gapMs * 1e6 : undefined,
    },
    rules: { options: mergeRuleOptions(config.rules, opts.rule), disabled: config.disabledRules },
    workload,
    gpu,
  };
}

/** Reads the traces with a progress bar on stderr (drawn only on a terminal, and only for a slow load). */
export async function loadWithProgress(paths: string[], shown: string[]) {
  const bar = progressBar(process.stderr, `reading ${shown.length === 1 ? termSafe(basename(shown[0]!)) : `${shown.length} files`}`);
  try {
    return await loadTraces(paths, { onProgress: (p) => bar.update(p) });
  } finally {
    bar.done();
  }
}

/**
 * Runs `fn` on the traces as readable exports (a .nsys-rep exported first, its notes on stderr after), with
 * hooks that read them with progress and name them as the user did; temporary exports are removed after.
 */
export async function withTraces<T>(traces: string[], fn: (paths: string[], hooks: RunHooks) => Promise<T>): Promise<T> {
  const inputs = await resolveInputs(traces, { progress: statusLine(process.stderr) });
  try {
    const value = await fn(inputs.paths, { names: traces, load: (paths) => loadWithProgress(paths, traces) });
    // Said once the command has its result: a refusal stays one line.
    for (const n of inputs.notes) process.stderr.write(`nsys-tp: ${termSafe(n)}\n`);
    return value;
  } finally {
    inputs.cleanup();
  }
}
