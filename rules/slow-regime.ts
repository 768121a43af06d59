/**
 * slow-regime: a run of consecutive steps ran several times slower than the steady ones (steps/regimes.ts):
 * the workload ran in two regimes, and the slow one is a finding of its own, not an outlier to drop.
 */
import { spanAt } from '../analyzer/timeline/locations.js';
import { text, type Text } from './messageFormat.js';
import { defineTraceRule } from './types.js';

interface Data {
  phase: string;
  label: string;
  count: number;
  of: number;
  firstStep: string;
  lastStep: string;
  medianNs: number;
  meanNs: number;
  typicalNs: number;
  idleNs: number;
  /** The host calls per step (name, ns), or '' when none. */
  calls: Text<'calls'> | '';
  jit: boolean;
}

export const rule = defineTraceRule({
  meta: {
    id: 'slow-regime',
    severity: 'warning',
    title: 'A run of steps in a slower regime',
    description:
      'Consecutive steps of one phase ran several times slower than the steady steps (more than 3× their typical span, ' +
      'at least three in a row): a regime, such as the first request building kernel plans for every new shape, or a ' +
      'batch size without a captured CUDA graph.',
    options: {
      minShare: { type: 'ratio', default: 0.05, description: 'share of the phase\'s steps in the regime below which nothing is reported' },
    },
    deps: ['steps', 'model', 'regimes'],
    messages: {
      regime:
        '{count} of {of} {phase, phaseStep}s on {label} ("{firstStep}" to "{lastStep}") ran at {medianNs, ns} ' +
        'instead of {typicalNs, ns} ({medianNs / typicalNs, fixed, 1}×, median); of their mean step of {meanNs, ns} the GPU idles {idleNs, ns}' +
        '{calls, select, none {} other {; the host in {calls} per step}}' +
        '{jit, select, true {: kernel libraries loaded inside the steps, plans or kernels built at run time for shapes not seen before.} other {.}}',
      calls: '{calls, comma, {name} {ns, ns}}',
      fix:
        '{jit, select, true {Warm up every shape before serving (every batch size and sequence-length bucket the engine will run), keep plan caches ' +
        'across requests, and use CUDA graphs for decode so no plan is built inside a step. } ' +
        'other {Find what differs in these steps (batch size, sequence lengths, a graph not captured for this shape) and warm it up or capture it. }}' +
        'The steady numbers above describe the other steps only.',
      span: '{count} {phase, phaseStep}s, median {medianNs, ns}',
    },
  },
  check(a, o) {
    return a.regimes.flatMap((g) => {
      const all = a.steps.byDevice[g.device]!.filter((s) => s.phase === g.phase && a.steps.exclusion[s.index] !== 'earlier-pass').length;
      if (g.steps.length < o.minShare * all) return [];
      const d = a.model.devices[g.device]!;
      const shown = g.hostCalls.slice(0, 3).map((c) => ({ name: c.name, ns: c.ns / g.steps.length }));
      const calls = shown.length ? text('calls', { calls: shown }) : ('' as const);
      const jit = g.hostCalls.some((c) => /^cu(Library|Module)Load/.test(c.name));
      return [{
        messageId: 'regime' as const,
        fixId: 'fix' as const,
        data: {
          phase: g.phase, label: d.label, count: g.steps.length, of: all, firstStep: g.steps[0]!.name, lastStep: g.steps[g.steps.length - 1]!.name,
          medianNs: g.medianNs, meanNs: g.meanNs, typicalNs: g.typicalNs, idleNs: g.perStepNs.idle, calls, jit,
        } satisfies Data,
        evidence: {
          phase: g.phase, deviceId: d.deviceId, steps: g.steps.length, of: all, medianNs: g.medianNs, typicalNs: g.typicalNs,
          // The regime's steps as a share of the phase's (steps / of): a ratio, 0 to 1.
          shareOfSteps: g.steps.length / all, perStepNs: g.perStepNs, steadyPerStepNs: g.steadyPerStepNs, hostCalls: g.hostCalls,
        },
        impactNs: g.medianNs - g.typicalNs,
        locations: [spanAt(a, g.device, g.startNs, g.endNs, text('span', { count: g.steps.length, phase: g.phase, medianNs: g.medianNs }))],
      }];
    });
  },
});
