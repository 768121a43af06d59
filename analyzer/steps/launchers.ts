/**
 * Who launched the GPU work: per process and thread, from each op's launching call. Engines run a process
 * per GPU beside a scheduler or API server that launches nothing; a report names both, so an idle GPU is
 * read against the process that should have launched (the one whose launches resume after the gap).
 */
import type { TraceModel } from '../model/types.js';
import type { Launcher, Step } from './types.js';

/** `described`: the steps the numbers describe; the GPU idle inside them goes to whoever launched next. */
export function launchers(model: TraceModel, described: Step[] = []): Launcher[] {
  const { ops } = model;
  const perProcess = new Map<number, number>();
  const perThread = new Map<number, number>();
  for (let i = 0; i < ops.n; i++) {
    const p = ops.process[i]!;
    if (p >= 0) perProcess.set(p, (perProcess.get(p) ?? 0) + 1);
    const t = ops.thread[i]!;
    if (t >= 0) perThread.set(t, (perThread.get(t) ?? 0) + 1);
  }
  const idleProcess = new Map<number, number>();
  const idleThread = new Map<number, number>();
  for (const s of described) {
    let busy = -Infinity;
    for (const o of s.ops) {
      const idle = ops.start[o]! - busy;
      if (Number.isFinite(idle) && idle > 0) {
        idleProcess.set(ops.process[o]!, (idleProcess.get(ops.process[o]!) ?? 0) + idle);
        const t = ops.thread[o]!;
        if (t >= 0) idleThread.set(t, (idleThread.get(t) ?? 0) + idle);
      }
      busy = Math.max(busy, ops.end[o]!);
    }
  }
  return [...perProcess.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([p, n]): Launcher => {
      const proc = model.processes[p]!;
      const threads = [...perThread.entries()]
        .filter(([t]) => model.threads[t]!.process === p)
        .sort((a, b) => b[1] - a[1])
        .map(([t, c]) => ({ thread: t, name: model.threads[t]!.name, ops: c, idleBeforeNs: idleThread.get(t) ?? 0 }));
      return { process: p, pid: proc.pid, name: proc.name, ops: n, idleBeforeNs: idleProcess.get(p) ?? 0, threads };
    });
}

/**
 * Processes the trace saw that launched no GPU work: they appear in the model through their NVTX ranges or
 * host calls (a scheduler, an API server, a tokenizer pool).
 */
export function processesWithoutGpuWork(model: TraceModel, found: Launcher[]): { process: number; pid: number; name: string }[] {
  const launching = new Set(found.map((l) => l.process));
  const seen = new Set<number>();
  for (let i = 0; i < model.nvtx.n; i++) seen.add(model.threads[model.nvtx.thread[i]!]?.process ?? -1);
  for (let i = 0; i < model.hostCalls.n; i++) seen.add(model.threads[model.hostCalls.thread[i]!]?.process ?? -1);
  return [...seen]
    .filter((p) => p >= 0 && !launching.has(p))
    .map((p) => ({ process: p, pid: model.processes[p]!.pid, name: model.processes[p]!.name }));
}
