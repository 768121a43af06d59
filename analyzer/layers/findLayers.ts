/**
 * The layers of every step: from NVTX layer ranges where the step has them, else from the kernel pattern.
 * A step whose CUDA graphs were traced at graph level has no kernels to find layers in.
 */
import { artifact } from '../artifact.js';
import type { Reads } from '../data.js';
import { OpKind } from '../model/types.js';
import { buildLaunchIndex } from '../steps/projection.js';
import { nvtxLayerCuts } from './nvtxLayers.js';
import { patternLayers, type Unit } from './patternLayers.js';
import type { LayerCut, StepLayers } from './types.js';

export const GRAPH_KERNELS_HIDDEN = 'CUDA graphs traced at graph level: the kernels inside them are not in the trace';

/** NVTX layers without sub-ranges split where the kernel pattern's MLP block starts. */
function splitFromUnits(cut: LayerCut, units: Unit[]): number {
  let seenAttention = false;
  for (const u of units) {
    if (u.start >= cut.end) break;
    if (u.end <= cut.first) continue;
    if (u.attention) seenAttention = true;
    else if (seenAttention && u.start > cut.first) return u.start;
  }
  return cut.end;
}

const TP_OPS: ReadonlySet<string> = new Set(['all-reduce', 'reduce-scatter', 'all-gather', 'unknown']);

/** Whether an op is a collective that tensor parallelism puts at the end of a block. */
export function tpCollectives(a: Reads<'classes' | 'model'>): (op: number) => boolean {
  // Decided once per distinct name: asked once per op of every step.
  const isTp = Uint8Array.from(a.classes.byName, (c) => (TP_OPS.has(c.op ?? '') ? 1 : 0));
  const names = a.model.ops.name;
  return (op) => isTp[names[op]!] === 1;
}

export function findLayers(a: Reads<'model' | 'classes' | 'stepSet' | 'launchIndex'>): StepLayers[] {
  const { model, classes, stepSet: steps } = a;
  const nvtx = nvtxLayerCuts(model, steps.steps, a.launchIndex);
  const tpCollective = tpCollectives(a);
  return steps.steps.map((s): StepLayers => {
    for (const op of s.ops) {
      if (model.ops.kind[op] === OpKind.graph) return { step: s.index, source: null, cuts: [], reason: GRAPH_KERNELS_HIDDEN };
    }
    const pattern = patternLayers(s.ops, classes.opClass, tpCollective);
    const fromNvtx = nvtx.get(s.index);
    if (fromNvtx && fromNvtx.length > 0) {
      const cuts = fromNvtx.map((c) => (c.split >= 0 ? c : { ...c, split: splitFromUnits(c, pattern.units) }));
      return { step: s.index, source: 'nvtx', cuts, reason: null };
    }
    if (pattern.source === null) return { step: s.index, source: null, cuts: [], reason: pattern.reason };
    return { step: s.index, source: pattern.source, cuts: pattern.cuts, reason: null };
  });
}

/** Computed once per analysis. */
export const stepLayers = artifact(['model', 'classes', 'stepSet', 'launchIndex'], findLayers);

export const launchIndex = artifact(['model'], (a) => buildLaunchIndex(a.model));
