/**
 * What differs in how the two traces were made: the profiled command line's options, the environment
 * variables that steer NCCL, CUDA and the serving runtimes, TP, GPUs, runtime. Often the "why" of a change
 * is right there (`--graph` added, NCCL_P2P_DISABLE=1 set).
 */
import { commandOptions } from '../../runtime/commandLine.js';
import { gpuText } from '../../summary/traceSummary.js';
import type { TraceSummary } from '../../contract/summary.js';
import type { SetupDiff } from '../../contract/comparison.js';

export function setupDiff(base: TraceSummary, next: TraceSummary): SetupDiff {
  let commandLine: SetupDiff['commandLine'] = null;
  const cb = base.commandLine;
  const cn = next.commandLine;
  if (cb && cn) {
    const ob = commandOptions(cb);
    const on = commandOptions(cn);
    commandLine = { removed: ob.filter((x) => !on.includes(x)), added: on.filter((x) => !ob.includes(x)) };
  }
  const eb = new Map(Object.entries(base.settings));
  const en = new Map(Object.entries(next.settings));
  const names = [...new Set([...eb.keys(), ...en.keys()])].sort();
  return {
    tp: { base: base.tp, new: next.tp },
    gpus: { base: gpuText(base), new: gpuText(next) },
    runtime: { base: base.runtime, new: next.runtime },
    commandLine,
    environment: names.filter((k) => eb.get(k) !== en.get(k)).map((k) => ({ name: k, base: eb.get(k) ?? null, new: en.get(k) ?? null })),
  };
}
