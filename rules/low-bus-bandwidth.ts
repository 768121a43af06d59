/**
 * low-bus-bandwidth: large collectives move data far slower than the fabric allows (judged on transfer
 * time, so waiting for a late rank never counts against bandwidth). The judgement itself is the shared
 * one of analyzer/collectives/fabricHealth.ts.
 */
import type { CollectivePhase } from '../analyzer/collectives/summary.js';
import { typicalCollectiveAt } from '../analyzer/timeline/locations.js';
import { text } from './messageFormat.js';
import { defineTraceRule } from './types.js';

interface Data {
  count: number;
  phase: CollectivePhase;
  op: string;
  /** Measured size; null when unknown (then `impliedBytes` is the size the transfer time implies). */
  bytes: number | null;
  transferMedianNs: number;
  busGBps: number | null;
  expectedBusGBps: number;
  impliedBytes: number | null;
  gpu: string;
  ranks: number;
  /** Recorded settings that keep NCCL off NVLink peer-to-peer. */
  settings: Record<string, string>;
}

/** Both messages read the same fields: a size class measured slow, or one whose unknown size is guessed. */
const asData = (d: Data): Data => d;

export const rule = defineTraceRule({
  meta: {
    id: 'low-bus-bandwidth',
    severity: 'error',
    title: 'Large collectives far below the fabric\'s bus bandwidth',
    description:
      'Collectives of at least 8 MiB reach less than 30% of the busBW the GPU\'s NVLink fabric gives, measured on transfer time ' +
      '(the fabric judgement every rule shares: analyzer/collectives/fabricHealth.ts). Without message sizes nothing is measured: ' +
      'only where the recorded settings keep NCCL off NVLink does it add an info note that says it is a guess.',
    options: {},
    deps: ['collectives', 'gpuSpec', 'collectiveSummary', 'model', 'fabric', 'offNvlinkSettings', 'phaseCollectives'],
    messages: {
      slow:
        '{count} {phase} {op}s of {bytes, bytes} take {transferMedianNs, ns} of transfer each: busBW {busGBps, fixed, 0} GB/s, ' +
        '{busGBps / expectedBusGBps * 100, fixed, 0}% of the {expectedBusGBps, fixed, 0} GB/s {gpu} NVLink gives at this size ({ranks} ranks).' +
        '{settings, select, none {} other { The recorded environment sets {settings, settings}.}}',
      suspect:
        'A guess, not a measurement: {count} {phase} {op}s of unknown size take {transferMedianNs, ns} of transfer each; at the {expectedBusGBps, fixed, 0} GB/s busBW ' +
        '{gpu} NVLink gives, that would be {impliedBytes, bytes} each ({ranks} ranks), more than TP collectives usually carry, so the ' +
        'recorded {settings, settings} likely keeps them off the NVLink peer-to-peer path. To measure the bandwidth, give the message sizes: ' +
        '--model and --batch (and --prompt for prefill), or an export made with --include-blobs=true.',
      fix:
        'Traffic is not taking the NVLink peer-to-peer path (PCIe or host memory instead). Check the topology (`nvidia-smi topo -m`), that ' +
        'NCCL_P2P_DISABLE / NCCL_P2P_LEVEL / NCCL_SHM_DISABLE are not set, that the container sees all GPUs with IPC allowed ' +
        '(--ipc=host), and re-run nccl-tests all_reduce_perf on the same GPUs to confirm.',
      fixSettings:
        'Unset {settings, settingKeys} (the recorded environment sets {settings, settings}) so NCCL can use NVLink peer-to-peer, ' +
        'check the topology (`nvidia-smi topo -m`) and that the container sees all GPUs with IPC allowed (--ipc=host), and re-run nccl-tests ' +
        'all_reduce_perf on the same GPUs to confirm.',
      typicalSuspect: 'a typical {phase} {op} (median transfer {ns, ns})',
      typicalSlow: 'a typical {phase} {op} of {bytes, bytes} (median transfer {ns, ns})',
    },
  },
  check(a) {
    const s = a.collectiveSummary;
    const env = a.offNvlinkSettings;
    const health = a.fabric.health;
    const fixId = Object.keys(env).length ? ('fixSettings' as const) : ('fix' as const);
    const suspects = health.suspect.map(({ sizeClass: k, impliedBytes, nvlinkBusGBps }) => ({
      messageId: 'suspect' as const,
      fixId: 'fixSettings' as const,
      // A size implied by an assumed bandwidth is a guess: a note, never a warning or an error.
      severity: 'info' as const,
      data: asData({
        count: k.count, phase: k.phase, op: k.op, bytes: null, transferMedianNs: k.transferMedianNs, busGBps: null, expectedBusGBps: nvlinkBusGBps,
        impliedBytes, gpu: s.gpu?.name ?? 'GPU', ranks: k.ranks, settings: health.settings,
      }),
      evidence: {
        op: k.op, phase: k.phase, bytes: null, count: k.count, ranks: k.ranks, kernel: k.kernel, transferMedianNs: k.transferMedianNs,
        impliedBytesAtNvlink: impliedBytes, nvlinkBusGBps, environment: health.settings,
      },
      locations: typicalCollectiveAt(a, k.instances, text('typicalSuspect', { phase: k.phase, op: k.op, ns: k.transferMedianNs })),
    }));
    return [...suspects, ...health.slow.map((k) => {
      const healthyNs = (k.transferMedianNs * k.busGBps!) / k.expectedBusGBps!;
      const perCall = k.transferMedianNs - healthyNs;
      const pc = k.phase === 'outside' ? null : a.phaseCollectives(k.phase);
      const perStep = pc && pc.steps > 0 ? (perCall * k.count) / pc.steps : perCall * k.count;
      return {
        messageId: 'slow' as const,
        fixId,
        data: asData({
          count: k.count, phase: k.phase, op: k.op, bytes: k.bytes!, transferMedianNs: k.transferMedianNs, busGBps: k.busGBps!,
          expectedBusGBps: k.expectedBusGBps!, impliedBytes: null, gpu: s.gpu?.name ?? 'GPU', ranks: k.ranks, settings: env,
        }),
        evidence: {
          op: k.op, phase: k.phase, bytes: k.bytes, bytesSource: k.bytesSource, count: k.count, ranks: k.ranks, kernel: k.kernel,
          transferMedianNs: k.transferMedianNs, algGBps: k.algGBps, busGBps: k.busGBps, expectedBusGBps: k.expectedBusGBps, environment: env,
        },
        impactNs: perStep,
        ...(pc && pc.stepSpanNs > 0 ? { costShare: Math.min(1, perStep / pc.stepSpanNs) } : {}),
        locations: typicalCollectiveAt(a, k.instances, text('typicalSlow', { phase: k.phase, op: k.op, bytes: k.bytes, ns: k.transferMedianNs })),
      };
    })];
  },
});
