/**
 * One trace (or one per-rank set) loaded, analysed and judged with the options every analysing command
 * shares. Commands that take several traces (compare, scaling) diagnose each on its own.
 */
import { basename } from 'node:path';
import type { StepSource } from '../analyzer/steps/types.js';
import type { Workload } from '../analyzer/collectives/messageSize.js';
import type { GpuSpec } from '../analyzer/hardware/gpuSpecs.js';
import { termSafe } from '../analyzer/report/format.js';
import { diagnoseModel, loadTraces, type Analysis, type DiagnoseResult } from '../index.js';
import { loadConfig } from './config.js';
import { resolveInputs } from './inputs.js';
import { progressBar, statusLine } from './progress.js';
import { mergeRuleOptions } from './ruleOptions.js';

export interface Diagnosis {
  analysis: Analysis;
  result: DiagnoseResult;
}

export interface DiagnosisOptions {
  steps?: RegExp;
  stepSource?: string;
  from?: number;
  to?: number;
  gapMs?: number;
  config?: string;
  rule?: Record<string, Record<string, number | string | boolean>>;
}

/** Loads the traces with a progress bar on stderr (drawn only on a terminal, and only for a slow load). */
export async function loadWithProgress(paths: string[], shown: string[]) {
  const bar = progressBar(process.stderr, `reading ${shown.length === 1 ? termSafe(basename(shown[0]!)) : `${shown.length} files`}`);
  try {
    return await loadTraces(paths, { onProgress: (p) => bar.update(p) });
  } finally {
    bar.done();
  }
}

export async function diagnoseFiles(traces: string[], opts: DiagnosisOptions, workload: Workload | undefined, gpu: GpuSpec | undefined): Promise<Diagnosis> {
  const config = loadConfig(opts.config);
  const inputs = await resolveInputs(traces, { progress: statusLine(process.stderr) });
  try {
    for (const n of inputs.notes) process.stderr.write(`nsys-tp: ${termSafe(n)}\n`);
    const { analysis, result } = diagnoseModel(await loadWithProgress(inputs.paths, traces), {
      classRows: config.kernelClasses,
      steps: {
        steps: opts.steps, source: opts.stepSource as StepSource | undefined, from: opts.from, to: opts.to,
        gapNs: opts.gapMs ? opts.gapMs * 1e6 : undefined,
      },
      rules: { options: mergeRuleOptions(config.rules, opts.rule), disabled: config.disabledRules },
      workload,
      gpu,
    });
    result.trace.paths = traces;
    result.trace.path = traces[0]!;
    return { analysis, result };
  } finally {
    inputs.cleanup();
  }
}
