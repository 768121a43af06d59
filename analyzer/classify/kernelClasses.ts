/**
 * The kernel class table: data, not if-chains. First matching row wins; user rows (config) go first.
 * Each pattern is tested against the short name, the qualified function name and the wrapped identifier
 * (see kernelName.ts), never against template arguments.
 */
export const KERNEL_CLASSES = ['gemm', 'attention', 'communication', 'norm', 'elementwise', 'memory', 'moe', 'other'] as const;
export type KernelClass = (typeof KERNEL_CLASSES)[number];
export const COMPUTE_CLASSES: readonly KernelClass[] = ['gemm', 'attention', 'norm', 'elementwise', 'moe', 'other'];

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

  // Communication first: its kernels are the ones most often misread by looser rows below.
  { class: 'communication', pattern: '^nccl(Dev|Symk|SymkDev)?Kernel_|^nccl[A-Z][A-Za-z]*Kernel', op: 'nccl', note: 'NCCL, all naming eras, symmetric-memory kernels' },
  { class: 'communication', pattern: 'cross_device_reduce_(1|2)stage', op: 'all-reduce', note: 'vLLM / SGLang custom all-reduce' },
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
  { class: 'memory', pattern: 'reshape_and_cache|concat_and_cache|store_kvcache|write_kv|append_paged_kv', note: 'KV-cache writes (vLLM, SGLang, FlashInfer)' },

  // Attention, before GEMM: attention kernels are built from GEMM pieces and their names show it.
  { class: 'attention', pattern: 'lean_reduction_kernel', note: 'cuDNN split-KV attention: combines the partial results' },
  { class: 'attention', pattern: 'flash_?attn|^flash::|flash_(fwd|bwd)|FlashAttn|FlashMLA|flash_mla|fmha|sdpa|paged_attention|attention|Attention', note: 'FlashAttention 2/3, cuDNN SDPA, vLLM paged attention, fmha' },
  { class: 'attention', pattern: '^flashinfer::.*(Prefill|Decode|MergeState|Attention)|Batch(Prefill|Decode)With|Single(Prefill|Decode)With|merge_attn_states|MergeStates', note: 'FlashInfer' },
  { class: 'attention', pattern: '(^|_)mha(_|$)|kernel_mha|mmha|masked_multihead|xqa|(^|[_:])mla([_:]|$)', note: 'TensorRT-LLM XQA / MMHA, MLA kernels' },
  { class: 'attention', pattern: '^_fwd_(grouped_)?kernel(_stage\\d)?$|decode_attn|_attn_fwd|attn_fwd', note: 'Triton attention (SGLang decode attention, PyTorch flex)' },

  // MoE before GEMM: a fused MoE kernel is a GEMM over experts.
  { class: 'moe', pattern: 'moe|Moe|MoE|topk_?softmax|topkGating|expert|Expert|grouped_?gemm|GroupedGemm|expandInputRows|finalizeMoeRouting', note: 'fused MoE, routing, token permutation, grouped expert GEMM' },
  { class: 'moe', on: 'demangled', pattern: '^(void )?deep_gemm::\\w*gemm\\w*<.*\\(deep_gemm::GemmType\\)[12]>', note: 'DeepGEMM grouped (per-expert) GEMM' },

  { class: 'gemm', pattern: 'splitKreduce', note: 'cuBLAS split-K GEMM: the reduction step of the GEMM, not communication' },
  { class: 'gemm', pattern: 'gemm|Gemm|GEMM|gemv|Gemv|nvjet|xmma|cublas|Cublas|matmul|Matmul|_mm_|marlin|Marlin|scaled_mm|blockwise|wgmma|tensorop|bmm|s16816|h16816|s1688|h1688', note: 'cuBLAS (nvjet, xmma, cutlass-based), CUTLASS, DeepGEMM, Marlin, Triton matmul' },

  { class: 'norm', pattern: 'rms_?norm|RmsNorm|RMSNorm|layer_?norm|LayerNorm|layernorm|Layernorm|group_?norm|GroupNorm|batch_?norm|BatchNorm', note: 'RMSNorm / LayerNorm (PyTorch, vLLM, FlashInfer, Inductor)' },

  { class: 'memory', on: 'demangled', pattern: '^(void )?at::native::(vectorized_|unrolled_)?elementwise_kernel(_with_index)?<.*(FillFunctor|copy_kernel_cuda)', note: 'PyTorch fill and copy run as elementwise kernels' },
  { class: 'memory', pattern: '[Cc]opy|memcpy|memset|MEMCPY|MEMSET|[Ff]ill|CatArray|cat_array|gather_kernel|scatter_kernel|index_put|transpose|Transpose', note: 'copies, fills, KV-cache writes, gathers' },

  { class: 'elementwise', pattern: 'elementwise|Elementwise|act_and_mul|silu|Silu|gelu|Gelu|swiglu|SwiGLU|rotary|Rotary|rope|Rope|pointwise|activation|Activation', note: 'PyTorch elementwise, activations, rotary embedding' },
];
