/**
 * Which serving runtime produced the trace, from what it leaves in one: the profiled command line,
 * process and thread names, and its own kernels' namespaces. Recommendations are phrased in its settings.
 */
import { artifact } from '../artifact.js';
import type { TraceModel } from '../model/types.js';
import { ellipsize } from '../text/units.js';

export type RuntimeId = 'vllm' | 'sglang' | 'tensorrt-llm' | 'pytorch' | 'unknown';

export interface DetectedRuntime {
  id: RuntimeId;
  name: string;
  /** What showed it: `command line: vllm serve ...`, `kernel vllm::cross_device_reduce_1stage`. */
  evidence: string | null;
}

const SIGNS: { id: RuntimeId; name: string; text: RegExp; kernel: RegExp }[] = [
  { id: 'vllm', name: 'vLLM', text: /\bvllm\b|VllmWorker|EngineCore/i, kernel: /^vllm::|^_C::|cross_device_reduce/ },
  { id: 'sglang', name: 'SGLang', text: /\bsglang\b|sgl_|sglang::/i, kernel: /^sgl_kernel::|^sglang::/ },
  { id: 'tensorrt-llm', name: 'TensorRT-LLM', text: /tensorrt_llm|trtllm|trt-llm/i, kernel: /^tensorrt_llm::|trtllm/ },
];

/** A command line as evidence: whole, unless absurdly long; then its start and end (where flags usually are). */
const shown = (cmd: string) => ellipsize(cmd, 400);

export function detectRuntime(model: TraceModel): DetectedRuntime {
  const commands = model.files.map((f) => f.meta.command ?? '').filter(Boolean);
  const names = [...model.processes.map((p) => p.name), ...model.threads.map((t) => t.name)];
  for (const s of SIGNS) {
    const cmd = commands.find((c) => s.text.test(c));
    if (cmd) return { id: s.id, name: s.name, evidence: `command line: ${shown(cmd)}` };
    const n = names.find((x) => s.text.test(x));
    if (n) return { id: s.id, name: s.name, evidence: `process/thread name: ${n}` };
    const k = model.opNames.find((o) => s.kernel.test(o.long.replace(/^void\s+/, '')) || s.kernel.test(o.short));
    if (k) return { id: s.id, name: s.name, evidence: `kernel ${k.short}` };
  }
  const torch = commands.find((c) => /torchrun|torch\.distributed|python/.test(c));
  return torch ? { id: 'pytorch', name: 'PyTorch', evidence: `command line: ${shown(torch)}` } : { id: 'unknown', name: 'unknown runtime', evidence: null };
}

/** The trace's runtime, detected once per analysis. */
export const runtimeOf = artifact(['model'], (a) => detectRuntime(a.model));
