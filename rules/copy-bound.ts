/**
 * copy-bound: steps whose GPU time is mostly host-to-device copies (weights or inputs streamed over PCIe
 * every step instead of kept on the GPU), and device-to-host copies inside steps (a value read back on
 * the host mid-step, which blocks the host and drains the GPU's queue).
 */
import { steadyStepsOf } from '../analyzer/steps/steady.js';
import { OpKind } from '../analyzer/model/input.js';
import { PHASES, type Phase } from '../analyzer/contract/vocabulary.js';
import { median } from '../analyzer/util/stats.js';
import { opAt } from '../analyzer/timeline/locations.js';
import { text } from './messageFormat.js';
import { defineTraceRule } from './types.js';

type Direction = 'HtoD' | 'DtoH';

/** The copy's direction from the name nsys gives it (`[CUDA memcpy HtoD]`, `[CUDA memcpy Unified DtoH]`). */
function direction(name: string): Direction | null {
  const m = /^\[CUDA memcpy (?:Unified )?(HtoD|DtoH)\]$/.exec(name);
  return m ? (m[1] as Direction) : null;
}

interface Data {
  phase: Phase;
  dir: Direction;
  /** Per step, median over the GPUs with steady steps. */
  copiesPerStep: number;
  copyNsPerStep: number;
  bytesPerStep: number;
  share: number;
  stepSpanNs: number;
  gbps: number | null;
  devices: string[];
}

export const rule = defineTraceRule({
  meta: {
    id: 'copy-bound',
    severity: 'warning',
    title: 'Steps spent copying between host and GPU',
    description:
      'Host-to-device copies take a large share of the step (inputs or weights streamed over PCIe each step), or device-to-host copies ' +
      'run inside steps (values read back mid-step). Severity follows the share of the step the copies take.',
    options: {
      htodShare: { type: 'ratio', default: 0.3, description: 'share of the step in host-to-device copies from which the steps are copy-bound' },
      dtohShare: { type: 'ratio', default: 0.01, description: 'share of the step in device-to-host copies from which they are reported (info)' },
      warnShare: { type: 'ratio', default: 0.05, description: 'share of the step in device-to-host copies from which the finding is a warning' },
    },
    deps: ['steps', 'model'],
    messages: {
      htod:
        '{phase, select, step {Steps} other {{phase, phaseStep}s}} are copy-bound: host-to-device copies take {share, pct} of the {stepSpanNs, ns} step ' +
        '({copyNsPerStep, ns} per step in {copiesPerStep, fixed, 0} copies of {bytesPerStep, bytes} in all' +
        '{gbps, select, null {} other {, {gbps, fixed, 1} GB/s}}; median over {devices, comma}).',
      dtoh:
        'Device-to-host copies run inside {phase, phaseStep}s: {copiesPerStep, fixed, 0} per step ({bytesPerStep, bytes}), {copyNsPerStep, ns} per step, ' +
        '{share, pct} of the {stepSpanNs, ns} step (median over {devices, comma}). A copy to the host mid-step usually means the host waits for a value ' +
        '(.item(), .cpu(), .tolist()), which drains the GPU\'s queue.',
      fixHtod:
        'Keep what the step needs on the GPU: load weights once (not per step), move inputs in one batched copy from pinned memory ' +
        '(pin_memory=True, non_blocking=True) on a side stream that overlaps compute, and check a copy this size is not a tensor created on the host every step.',
      fixDtoh:
        'Keep values needed on the host one step behind: copy them asynchronously into pinned memory and read them after an event, ' +
        'or move the decision (sampling, stopping) onto the GPU.',
      largest: 'largest {dir, select, HtoD {host-to-device} other {device-to-host}} copy ({bytes, bytes}, {ns, ns})',
    },
  },
  check(a, o) {
    const { ops, opNames } = a.model;
    const dirOf = opNames.map((n) => direction(n.short));
    return PHASES.flatMap((phase) => {
      const per = a.model.devices.flatMap((d) => {
        const steps = steadyStepsOf(a.steps, d.index, phase);
        if (steps.length === 0) return [];
        const t = { HtoD: { n: 0, ns: 0, bytes: 0, biggest: -1 }, DtoH: { n: 0, ns: 0, bytes: 0, biggest: -1 } };
        let span = 0;
        for (const s of steps) {
          span += s.end - s.start;
          for (const i of s.ops) {
            if (ops.kind[i] !== OpKind.memcpy) continue;
            const dir = dirOf[ops.name[i]!];
            if (!dir) continue;
            const x = t[dir];
            const ns = ops.end[i]! - ops.start[i]!;
            x.n++;
            x.ns += ns;
            x.bytes += ops.bytes[i]!;
            if (x.biggest < 0 || ns > ops.end[x.biggest]! - ops.start[x.biggest]!) x.biggest = i;
          }
        }
        return [{ device: d, steps: steps.length, span: span / steps.length, t }];
      });
      if (per.length === 0) return [];
      return (['HtoD', 'DtoH'] as const).flatMap((dir) => {
        const rows = per.map((p) => ({ ...p, x: p.t[dir], share: p.span > 0 ? p.t[dir].ns / p.steps / p.span : 0 }));
        const share = median(rows.map((r) => r.share));
        const bar = dir === 'HtoD' ? o.htodShare : o.dtohShare;
        if (!(share >= bar) || rows.every((r) => r.x.n === 0)) return [];
        const copyNs = median(rows.map((r) => r.x.ns / r.steps));
        const bytes = median(rows.map((r) => r.x.bytes / r.steps));
        const hit = rows.filter((r) => r.x.n > 0);
        const data: Data = {
          phase, dir, copiesPerStep: median(rows.map((r) => r.x.n / r.steps)), copyNsPerStep: copyNs, bytesPerStep: bytes, share,
          stepSpanNs: median(rows.map((r) => r.span)), gbps: bytes > 0 && copyNs > 0 ? bytes / copyNs : null, devices: hit.map((r) => r.device.label),
        };
        const biggest = hit.sort((p, q) => q.share - p.share)[0]!.x.biggest;
        return [{
          messageId: dir === 'HtoD' ? ('htod' as const) : ('dtoh' as const),
          fixId: dir === 'HtoD' ? ('fixHtod' as const) : ('fixDtoh' as const),
          data,
          ...(dir === 'DtoH' && share < o.warnShare ? { severity: 'info' as const } : {}),
          evidence: {
            phase, direction: dir, share, copyNsPerStep: copyNs, bytesPerStep: bytes, stepSpanNs: data.stepSpanNs,
            devices: rows.map((r) => ({ deviceId: r.device.deviceId, copiesPerStep: r.x.n / r.steps, copyNsPerStep: r.x.ns / r.steps, share: r.share })),
          },
          impactNs: copyNs,
          costShare: share,
          locations: biggest >= 0 ? [opAt(a, biggest, text('largest', { dir, bytes: ops.bytes[biggest]!, ns: ops.end[biggest]! - ops.start[biggest]! }))] : [],
        }];
      });
    });
  },
});
