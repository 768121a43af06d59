/**
 * idle-between-steps: the GPU waits between steps, outside every step's span, for a large share of the
 * loop's time: the scheduler, sampling, detokenising or IPC of a serving loop run while the GPU has nothing
 * queued. No per-step share shows it (docs/architecture.md §3, "Between steps").
 */
import { betweenOfPhase } from '../analyzer/breakdown/betweenSteps.js';
import { PHASES, type Phase } from '../analyzer/contract/vocabulary.js';
import { spanAt } from '../analyzer/timeline/locations.js';
import { text, type Text } from './messageFormat.js';
import { defineTraceRule } from './types.js';

interface Data {
  phase: Phase;
  devices: { label: string; idleShare: number }[];
  periodNs: number;
  spanNs: number;
  gapIdleNs: number;
  /** The host calls in the gaps (name, ns per gap), or '' when none was in flight. */
  calls: Text<'calls'> | '';
  cpuNs: number;
}

export const rule = defineTraceRule({
  meta: {
    id: 'idle-between-steps',
    severity: 'warning',
    title: 'GPU idle between steps',
    description:
      'GPU idle time between consecutive steady steps (one step\'s end to the next one\'s start) above a share of the loop\'s ' +
      'time: the host work of the serving loop (scheduling, sampling, detokenising, IPC) is not overlapped with the GPU.',
    options: {
      threshold: { type: 'ratio', default: 0.15, description: 'idle between steps, as a share of the start-to-start period, above which a GPU counts' },
      minGap: { type: 'duration', default: 100_000, description: 'median gap (ns) below which nothing is reported (launch latency, not a loop)' },
    },
    deps: ['steps', 'model', 'between'],
    messages: {
      idle:
        'The GPU idles between {phase, phaseStep}s: {devices, comma, {label} {idleShare, pct0}} of the loop\'s time ' +
        '(a step every {periodNs, ns}, its span {spanNs, ns}, {gapIdleNs, ns} idle after each). ' +
        '{calls, select, none {No CUDA or OS call is in flight in the gaps} other {In the gaps the launching thread is in {calls}}}' +
        '{cpuNs, select, none {.} other {; {cpuNs, ns} per gap is CPU-side work (Python, scheduling).}}',
      calls: '{calls, comma, {name} {ns, ns}}',
      fix:
        'Overlap the host loop with the GPU: async scheduling (vLLM --async-scheduling), SGLang\'s overlap scheduler (on unless ' +
        '--disable-overlap-schedule), sampling on the GPU without a per-step host copy, the detokeniser in its own process, ' +
        'multi-step scheduling; an engine waiting on a queue (read / poll in the gaps) is waiting for its scheduler.',
      longest: 'GPU idle {ns, ns} between {phase, phaseStep}s',
    },
  },
  check(a, o) {
    // Steps cut at idle gaps are separated by idle by construction: their gaps say nothing of a host loop.
    if (a.steps.source === 'gaps') return [];
    return PHASES.flatMap((phase) => {
      const hit = a.model.devices.flatMap((d) => {
        const b = betweenOfPhase(a.between, d.index, phase);
        if (!b || b.pairs < 2 || !(b.idleShare > o.threshold) || b.gapNs < o.minGap) return [];
        return [{ device: d, b }];
      });
      if (hit.length === 0) return [];
      hit.sort((x, y) => y.b.idleShare - x.b.idleShare);
      const { device, b } = hit[0]!;
      const shown = b.hostCalls.slice(0, 3).map((c) => ({ name: c.name, ns: c.ns / b.pairs }));
      const calls = shown.length ? text('calls', { calls: shown }) : ('' as const);
      return [{
        messageId: 'idle' as const,
        fixId: 'fix' as const,
        data: {
          phase, devices: hit.map((h) => ({ label: h.device.label, idleShare: h.b.idleShare })), periodNs: b.periodNs, spanNs: b.spanNs,
          gapIdleNs: b.idleNs / b.pairs, calls, cpuNs: b.uncoveredNs / b.pairs,
        } satisfies Data,
        evidence: {
          phase,
          devices: hit.map((h) => ({ deviceId: h.device.deviceId, idleShare: h.b.idleShare, periodNs: h.b.periodNs, spanNs: h.b.spanNs, gapNs: h.b.gapNs, pairs: h.b.pairs })),
          hostCalls: b.hostCalls,
        },
        impactNs: b.idleNs / b.pairs,
        locations: b.longest ? [spanAt(a, device.index, b.longest.startNs, b.longest.endNs, text('longest', { ns: b.longest.endNs - b.longest.startNs, phase }), null)] : [],
      }];
    });
  },
});
