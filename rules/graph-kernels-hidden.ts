/**
 * graph-kernels-hidden: CUDA graphs traced at graph level (nsys' default, `--cuda-graph-trace=graph`) leave
 * one span per graph execution and none of the kernels inside, so the time they cover cannot be split
 * into GEMM, attention and communication, and layers cannot be found in it.
 */
import { OpKind } from '../analyzer/model/types.js';
import { opAt } from '../analyzer/timeline/locations.js';
import { text } from './messageFormat.js';
import { defineTraceRule } from './types.js';

interface Data {
  graphExecutions: number;
  gpus: number;
  /** Affected steps per GPU by phase, and the share of their time inside hidden graphs. */
  stepsPerGpu: { phase: string; steps: number; plural: boolean }[];
  share: number;
}

export const rule = defineTraceRule({
  meta: {
    id: 'graph-kernels-hidden',
    severity: 'warning',
    title: 'CUDA graph kernels not traced',
    description: 'Graph launches were traced at graph level: the kernels inside them are missing from the trace.',
    options: { minShare: { type: 'ratio', default: 0.01, description: 'share of the affected steps\' time inside hidden graphs from which the rule fires' } },
    deps: ['model', 'stepSet', 'steady'],
    messages: {
      hidden:
        '{graphExecutions} CUDA graph executions on {gpus} GPU(s) were traced at graph level: ' +
        '{stepsPerGpu, select, none {GPU time is spent} other {{stepsPerGpu, and, {steps} {phase, phaseStep}{plural, select, true {s} other {}}} per GPU spend {share * 100, fixed, 1}% of their time}} ' +
        'inside graphs whose kernels are not in the trace, so that time cannot be split into GEMM, attention and communication, and ' +
        'no layers can be found in it.',
      fix:
        'Profile again with `nsys profile --cuda-graph-trace=node ...` (the default is `graph`): every kernel ' +
        'inside a graph then appears in the kernel table with its graph node id, and the replays are split into ' +
        'classes and layers like eager steps. Node-level tracing costs more per kernel than graph-level, so ' +
        'keep the capture to a few steps (capture range or --duration).',
      longest: 'the longest graph execution ({ns, ns}), its kernels not traced',
    },
  },
  check(data, options) {
    const { model, stepSet: steps } = data;
    const { ops } = model;
    const graphNs = new Float64Array(model.devices.length);
    const executions = new Uint32Array(model.devices.length);
    let longest = -1;
    for (let i = 0; i < ops.n; i++) {
      if (ops.kind[i] !== OpKind.graph) continue;
      if (longest < 0 || ops.end[i]! - ops.start[i]! > ops.end[longest]! - ops.start[longest]!) longest = i;
      const d = ops.device[i]!;
      graphNs[d] = graphNs[d]! + ops.end[i]! - ops.start[i]!;
      executions[d] = executions[d]! + 1;
    }
    const total = executions.reduce((a, b) => a + b, 0);
    if (total === 0) return [];
    // Share of the affected steps' time spent inside hidden graphs, over the steps the numbers describe (the
    // steady ones): the same steps as the report's "other" row, which holds that time.
    let hiddenInSteps = 0;
    let affectedSpan = 0;
    const affected: Record<string, number> = {};
    for (const s of steps.steps) {
      if (!data.steady[s.index]) continue;
      let hidden = 0;
      for (const op of s.ops) if (ops.kind[op] === OpKind.graph) hidden += ops.end[op]! - ops.start[op]!;
      if (hidden === 0) continue;
      hiddenInSteps += hidden;
      affectedSpan += s.end - s.start;
      affected[s.phase] = (affected[s.phase] ?? 0) + 1;
    }
    const share = affectedSpan > 0 ? hiddenInSteps / affectedSpan : 1;
    if (share < options.minShare) return [];
    const devices = model.devices.filter((d) => executions[d.index]! > 0);
    const stepsPerGpu = Object.entries(affected).map(([phase, n]) => ({ phase, steps: Math.round(n / devices.length), plural: n > devices.length }));
    return [{
      messageId: 'hidden' as const,
      fixId: 'fix' as const,
      data: { graphExecutions: total, gpus: devices.length, stepsPerGpu, share } satisfies Data,
      evidence: {
        devices: devices.map((d) => d.deviceId),
        graphExecutions: total,
        graphTimeNs: graphNs.reduce((a, b) => a + b, 0),
        stepsAffected: affected,
        shareOfAffectedSteps: share,
        cudaGraphTraceMode: model.files[0]!.meta.cudaGraphTraceMode,
      },
      locations: [opAt(data, longest, text('longest', { ns: ops.end[longest]! - ops.start[longest]! }))],
    }];
  },
});
