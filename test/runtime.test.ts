/**
 * Runtime recognition (issue 5, item 6): from the profiled command line, process or thread names, or the
 * runtime's own kernels; the recommendations then use that runtime's documented settings.
 */
import { describe, expect, it } from 'vitest';
import { detectRuntime, runtimeOf } from '../analyzer/runtime/detectRuntime.js';
import type { TraceModel } from '../analyzer/model/types.js';
import { Analysis, loadTrace } from '../index.js';
import { adviceMessages, runtimeAdvice, type AdviceTopic } from '../rules/advice.js';
import { formatText } from '../rules/messageFormat.js';
import { samplePath } from './support/traces.js';

/** The parts of a real sample's model that detection reads, with one of them replaced. */
function withSigns(signs: { command?: string; thread?: string; kernel?: string }): TraceModel {
  const m = loadTrace(samplePath('tp4graph-decode.sqlite'));
  return {
    ...m,
    files: m.files.map((f) => ({ ...f, meta: { ...f.meta, command: signs.command ?? null } })),
    threads: signs.thread ? [...m.threads, { index: m.threads.length, process: 0, globalTid: 1, name: signs.thread }] : m.threads,
    opNames: signs.kernel ? [...m.opNames, { short: 'cross_device_reduce_1stage', long: signs.kernel, kind: 0 }] : m.opNames,
  };
}

describe('runtime recognition', () => {
  it('the lab traces are plain PyTorch (torchrun), named from the recorded command line', () => {
    const r = detectRuntime(loadTrace(samplePath('tp4graph-decode.sqlite')));
    expect(r.id).toBe('pytorch');
    expect(r.evidence).toMatch(/^command line: torchrun/);
  });
  it('vLLM from its command line, its worker thread names, or its custom all-reduce kernel', () => {
    expect(detectRuntime(withSigns({ command: 'vllm serve meta-llama/Llama-3.3-70B-Instruct -tp 4' })).id).toBe('vllm');
    expect(detectRuntime(withSigns({ thread: 'VllmWorker-1' })).id).toBe('vllm');
    expect(detectRuntime(withSigns({ kernel: 'void vllm::cross_device_reduce_1stage<__nv_bfloat16, 4>(vllm::RankData*, vllm::RankSignals, vllm::Signal*, __nv_bfloat16*, int, int)' })).id).toBe('vllm');
  });
  it('SGLang and TensorRT-LLM from their command lines', () => {
    expect(detectRuntime(withSigns({ command: 'python3 -m sglang.launch_server --model-path Qwen/Qwen2.5-72B-Instruct --tp 8' })).id).toBe('sglang');
    expect(detectRuntime(withSigns({ command: 'trtllm-serve meta-llama/Llama-3.3-70B-Instruct --tp_size 8' })).id).toBe('tensorrt-llm');
  });
  it('advice is phrased in the detected runtime\'s settings, and silent for runtimes it does not know', () => {
    // The advice a rule reports is a message of the runtime's (its id and no data), filled from the topic's templates.
    const said = (a: Analysis, topic: AdviceTopic) => {
      const t = runtimeAdvice(runtimeOf(a));
      return t === '' ? '' : formatText(adviceMessages(topic), t);
    };
    const vllm = new Analysis(withSigns({ command: 'vllm serve x' }));
    expect(runtimeAdvice(runtimeOf(vllm))).toEqual({ messageId: 'advice.vllm', data: {} });
    expect(said(vllm, 'cudagraph')).toContain('--enforce-eager');
    expect(said(vllm, 'allreduce')).toContain('--disable-custom-all-reduce');
    const sglang = new Analysis(withSigns({ command: 'python -m sglang.launch_server' }));
    expect(said(sglang, 'cudagraph')).toContain('--disable-cuda-graph');
    const trt = new Analysis(withSigns({ command: 'trtllm-serve x' }));
    expect(said(trt, 'allreduce')).toContain('allreduce_strategy');
    expect(runtimeAdvice(runtimeOf(new Analysis(withSigns({}))))).toBe('');
  });
});
