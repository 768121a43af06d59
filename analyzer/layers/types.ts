/**
 * Layers of a step as cuts of its op sequence (step.ops, sorted by start). Positions, not times, so that
 * NVTX layers and layers found from the kernel pattern meet in one representation; layerBreakdown.ts turns
 * them into time windows that tile the step.
 */

import type { LayerSource } from '../contract/vocabulary.js';

export interface LayerCut {
  /** `layer 3` from NVTX, or numbered from 0 in step order when found from the kernels. */
  name: string;
  /** Position in step.ops of the layer's first op. */
  first: number;
  /** Position of the MLP block's first op; equal to `end` when the layer has no MLP block. */
  split: number;
  /** Position after the layer's last op. */
  end: number;
}

export interface StepLayers {
  /** Index into StepSet.steps. */
  step: number;
  /** null when no layers were found. */
  source: LayerSource | null;
  cuts: LayerCut[];
  /** Why no layers were found, when none were. */
  reason: string | null;
}

export const LAYER_METHODS: Record<LayerSource, string> = {
  nvtx: 'NVTX ranges named like "layer N" (their "attention" / "mlp" sub-ranges split each layer)',
  collectives:
    'the TP pattern of collectives: a block with an attention kernel, a collective (all-reduce, or ' +
    'reduce-scatter + all-gather), a block without attention, a collective; a layer opens at the norm kernel ' +
    'after a collective',
  kernels:
    'the repeating kernel pattern (no collectives, TP=1): one attention kernel per layer; a layer opens at ' +
    'the norm kernel before it and its MLP at the norm kernel after it',
};
