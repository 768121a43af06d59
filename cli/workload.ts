/**
 * --model / --batch / --prompt / --dtype / --gpu: the workload and hardware the user states, read into
 * the analysis' types. A model is a preset name or a Hugging Face config.json path.
 */
import { existsSync } from 'node:fs';
import { readSideText } from './sideInput.js';
import type { Workload } from '../analyzer/collectives/messageSize.js';
import type { GpuSpec } from '../analyzer/hardware/gpuSpecs.js';
import type { ModelShape } from '../analyzer/contract/plan.js';
import { BadInputError } from '../index.js';
import { didYouMean, dtypeBytes, jsonSyntaxProblem, GPU_SPECS, gpuSpecFor, PRESET_NAMES, PRESETS, resolvePreset, shapeFromHfConfig } from '../runner/frontend.js';
import { termSafe } from '../analyzer/report/format.js';

/** A Hugging Face config.json is a few kilobytes. */
const MAX_MODEL_CONFIG_BYTES = 4 * 2 ** 20;

export function loadModelShape(arg: string, dtype?: string): ModelShape {
  const preset = resolvePreset(arg);
  // An alias says which preset it stands for, so a user who meant another model sees it.
  if (preset?.alias) process.stderr.write(`nsys-tp: --model ${termSafe(arg)}: the preset ${preset.key} (${preset.shape.name}, ${preset.shape.layers} layers)\n`);
  let shape = preset?.shape ?? null;
  if (!shape) {
    if (!existsSync(arg)) {
      const e = new BadInputError(`--model ${arg}: neither a preset (${Object.keys(PRESETS).join(', ')}) nor a config.json file${didYouMean(arg, PRESET_NAMES)}`);
      e.unreachable = `--model ${arg}`;
      throw e;
    }
    const text = readSideText(arg, { what: `--model ${arg}`, maxBytes: MAX_MODEL_CONFIG_BYTES });
    let cfg: unknown;
    try {
      cfg = JSON.parse(text);
    } catch {
      throw new BadInputError(`--model ${arg}: not a JSON config (${jsonSyntaxProblem(text)})`);
    }
    if (typeof cfg !== 'object' || cfg === null) throw new BadInputError(`--model ${arg}: not a JSON object`);
    try {
      shape = shapeFromHfConfig(cfg as Record<string, unknown>, arg);
    } catch (e) {
      throw new BadInputError(`--model ${arg}: ${(e as Error).message}`);
    }
  }
  if (dtype) {
    try {
      shape = { ...shape, dtype, dtypeBytes: dtypeBytes(dtype) };
    } catch (e) {
      throw new BadInputError(`--dtype: ${(e as Error).message}`);
    }
  }
  return shape;
}

export function workloadFrom(opts: { model?: string; batch?: number; prompt?: number; dtype?: string }): Workload | undefined {
  if (opts.model === undefined) {
    if (opts.batch || opts.prompt) throw new BadInputError('--batch and --prompt need --model (a preset or a config.json)');
    return undefined;
  }
  const model = loadModelShape(opts.model, opts.dtype);
  if (!opts.batch) throw new BadInputError('--model needs --batch (sequences per step) to size messages and work');
  return { model, batch: opts.batch, prompt: opts.prompt };
}

export function gpuFrom(arg: string | undefined): GpuSpec | undefined {
  if (!arg) return undefined;
  const spec = gpuSpecFor(arg);
  if (!spec) throw new BadInputError(`--gpu ${arg}: unknown GPU (known: ${GPU_SPECS.map((g) => g.key).join(', ')})${didYouMean(arg, GPU_SPECS.map((g) => g.key))}`);
  return spec;
}
