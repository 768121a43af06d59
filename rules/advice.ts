/**
 * Recommendations in the runtime's own settings. Every setting here is taken from the runtime's public
 * documentation (the address is cited in the text); nothing is invented.
 *   vLLM engine arguments: https://docs.vllm.ai/en/latest/configuration/engine_args.html
 *   SGLang server arguments: https://docs.sglang.io/advanced_features/server_arguments.html
 *   TensorRT-LLM LLM API (TorchLlmArgs): https://nvidia.github.io/TensorRT-LLM/ (allreduce_strategy, cuda_graph_config)
 */
import type { DetectedRuntime } from '../analyzer/runtime/detectRuntime.js';

export type AdviceTopic = 'allreduce' | 'cudagraph' | 'tp' | 'batch';

const RUNTIMES = ['vllm', 'sglang', 'tensorrt-llm'] as const;
type AdviceRuntime = (typeof RUNTIMES)[number];

const ADVICE: Record<AdviceRuntime, Record<AdviceTopic, string>> = {
  vllm: {
    allreduce: 'In vLLM the custom all-reduce is on unless `--disable-custom-all-reduce` is set: make sure it is not (vLLM engine arguments).',
    cudagraph: 'In vLLM, drop `--enforce-eager` so decode runs from CUDA graphs (vLLM engine arguments).',
    tp: 'In vLLM, set `--tensor-parallel-size` lower (and `--data-parallel-size` for the freed GPUs) (vLLM engine arguments).',
    batch: 'In vLLM, raise `--max-num-seqs` / `--max-num-batched-tokens` (vLLM engine arguments).',
  },
  sglang: {
    allreduce: 'In SGLang the custom all-reduce is on unless `--disable-custom-all-reduce` is set: make sure it is not (SGLang server arguments).',
    cudagraph: 'In SGLang, drop `--disable-cuda-graph` and size `--cuda-graph-max-bs` to the decode batch (SGLang server arguments).',
    tp: 'In SGLang, lower `--tp` and use `--dp` for the freed GPUs (SGLang server arguments).',
    batch: 'In SGLang, raise `--max-running-requests` and `--chunked-prefill-size` (SGLang server arguments).',
  },
  'tensorrt-llm': {
    allreduce: 'In TensorRT-LLM, leave `allreduce_strategy` at AUTO (it picks ONESHOT / TWOSHOT for small messages) rather than NCCL (LLM API TorchLlmArgs).',
    cudagraph: 'In TensorRT-LLM, enable `cuda_graph_config` with batch sizes covering decode (LLM API TorchLlmArgs).',
    tp: 'In TensorRT-LLM, lower `tensor_parallel_size` (LLM API).',
    batch: 'In TensorRT-LLM, raise `max_batch_size` / `max_num_tokens` (LLM API).',
  },
};

/** The advice message ids of a topic: `advice.<runtime>`. */
export type AdviceId = `advice.${AdviceRuntime}`;

/** A topic's sentences as message templates, one per runtime, for a rule to spread into its messages. */
export function adviceMessages(topic: AdviceTopic): Record<AdviceId, string> {
  return Object.fromEntries(RUNTIMES.map((r) => [`advice.${r}`, ADVICE[r][topic]])) as Record<AdviceId, string>;
}

/** The advice for the detected runtime (a message of the rule's, from adviceMessages), or '' when the runtime is not one we know. */
export function runtimeAdvice(runtime: Pick<DetectedRuntime, 'id'>): { messageId: AdviceId; data: Record<string, never> } | '' {
  const { id } = runtime;
  return (RUNTIMES as readonly string[]).includes(id) ? { messageId: `advice.${id as AdviceRuntime}`, data: {} } : '';
}
