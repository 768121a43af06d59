/**
 * Several files as one job (issue 3, item 6): one report per rank, clocks aligned on each report's session
 * start, gives the same per-device numbers and collectives as the single all-ranks report.
 */
import { describe, expect, it } from 'vitest';
import { diagnoseJson } from './support/cli.js';
import { tempDir } from './support/fixtures.js';
import { splitByRank } from './support/perRank.js';
import { samplePath } from './support/traces.js';

describe('one report per rank', () => {
  const src = samplePath('tp4-eager.sqlite');
  const whole = diagnoseJson([src]);
  it('four per-rank files give the single report\'s numbers, even when their session clocks started apart', () => {
    // Rank r's report started r x 1.5 s later: its timestamps are smaller by that much.
    const files = splitByRank(src, tempDir(), (r) => r * 1.5e9);
    expect(files).toHaveLength(4);
    const split = diagnoseJson(files);
    expect(split.devices.map((d: any) => d.deviceId)).toEqual([0, 1, 2, 3]);
    expect(split.devices.map((d: any) => d.label)).toEqual(['GPU 0', 'GPU 1', 'GPU 2', 'GPU 3']);
    for (const k of ['steps', 'decode', 'prefill']) expect(split.devices.map((d: any) => d[k])).toEqual(whole.devices.map((d: any) => d[k]));
    expect(split.collectives.count).toBe(whole.collectives.count);
    expect(split.collectives.transferNs).toBe(whole.collectives.transferNs);
    expect(split.collectives.waitNs).toBe(whole.collectives.waitNs);
    expect(split.collectives.lastArriver).toEqual(whole.collectives.lastArriver);
    expect(split.findings.map((f: any) => f.rule)).toEqual(whole.findings.map((f: any) => f.rule));
  });
});
