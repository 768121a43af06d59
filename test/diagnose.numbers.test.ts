/**
 * Every number of the JSON contract (docs/architecture.md §6) against an independent plain-SQL computation (test/support/reference.ts):
 * on the committed samples always, on the full traces of ../shared/traces when present.
 */
import { describe, expect, it } from 'vitest';
import { diagnoseJsonIn } from './support/cli.js';
import { referencePhase, referenceSteps } from './support/reference.js';
import { HAVE_TRACES, samplePath, sharedTrace } from './support/traces.js';

const CLASSES = ['gemm', 'attention', 'communication', 'norm', 'elementwise', 'memory', 'moe', 'other', 'idle'];
const isDecode = (n: string) => n.startsWith('decode');
const isPrefill = (n: string) => n === 'prefill';

async function checkAgainstReference(path: string) {
  const json = await diagnoseJsonIn([path]);
  const ref = referenceSteps(path, ['prefill', 'decode [0-9]*']);
  expect(ref.length).toBeGreaterThan(0);
  for (const dev of json.devices) {
    for (const [phase, is] of [['decode', isDecode], ['prefill', isPrefill]] as const) {
      const r = referencePhase(ref, dev.deviceId, is);
      expect(dev.steps[phase].count, `${path} GPU ${dev.deviceId} ${phase} count`).toBe(r.count);
      if (r.count === 0) {
        expect(dev[phase]).toBeNull();
        continue;
      }
      expect(dev.steps[phase].steadyCount, `${path} GPU ${dev.deviceId} ${phase} steady`).toBe(r.steadyCount);
      expect(dev.steps[phase].medianNs).toBe(r.medianNs);
      for (const c of CLASSES) expect(dev[phase].timeNs[c], `${path} GPU ${dev.deviceId} ${phase} ${c}`).toBe(r.timeNs[c]);
      expect(dev[phase].commShare).toBeCloseTo(r.commShare, 12);
      expect(dev[phase].exposedCommShare).toBeCloseTo(r.exposedCommShare, 12);
      expect(dev[phase].idleShare).toBeCloseTo(r.idleShare, 12);
      expect(dev[phase].overlap).toBeCloseTo(r.overlap, 12);
      // The means every table shows are the sums over the steady steps.
      for (const c of CLASSES) expect(dev[phase].perStepNs[c]).toBeCloseTo(r.timeNs[c]! / r.steadyCount, 6);
      expect(dev[phase].commTransferNs + dev[phase].commWaitNs).toBeCloseTo(r.timeNs.communication!, 3);
      expect(dev[phase].commTransferNs).toBeLessThanOrEqual(r.timeNs.communication! + 1e-6);
    }
  }
  return json;
}

describe('diagnose numbers on committed samples', () => {
  it('tp4graph decode slice agrees with the SQL reference', async () => {
    const json = await checkAgainstReference(samplePath('tp4graph-decode.sqlite'));
    expect(json.devices.map((d: any) => d.steps.decode.count)).toEqual([3, 3, 3, 3]);
    // CUDA-graph decode at TP=4: ~1.8 ms steps, all-reduce about a tenth of the step.
    for (const d of json.devices) {
      expect(d.steps.decode.medianNs).toBeGreaterThan(1.7e6);
      expect(d.steps.decode.medianNs).toBeLessThan(1.9e6);
      expect(d.decode.commShare).toBeGreaterThan(0.08);
      expect(d.decode.commShare).toBeLessThan(0.13);
    }
  });
  it('tp4 eager slice (prefill + 2 decode steps) agrees with the SQL reference', async () => {
    const json = await checkAgainstReference(samplePath('tp4-eager.sqlite'));
    expect(json.devices.map((d: any) => [d.steps.prefill.count, d.steps.decode.count])).toEqual([[1, 2], [1, 2], [1, 2], [1, 2]]);
  });
});

describe.skipIf(!HAVE_TRACES)('diagnose numbers on ../shared/traces', () => {
  for (const name of ['tp1', 'tp2', 'tp4', 'tp4graph', 'tp4graphg', 'tp4overlap', 'tp4sp', 'tp4serial', 'tp4nop2p', 'tp4tree', 'tp2graph-blobs', 'tp4big']) {
    it(`${name} agrees with the SQL reference`, async () => {
      await checkAgainstReference(sharedTrace(name));
    });
  }
  it('tp4overlap really overlaps communication with compute; tp4 does not', async () => {
    const overlap = await diagnoseJsonIn([sharedTrace('tp4overlap')]);
    const serial = await diagnoseJsonIn([sharedTrace('tp4')]);
    // Prefill all-reduces are large and half hide behind the other micro-batch's compute; decode
    // all-reduces are mostly waiting for a late rank, which no overlap can hide.
    for (const d of overlap.devices) expect(d.prefill.overlap).toBeGreaterThan(0.3);
    expect(Math.max(...overlap.devices.map((d: any) => d.decode.overlap))).toBeGreaterThan(0);
    for (const d of serial.devices) {
      expect(d.prefill.overlap).toBe(0);
      expect(d.decode.overlap).toBe(0);
    }
  });
});
