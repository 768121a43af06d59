/** The artifact mechanism (analyzer/artifact.ts): declared data only, read lazily, computed once per analysis (issue 25, item 6). */
import { describe, expect, it } from 'vitest';
import { Analysis, loadTrace } from '../index.js';
import { artifact, perKey, reads } from '../analyzer/artifact.js';
import type { AnalysisData } from '../analyzer/data.js';
import { fabric } from '../analyzer/collectives/fabricHealth.js';
import { phaseLateRank } from '../analyzer/collectives/lateRank.js';
import { samplePath } from './support/traces.js';

/** The analysis, with the names read from it recorded. */
function spied(a: Analysis): { source: AnalysisData; read: string[] } {
  const read: string[] = [];
  const source = new Proxy(a, { get: (t, k) => (read.push(String(k)), Reflect.get(t, k, t)) });
  return { source, read };
}

describe('artifacts', () => {
  const analysis = new Analysis(loadTrace(samplePath('tp4graph-decode.sqlite')));

  it('a compute gets the data it declared and nothing else, each read from the analysis when first read', () => {
    const { source, read } = spied(analysis);
    const view = reads(source, ['model', 'collectives'] as const);
    expect(Object.keys(view)).toEqual(['model', 'collectives']);
    expect(read).toEqual([]);
    expect(view.model).toBe(analysis.model);
    expect(view.model).toBe(analysis.model);
    expect(read).toEqual(['model']);
    expect((view as unknown as Record<string, unknown>).stepSet).toBeUndefined();
  });

  it('an artifact that returns early computes no more than it read, and computes once per analysis', () => {
    let runs = 0;
    const early = artifact(['model', 'collectiveSummary'], (a) => {
      runs++;
      return a.model.devices.length > 0 ? a.model.devices.length : a.collectiveSummary.classes.length;
    });
    const { source, read } = spied(analysis);
    expect(early(source)).toBe(analysis.model.devices.length);
    expect(early(source)).toBe(analysis.model.devices.length);
    expect(runs).toBe(1);
    expect(read).toEqual(['model']);
    // Another analysis object is another cache entry.
    expect(early(analysis)).toBe(analysis.model.devices.length);
    expect(runs).toBe(2);
  });

  it('a datum read by name is the artifact\'s cached value', () => {
    expect(analysis.fabric).toBe(fabric(analysis));
    expect(analysis.phaseLateRank).toBe(phaseLateRank(analysis));
    expect(analysis.phaseLateRank('decode')).toBe(analysis.phaseLateRank('decode'));
    expect(analysis.phaseLateRank('decode')?.phase).toBe('decode');
  });

  it('a per-key datum computes once per key', () => {
    const keys: string[] = [];
    const f = perKey((k: string) => (keys.push(k), { k }));
    expect(f('decode')).toBe(f('decode'));
    expect(f('prefill').k).toBe('prefill');
    expect(keys).toEqual(['decode', 'prefill']);
  });
});
