/**
 * Layers from NVTX ranges named like `layer 3` (`model.layers.3`, `decoder_layer_3`), projected onto the
 * GPU the way steps are (analyzer/steps/projection.ts): a kernel belongs to the layer whose range was open
 * on the launching thread when it was launched. An `mlp` sub-range (else the end of an `attention` one)
 * splits the layer into its attention and MLP blocks.
 */
import type { TraceModel } from '../model/types.js';
import { projectRange, type LaunchIndex } from '../steps/projection.js';
import { LIBRARY_DOMAINS } from '../steps/nvtxSteps.js';
import type { Step } from '../steps/types.js';
import type { LayerCut } from './types.js';

const LAYER_RANGE = /(^|[^a-z])layers?[ _.:#[-]*\d+\]?\s*$/i;
const MLP_RANGE = /(^|[^a-z])(mlp|ffn|feed_?forward|moe|experts?)([^a-z]|$)/i;
const ATTENTION_RANGE = /(^|[^a-z])(self_?)?(attn|attention)([^a-z]|$)/i;

interface LayerRange {
  name: string;
  thread: number;
  start: number;
  end: number;
  /** Host time the MLP sub-range opened, when there is one. */
  mlpStart: number | null;
  /** Host time the attention sub-range closed, when there is one. */
  attentionEnd: number | null;
}

/** Outermost layer ranges per thread, with their sub-ranges. */
function layerRanges(model: TraceModel): LayerRange[] {
  const { nvtx } = model;
  const lib = nvtx.domains.map((d) => LIBRARY_DOMAINS.test(d));
  const isLayer = nvtx.texts.map((t) => LAYER_RANGE.test(t));
  if (!isLayer.some(Boolean)) return [];
  const isMlp = nvtx.texts.map((t) => MLP_RANGE.test(t));
  const isAttention = nvtx.texts.map((t) => ATTENTION_RANGE.test(t));
  const byThread = new Map<number, number[]>();
  for (let i = 0; i < nvtx.n; i++) {
    if (lib[nvtx.domain[i]!] || !(nvtx.end[i]! >= nvtx.start[i]!)) continue;
    const t = nvtx.text[i]!;
    if (!isLayer[t] && !isMlp[t] && !isAttention[t]) continue;
    let list = byThread.get(nvtx.thread[i]!);
    if (!list) byThread.set(nvtx.thread[i]!, (list = []));
    list.push(i);
  }
  const out: LayerRange[] = [];
  for (const [thread, list] of byThread) {
    list.sort((a, b) => nvtx.start[a]! - nvtx.start[b]! || nvtx.end[b]! - nvtx.end[a]!);
    let current: LayerRange | null = null;
    for (const i of list) {
      const s = nvtx.start[i]!;
      const e = nvtx.end[i]!;
      const t = nvtx.text[i]!;
      const inside = current !== null && s >= current.start && e <= current.end;
      if (isLayer[t]) {
        if (inside) continue;
        current = { name: nvtx.texts[t]!, thread, start: s, end: e, mlpStart: null, attentionEnd: null };
        out.push(current);
      } else if (inside) {
        if (isMlp[t] && current!.mlpStart === null) current!.mlpStart = s;
        else if (isAttention[t] && !isMlp[t]) current!.attentionEnd = Math.max(current!.attentionEnd ?? -Infinity, e);
      }
    }
  }
  return out;
}

/**
 * Layer cuts per step index, for the steps that have layer ranges. `split` is -1 where the layer has no
 * sub-ranges to split it by.
 */
export function nvtxLayerCuts(model: TraceModel, steps: readonly Step[], index: LaunchIndex): Map<number, LayerCut[]> {
  const out = new Map<number, LayerCut[]>();
  const ranges = layerRanges(model);
  if (ranges.length === 0) return out;
  // Each op's step and its place in it (steps' op lists are sorted), found once instead of searched per op.
  const opStep = new Int32Array(model.ops.n).fill(-1);
  const opPos = new Int32Array(model.ops.n);
  for (const s of steps) {
    for (let k = 0; k < s.ops.length; k++) {
      opStep[s.ops[k]!] = s.index;
      opPos[s.ops[k]!] = k;
    }
  }
  const { launchStart } = model.ops;
  for (const r of ranges) {
    for (const ops of projectRange(model, index, r.thread, r.start, r.end).values()) {
      const s = opStep[ops[0]!]!;
      if (s < 0) continue;
      let first = Infinity;
      let last = -1;
      let split = Infinity;
      for (const op of ops) {
        if (opStep[op] !== s) continue;
        const p = opPos[op]!;
        first = Math.min(first, p);
        last = Math.max(last, p);
        const inMlp = r.mlpStart !== null ? launchStart[op]! >= r.mlpStart : r.attentionEnd !== null && launchStart[op]! > r.attentionEnd;
        if (inMlp) split = Math.min(split, p);
      }
      const hasSub = r.mlpStart !== null || r.attentionEnd !== null;
      let list = out.get(s);
      if (!list) out.set(s, (list = []));
      list.push({ name: r.name, first, split: hasSub ? Math.min(split, last + 1) : -1, end: last + 1 });
    }
  }
  for (const list of out.values()) list.sort((a, b) => a.first - b.first);
  return out;
}
