/**
 * MoE parts (analyzer/classify/moeParts.ts). The kernel sequence of a PyTorch-native MoE layer (Hugging
 * Face transformers' eager expert loop: the router GEMM, softmax, top-k, the loop over experts with tokens,
 * index_add_ back) is written by hand in a tiny export, since what makes a kernel MoE there is where it
 * runs, not its name; named engine kernels are checked through the classifier. The real captures are in
 * test/zoo.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { Analysis, classifier, loadTrace } from '../index.js';
import { MOE_PARTS } from '../analyzer/classify/moeParts.js';
import { CLASS_INDEX } from '../analyzer/classify/opClasses.js';
import { writeTinyTrace, type TinyOp } from './support/tinyTrace.js';
import { tempDir } from './support/fixtures.js';
import { samplePath } from './support/traces.js';

const GEMM = 'nvjet_sm90_tst_128x8_64x12_2x1_v_bz_TNT';
const ATTN = 'cudnn_generated_fort_native_sdpa_sm90_flash_fprop_wgmma_f16_knob_3_64x64x128_4x1x1_kernel0_0';
/** One MoE layer: [name, expected part or class]. */
const LAYER: [string, string][] = [
  [GEMM, 'gemm'], [ATTN, 'attention'], [GEMM, 'gemm'], ['elementwise_kernel', 'elementwise'],
  [GEMM, 'routing'], ['cunn_SoftMaxForward', 'routing'], ['gatherTopK', 'routing'], ['reduce_kernel', 'routing'],
  ['DeviceSelectSweepKernel', 'dispatch'], ['index_elementwise_kernel', 'dispatch'],
  [GEMM, 'experts'], ['vectorized_elementwise_kernel', 'experts'], [GEMM, 'experts'], ['indexFuncSmallIndex', 'dispatch'],
  ['index_elementwise_kernel', 'dispatch'], [GEMM, 'experts'], ['vectorized_elementwise_kernel', 'experts'], [GEMM, 'experts'], ['indexFuncSmallIndex', 'dispatch'],
];
/** The epilogue: LM head, then a sampler's top-k, which starts no block (no combine after it). */
const EPILOGUE: [string, string][] = [[GEMM, 'gemm'], ['gatherTopK', 'other'], ['reduce_kernel', 'other']];

describe('MoE blocks from the kernel sequence', () => {
  const ops: TinyOp[] = [];
  const want: string[] = [];
  let t = 0;
  for (let step = 0; step < 3; step++) {
    for (const [name, part] of [...LAYER, ...LAYER, ...EPILOGUE]) {
      ops.push({ gpu: 0, name, startUs: t, durUs: 10 });
      want.push(part);
      t += 12;
    }
    t += 500;
  }
  const path = writeTinyTrace(tempDir(), { ops, ranges: [0, 1, 2].map((k) => ({ gpu: 0, name: `decode ${k}`, startUs: k * (ops.length / 3) * 12 + k * 500 - 6, endUs: (k + 1) * (ops.length / 3) * 12 + k * 500 })) });
  const a = new Analysis(loadTrace(path));
  const kernels = [...Array(a.model.ops.n).keys()].filter((i) => a.model.opNames[a.model.ops.name[i]!]!.kind === 0);
  it('gives every kernel of a block the class moe and its part, and leaves the rest alone', () => {
    const got = kernels.map((i) => {
      const p = a.classes.moePart[i]!;
      return p ? MOE_PARTS[p - 1]! : (Object.keys(CLASS_INDEX) as string[]).find((c) => CLASS_INDEX[c as keyof typeof CLASS_INDEX] === a.classes.opClass[i])!;
    });
    expect(got).toEqual(want);
    expect(a.classes.moeBlocks).toBe(6);
  });
  it('the parts add up to the moe class time of every step', () => {
    for (const b of a.breakdowns) {
      const sum = b.moeNs[0]! + b.moeNs[1]! + b.moeNs[2]!;
      expect(sum).toBeCloseTo(b.classNs[CLASS_INDEX.moe]!, 3);
      // Experts per layer: 4 GEMMs and the 2 activations between them, 10 µs each; two layers a step.
      expect(b.moeNs[0]).toBe(2 * 6 * 10_000);
      expect(b.moeNs[1]).toBe(2 * 4 * 10_000);
      expect(b.moeNs[2]).toBe(2 * 5 * 10_000);
    }
  });
});

describe('dense traces hold no MoE block', () => {
  it('tp4-eager: no op is moe', () => {
    const a = new Analysis(loadTrace(samplePath('tp4-eager.sqlite')));
    expect(a.classes.moeBlocks).toBe(0);
    expect(a.classes.opClass.every((c) => c !== CLASS_INDEX.moe)).toBe(true);
  });
});

describe('engine MoE kernels by name', () => {
  const classify = classifier();
  it.each([
    ['fused_moe_kernel', 'moe'],
    ['moe_align_block_size_kernel', 'moe'],
    ['topkGatingSoftmax', 'moe'],
  ])('%s is %s', (name, cls) => {
    expect(classify(name).class).toBe(cls);
  });
  it('a CUTLASS grouped GEMM (torch._grouped_mm) is moe from its template arguments', () => {
    const demangled = 'void cutlass::device_kernel<cutlass::gemm::kernel::GemmUniversal<cutlass::gemm::GroupProblemShape<cute::tuple<int, int, int> >, cutlass::gemm::collective::CollectiveMma<> > >(T1::Params)';
    expect(classify('device_kernel', demangled).class).toBe('moe');
  });
});
