/**
 * The kernel class table: data, not if-chains. First matching row wins; user rows (config) go first.
 * Each pattern is tested against the short name, the qualified function name and the wrapped identifier
 * (see kernelName.ts), never against template arguments.
 */
import { KERNEL_CLASSES, type KernelClass } from '../contract/vocabulary.js';

/** The classes that compute: every class but the collectives and the copies. */
export const COMPUTE_CLASSES: readonly KernelClass[] = KERNEL_CLASSES.filter((c) => c !== 'communication' && c !== 'memory');

export const COMM_OPS = ['all-reduce', 'reduce-scatter', 'all-gather', 'broadcast', 'reduce', 'send-recv', 'all-to-all', 'unknown'] as const;
export type CommOp = (typeof COMM_OPS)[number];

export interface ClassRow {
  class: KernelClass;
  /** Regular expression source (JSON-friendly, so config files can add rows). */
  pattern: string;
  /** Regular expression flags; default case-sensitive. */
  flags?: string;
  /** Match the whole demangled name (template arguments included) instead of the name parts. Only for
   *  anchored patterns that need an argument to decide (PyTorch elementwise kernels running a fill). */
  on?: 'demangled';
  /** For communication rows: the collective the kernel performs. NCCL rows parse it from the name. */
  op?: CommOp | 'nccl';
  /** Why the row exists: who emits these kernels. */
  note?: string;
}

export const DEFAULT_CLASS_TABLE: readonly ClassRow[] = [
  // PyTorch Inductor names its Triton kernels `triton_<kind>_fused_<the aten ops fused>_<n>`: the kind is
  // structure, the op list is not (a pointwise kernel feeding an all-reduce or an SDPA call carries their
  // names), so these rows come before every keyword row (torch/_inductor/codegen/triton.py, kernel_name
  // from the kernel category: poi pointwise, red reduction, per persistent reduction, tem template).
  { class: 'gemm', pattern: '^triton_tem_fused_(addmm|mm|bmm|baddbmm|_scaled_mm|_int_mm)', note: 'Inductor GEMM template (torch/_inductor/kernel/mm.py)' },
  { class: 'attention', pattern: '^triton_tem_fused_.*flex_(attention|decoding)', note: 'Inductor flex attention template (torch/_inductor/kernel/flex_attention.py)' },
  { class: 'norm', pattern: '^triton_(red|per)_fused.*(rsqrt|_norm|layer_norm|rms_norm)', note: 'Inductor reduction computing a norm (mean of squares, rsqrt)' },
  { class: 'elementwise', pattern: '^triton_(poi|for)_', note: 'Inductor pointwise / foreach kernel, whatever ops it is named after' },
  { class: 'other', pattern: '^triton_(red|per)_', note: 'Inductor reduction (sum, max, softmax statistics)' },

  // Memory activity as nsys and CUPTI name it (`[CUDA memcpy HtoD]`, `[CUDA memset]`) and as the PyTorch
  // profiler does (`Memcpy HtoD (Pageable -> Device)`, `Memset (Device)`): not kernels at all.
  { class: 'memory', pattern: '^\\[?(CUDA )?mem(cpy|set)\\b|^\\[CUDA mem|^Mem(cpy|set) ', flags: 'i', note: 'nsys / CUPTI / PyTorch-profiler memcpy and memset activity names' },
  // PyTorch ATen's indexing kernels move data (aten/src/ATen/native/cuda/Indexing.cu, IndexKernel.cu,
  // ScatterGatherKernel.cu, Embedding.cu): memory, though some are named `..._elementwise_kernel`.
  { class: 'memory', pattern: '^(index_elementwise_kernel|indexSelect(Large|Small)Index|indexFunc(Large|Small)Index|index_put_with_sort_kernel|index_put_kernel|_?scatter_gather_elementwise_kernel|vectorized_gather_kernel|masked_scatter_kernel|take_kernel|put_kernel|embedding_backward_feature_kernel|embedding_backward_kernel|compute_grad_weight|sum_and_scatter)', note: 'PyTorch gathers, scatters, index_select / index_put, embedding lookups' },

  // Communication first: its kernels are the ones most often misread by looser rows below.
  { class: 'communication', pattern: '^nccl(Dev|Symk|SymkDev)?Kernel_|^nccl[A-Z][A-Za-z]*Kernel', op: 'nccl', note: 'NCCL, all naming eras, symmetric-memory kernels' },
  { class: 'communication', pattern: 'cross_device_reduce', op: 'all-reduce', note: 'vLLM / SGLang custom all-reduce (1stage, 2stage and the ROCm variants)' },
  { class: 'communication', pattern: '(^|_)rsag(\\d|_|$)|_rsag\\d', op: 'all-reduce', note: 'FlashInfer / TensorRT-LLM IPC all-reduce as reduce-scatter + all-gather (ipc_rsag_*, ipc_topo_rsag8_*)' },
  { class: 'communication', pattern: 'all_?reduce_?fusion|AllReduceFusion|allReduceFusion', flags: 'i', op: 'all-reduce', note: 'TensorRT-LLM / FlashInfer all-reduce (+RMSNorm) fusion' },
  { class: 'communication', pattern: '(one|two)_?shot_?all_?reduce|lamport.*all_?reduce|all_?reduce.*lamport|multimem_(one_shot_)?all_?reduce', flags: 'i', op: 'all-reduce', note: 'one-shot / two-shot / Lamport / multimem all-reduce (TensorRT-LLM, torch symmetric memory)' },
  { class: 'communication', pattern: 'custom_?all_?reduce|quick_?all_?reduce|quickreduce|allreduce_prototype', flags: 'i', op: 'all-reduce', note: 'custom all-reduce kernels' },
  { class: 'communication', pattern: 'userbuffers.*_rs(_|$)|reduce_?scatter', flags: 'i', op: 'reduce-scatter', note: 'userbuffers / custom reduce-scatter' },
  { class: 'communication', pattern: 'userbuffers.*_ag(_|$)|all_?gather', flags: 'i', op: 'all-gather', note: 'userbuffers / custom all-gather' },
  { class: 'communication', pattern: '^deep_ep::|(intranode|internode|internode_ll)::(dispatch|combine|notify_dispatch|cached_notify)', op: 'all-to-all', note: 'DeepEP expert-parallel dispatch / combine' },
  { class: 'communication', pattern: 'A2A(Dispatch|Combine)|[Aa]ll_?[Tt]o_?[Aa]ll|alltoall', op: 'all-to-all', note: 'MoE all-to-all (TensorRT-LLM, custom)' },
  { class: 'communication', pattern: 'userbuffers|^mscclpp::|all_?reduce', flags: 'i', op: 'all-reduce', note: 'userbuffers, MSCCL++ and other all-reduce kernels' },
  { class: 'communication', pattern: '^nvshmem', op: 'unknown', note: 'NVSHMEM device-initiated communication' },

  // KV-cache writes are copies, whatever attention variant they feed.
  { class: 'memory', pattern: 'reshape_and_cache|concat_and_cache|store_kvcache|write_kv|[Aa]ppend_?[Pp]aged_?[Kk][Vv]|[Aa]ppend_?[Pp]aged_?[Mm]la', note: 'KV-cache writes (vLLM, SGLang, FlashInfer), whatever they quantise or rotate on the way' },

  // Attention, before GEMM: attention kernels are built from GEMM pieces and their names show it.
  { class: 'attention', pattern: 'lean_reduction_kernel', note: 'cuDNN split-KV attention: combines the partial results' },
  { class: 'attention', pattern: 'flash_?attn|^flash::|flash_(fwd|bwd)|FlashAttn|FlashMLA|flash_mla|fmha|sdpa|paged_attention|attention|Attention', note: 'FlashAttention 2/3, cuDNN SDPA, vLLM paged attention, fmha' },
  { class: 'attention', pattern: '^flashinfer::.*(Prefill|Decode|MergeState|Attention)|Batch(Prefill|Decode)With|Single(Prefill|Decode)With|merge_attn_states|MergeState|AttentionSum', note: 'FlashInfer' },
  { class: 'attention', pattern: '(^|_)mha(_|$)|kernel_mha|mmha|masked_multihead|xqa|(^|[_:])mla([_:]|$)', note: 'TensorRT-LLM XQA / MMHA, MLA kernels' },
  { class: 'attention', pattern: '^_fwd_(grouped_)?kernel(_stage\\d)?$|decode_attn|_attn_fwd|attn_fwd', note: 'Triton attention (SGLang decode attention, PyTorch flex)' },

  // Linear attention and state-space token mixers (flash-linear-attention, Mamba): the sequence mixing of
  // their layers, in the place of softmax attention.
  { class: 'attention', pattern: 'delta_rule|gated_delta|_kkt_|kkt_fwd|solve_tril|merge_16x16|recompute_w_u|wy_fast|fused_recurrent|chunk_(gla|gsa|delta|rwkv\\d*|retention|simple_gla|linear_attn|abc|hgrn|based|kda|comba)|chunk_(fwd|bwd)_kernel_(o|h|dh|dv|dqkwg)|chunk_(local|global)_cumsum|linear_attn|lightning_attn|selective_scan|selective_state_update|_chunk_(scan|state|cumsum)_(fwd|bwd)|state_passing|_bmm_chunk|causal_conv1d|fused_gdn_gating|mamba_chunk', note: 'linear-attention (delta rule, GLA, RWKV) and Mamba scan kernels' },

  // MoE before GEMM: a fused MoE kernel is a GEMM over experts.
  { class: 'moe', pattern: 'moe|Moe|MoE|topk_?softmax|topkGating|expert|Expert|grouped_?gemm|GroupedGemm|expandInputRows|finalizeMoeRouting', note: 'fused MoE, routing, token permutation, grouped expert GEMM' },
  { class: 'moe', pattern: '[Rr]outing|[Rr]outer|grouped_?topk|GroupedTopk|fused_gate|topk_?gating|matmul_ogs|_ogs_|bitmatrix', note: 'MoE routing and top-k gating (vLLM grouped_topk, TensorRT-LLM routing*, SGLang moe_fused_gate), triton_kernels matmul_ogs expert GEMM' },
  { class: 'moe', on: 'demangled', pattern: '^(void )?cutlass::.*(GroupProblemShape|MoeProblemShape)', note: 'CUTLASS grouped GEMM over experts (torch._grouped_mm, vLLM cutlass_moe_mm): the group is in the template arguments' },
  { class: 'moe', on: 'demangled', pattern: '^(void )?deep_gemm::\\w*gemm\\w*<.*\\(deep_gemm::GemmType\\)[12]>', note: 'DeepGEMM grouped (per-expert) GEMM' },

  { class: 'gemm', pattern: 'splitKreduce', note: 'cuBLAS split-K GEMM: the reduction step of the GEMM, not communication' },
  { class: 'gemm', pattern: '^(dot_kernel|reduce_1Block_kernel|gemv2[NT]_kernel\\w*|gemvNSP_kernel|gemmSN_[NT]N_kernel|gemmk1_kernel|scal_kernel|axpy_kernel)$', note: 'cuBLAS level-1/2 helpers behind small matmuls (dot, gemv and their reduction step)' },
  { class: 'gemm', pattern: 'gemm|Gemm|GEMM|gemv|Gemv|nvjet|xmma|cublas|Cublas|matmul|Matmul|_mm_|marlin|Marlin|scaled_mm|blockwise|wgmma|tensorop|bmm|s16816|h16816|s1688|h1688', note: 'cuBLAS (nvjet, xmma, cutlass-based), CUTLASS, DeepGEMM, Marlin, Triton matmul' },

  { class: 'norm', pattern: 'rms_?\\w*norm|layer_?norm|group_?norm|batch_?norm|qk_?norm|l2_?norm|norm_?gate|(^|_)ln_(fwd|bwd)', flags: 'i', note: 'RMSNorm / LayerNorm (PyTorch, vLLM, FlashInfer, Inductor)' },

  { class: 'memory', on: 'demangled', pattern: '^(void )?at::native::(vectorized_|unrolled_)?elementwise_kernel(_with_index)?<.*(FillFunctor|copy_kernel_cuda)', note: 'PyTorch fill and copy run as elementwise kernels' },
  { class: 'memory', pattern: '[Cc]opy|[Cc]py|D2D|[Cc]oncat|(^|_)cast_|^cuda[A-Z]?\\w*[Cc]ast|[Mm]emcpy|[Mm]emset|MEMCPY|MEMSET|[Ff]ill|CatArray|cat_array|gather_kernel|scatter_kernel|index_put|transpose|Transpose', note: 'copies, fills, KV-cache writes, gathers' },

  { class: 'elementwise', pattern: '[Qq]uant|cvt_fp16_to_fp4|fp4_quant', note: 'activation quantisation (per-token / per-group / per-tensor FP8, INT8, FP4 scaling)' },
  { class: 'elementwise', pattern: 'elementwise|Elementwise|act_and_mul|silu|Silu|gelu|Gelu|swiglu|SwiGLU|rotary|Rotary|rope|Rope|pointwise|activation|Activation', note: 'PyTorch elementwise, activations, rotary embedding' },
];
