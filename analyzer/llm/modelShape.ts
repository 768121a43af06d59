/**
 * The shape of a dense decoder model, from a Hugging Face config.json or a built-in preset: what message
 * sizes, FLOPs, bytes and TP plans are computed from.
 */
import { BadInputError, UsageError } from '../errors.js';
import type { ModelShape } from '../contract/plan.js';

const DTYPE_BYTES: Record<string, number> = {
  bfloat16: 2, bf16: 2, float16: 2, fp16: 2, half: 2, float32: 4, fp32: 4, float: 4,
  float8: 1, fp8: 1, float8_e4m3fn: 1, fp8_e4m3: 1, e4m3: 1, int8: 1,
};

export function dtypeBytes(dtype: string): number {
  const b = DTYPE_BYTES[dtype.toLowerCase()];
  if (b === undefined) throw new UsageError(`unknown dtype "${dtype}" (known: ${Object.keys(DTYPE_BYTES).join(', ')})`);
  return b;
}

export const PRESETS: Record<string, ModelShape> = {
  // meta-llama/Llama-3.3-70B-Instruct config.json
  'llama-3.3-70b': { name: 'Llama 3.3 70B', hidden: 8192, intermediate: 28672, heads: 64, kvHeads: 8, headDim: 128, layers: 80, vocab: 128256, dtypeBytes: 2, dtype: 'bfloat16' },
  // Qwen/Qwen2.5-72B-Instruct config.json
  'qwen-2.5-72b': { name: 'Qwen 2.5 72B', hidden: 8192, intermediate: 29568, heads: 64, kvHeads: 8, headDim: 128, layers: 80, vocab: 152064, dtypeBytes: 2, dtype: 'bfloat16' },
};
const ALIASES: Record<string, string> = {
  'llama-3-70b': 'llama-3.3-70b', 'llama-3.1-70b': 'llama-3.3-70b', 'llama3.3-70b': 'llama-3.3-70b', 'llama-70b': 'llama-3.3-70b',
  'qwen2.5-72b': 'qwen-2.5-72b', 'qwen-72b': 'qwen-2.5-72b',
};

/** The preset a name stands for: its key, and whether the name was an alias of it (`llama-3-70b` → `llama-3.3-70b`). */
export function resolvePreset(name: string): { key: string; shape: ModelShape; alias: boolean } | null {
  const key = name.toLowerCase();
  if (PRESETS[key]) return { key, shape: PRESETS[key]!, alias: false };
  const to = ALIASES[key];
  return to && PRESETS[to] ? { key: to, shape: PRESETS[to]!, alias: true } : null;
}

/** Every name --model takes as a preset: the presets, then their aliases. */
export const PRESET_NAMES: readonly string[] = [...Object.keys(PRESETS), ...Object.keys(ALIASES)];

export function presetShape(name: string): ModelShape | null {
  const key = name.toLowerCase();
  return PRESETS[key] ?? PRESETS[ALIASES[key] ?? ''] ?? null;
}

/** Reads the fields of a Hugging Face config.json (already parsed). Throws with the missing field named. */
export function shapeFromHfConfig(cfg: Record<string, unknown>, name = 'model'): ModelShape {
  const text = (cfg.text_config && typeof cfg.text_config === 'object' ? cfg.text_config : cfg) as Record<string, unknown>;
  const num = (k: string, fallback?: number): number => {
    const v = text[k];
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) {
      // Counts of layers, heads and channels: 64.5 heads is a broken file, not a model.
      if (!Number.isInteger(v)) throw new BadInputError(`config's "${k}" is ${v}, not a whole number`);
      return v;
    }
    if (fallback !== undefined && (v === undefined || v === null)) return fallback;
    throw new BadInputError(`config has no positive number "${k}"`);
  };
  const hidden = num('hidden_size');
  const heads = num('num_attention_heads');
  const dtype = typeof text.torch_dtype === 'string' ? text.torch_dtype : typeof text.dtype === 'string' ? text.dtype : 'bfloat16';
  return {
    name: typeof cfg._name_or_path === 'string' ? cfg._name_or_path : name,
    hidden,
    intermediate: num('intermediate_size'),
    heads,
    kvHeads: num('num_key_value_heads', heads),
    headDim: num('head_dim', hidden / heads),
    layers: num('num_hidden_layers'),
    vocab: num('vocab_size', 0),
    dtypeBytes: dtypeBytes(dtype),
    dtype,
  };
}

/** Weight parameters of the transformer layers plus embeddings and LM head. */
export function parameterCount(m: ModelShape): number {
  const attn = m.hidden * (m.heads * m.headDim) + 2 * m.hidden * (m.kvHeads * m.headDim) + m.heads * m.headDim * m.hidden;
  const mlp = 3 * m.hidden * m.intermediate;
  return m.layers * (attn + mlp + 2 * m.hidden) + 2 * m.vocab * m.hidden;
}
