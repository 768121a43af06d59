/**
 * The MCP server's tools: each command as a tool, with the input schema agents see and the run that
 * answers it (in a worker thread of its own: mcp.ts). Arguments are checked as the CLI checks its flags:
 * an unknown or misspelt argument is refused with the close name, rule options go through the config's
 * own validation (a `__proto__` rule is refused, not dropped).
 */
import { z } from 'zod';
import {
  classifier, compare, diagnose, doctor, explainRule, kernelsResultOf, layersResultOf, NsysTpError, plan, render, ruleCatalogue, scaling, stepsResultOf,
  KERNEL_CLASSES, RESULT_SCHEMAS, STEP_SOURCES, UsageError, type CompareSide, type Result, type ResultKind,
} from '../index.js';
import { closest, didYouMean, GPU_SPECS } from '../runner/frontend.js';
import { analyseConfig, withTraces, type AnalysisFlags } from './diagnosis.js';
import { ruleOptionsFromConfig } from './ruleOptions.js';
import { isSavedResult, readSavedDiagnosis } from './savedResult.js';
import { linearPattern, PatternError } from './userPattern.js';
import { gpuFrom, loadModelShape } from './workload.js';

const traces = z.array(z.string()).min(1).describe('nsys SQLite export paths (several: one per rank, one job); .nsys-rep is exported first');
const rules = z.record(z.string(), z.record(z.string(), z.number())).optional().describe('rule options: { "<rule id>": { "<option>": value } }; fractions are 0-1');
const analysis = {
  steps: z.string().optional().describe('regular expression of the NVTX ranges that are steps (default: auto-detect prefill / decode N / step N)'),
  stepSource: z.enum(STEP_SOURCES).optional().describe('where steps come from when not auto'),
  from: z.number().optional().describe('only steps starting at or after this time (session clock, s)'),
  to: z.number().optional().describe('only steps ending at or before this time (session clock, s)'),
  model: z.string().optional().describe('model preset (llama-3.3-70b, qwen-2.5-72b) or a Hugging Face config.json path: message sizes and roofline'),
  batch: z.number().positive().optional().describe('sequences per step (with model)'),
  prompt: z.number().positive().optional().describe('prompt tokens per sequence, for prefill (with model)'),
  gpu: z.string().optional().describe(`GPU datasheet when the trace names none or the wrong one (${GPU_SPECS.map((g) => g.key).join(', ')})`),
  config: z.string().optional().describe('JSON config file: extra kernel classes, rule options, disabled rules'),
  rules,
};
type AnalysisArgs = { steps?: string; stepSource?: string; from?: number; to?: number; model?: string; batch?: number; prompt?: number; gpu?: string; config?: string; rules?: Record<string, Record<string, number>> };

function flags(a: AnalysisArgs): AnalysisFlags {
  let steps: RegExp | undefined;
  if (a.steps !== undefined) {
    try {
      steps = linearPattern(a.steps).re;
    } catch (e) {
      if (e instanceof PatternError) throw new UsageError(`steps: ${e.message}`);
      throw e;
    }
  }
  return {
    steps, stepSource: a.stepSource, from: a.from === undefined ? undefined : a.from * 1e9, to: a.to === undefined ? undefined : a.to * 1e9,
    config: a.config, rule: a.rules, model: a.model, batch: a.batch, prompt: a.prompt, gpu: a.gpu,
  };
}

const diagnosis = (paths: string[], a: AnalysisArgs) => withTraces(paths, (p, hooks) => diagnose(p, analyseConfig(flags(a)), hooks));

export interface Tool {
  name: string;
  title: string;
  description: string;
  inputSchema?: z.ZodRawShape;
  /** The kind of result the tool returns, whose contract schema is its output schema; none for the lists. */
  result?: ResultKind;
  run(a: any): Promise<Result | object>;
}

/** A tool's output schema: its result's schema from the contract (analyzer/contract). */
export const outputSchemaOf = (t: Tool) => (t.result ? RESULT_SCHEMAS[t.result] : undefined);

export const TOOLS: Tool[] = [
  {
    name: 'doctor', title: 'What a trace can answer',
    result: 'doctor',
    description: 'Ask first: what the capture holds and lacks for a TP diagnosis (GPUs and ranks against the declared world size, per-rank files, ' +
      'CUDA graph trace mode, CUDA API, NVTX, OS runtime, NCCL NVTX and payloads, GPU metrics, capture range, step source), each with its evidence, ' +
      'what each gap costs (rules that cannot run, numbers that become guesses), and the nsys profile / export lines that capture it right. ' +
      'exitCode: 0 complete, 1 usable with gaps, 2 not a TP capture nsys-tp can diagnose.',
    inputSchema: { traces, steps: analysis.steps, stepSource: analysis.stepSource, config: analysis.config },
    run: (a) => withTraces(a.traces, (p, hooks) => doctor(p, analyseConfig(flags(a), { workload: undefined, gpu: undefined }), hooks)),
  },
  {
    name: 'diagnose', title: 'Diagnose a TP inference trace',
    result: 'diagnose',
    description: 'Where each GPU\'s step time goes per phase (GEMM, attention, communication split into transfer and waiting, idle), collectives, ' +
      'roofline (with model and batch), per-step rows, top kernels, layers, and findings with their places on the capture\'s timeline.',
    inputSchema: { traces, ...analysis },
    run: (a) => diagnosis(a.traces, a),
  },
  {
    name: 'layers', title: 'Per-layer time',
    result: 'layers',
    description: 'Per layer and phase: attention and MLP compute and comm, exposed comm, idle; summarised across ranks (min / median / max, the GPU the others wait for), or one GPU in full.',
    inputSchema: { traces, device: z.number().int().nonnegative().optional().describe('one GPU (CUDA device id) in full'), ...analysis },
    run: async (a) => layersResultOf(await diagnosis(a.traces, a), a.device),
  },
  {
    name: 'steps', title: 'Every step',
    result: 'steps',
    description: 'One row per step: start on the capture clock, span, time per class, comm transfer and waiting, idle, the rank that arrived last.',
    inputSchema: { traces, device: z.number().int().nonnegative().optional().describe('one GPU (CUDA device id) instead of the mean over the GPUs'), ...analysis },
    run: async (a) => stepsResultOf(await diagnosis(a.traces, a), a.device),
  },
  {
    name: 'kernels', title: 'Top kernels',
    result: 'kernels',
    description: 'Per phase over the steady steps: the kernels with the most time (count, total, mean, share), per class and inside a layer.',
    inputSchema: { traces, ...analysis },
    run: async (a) => kernelsResultOf(await diagnosis(a.traces, a)),
  },
  {
    name: 'compare', title: 'Compare two traces',
    result: 'compare',
    description: 'What changed between a base and a new trace, beyond run-to-run noise, and why. Either side may be a saved diagnose result (.json).',
    inputSchema: { base: z.string().describe('the reference: a trace or a saved diagnose result JSON'), new: z.string().describe('the trace to review (or a saved result)'), ...analysis },
    run: async (a) => {
      const side = async (t: string): Promise<CompareSide> => (isSavedResult(t) ? readSavedDiagnosis(t) : diagnosis([t], a));
      return compare(await side(a.base), await side(a.new), analyseConfig(flags(a)));
    },
  },
  {
    name: 'scaling', title: 'TP scaling',
    result: 'scaling',
    description: 'Traces of one model at several TP degrees: step time, tokens/s per replica and per GPU, efficiency, $/MTok, bottleneck per TP, which TP to serve at.',
    inputSchema: {
      traces: z.array(z.string()).min(2).describe('one trace per TP degree'), batch: z.number().positive().describe('tokens per decode step'),
      prompt: z.number().positive().optional(), gpuHourPrice: z.number().positive().optional(), model: z.string().optional(), context: z.number().positive().optional(),
      memoryUtilization: z.number().positive().optional(), gpu: z.string().optional(), steps: z.string().optional(), config: z.string().optional(), rules,
    },
    run: (a) => {
      const model = a.model !== undefined ? loadModelShape(a.model) : undefined;
      const config = analyseConfig(flags({ steps: a.steps, config: a.config, rules: a.rules }), { workload: undefined, gpu: gpuFrom(a.gpu) });
      return withTraces(a.traces, (paths, hooks) => scaling(paths, {
        ...config, batch: a.batch, prompt: a.prompt ?? null, gpuHourPrice: a.gpuHourPrice ?? null, model, context: a.context, memoryUtilization: a.memoryUtilization ?? 0.9,
      }, hooks));
    },
  },
  {
    name: 'plan', title: 'TP plan check',
    result: 'plan',
    description: 'A model at several TP degrees before anything runs: weights, heads and KV per rank, FP8 block alignment, all-reduce cost per token, KV cache room.',
    inputSchema: {
      model: z.string().describe('preset (llama-3.3-70b, qwen-2.5-72b) or a config.json path'), tp: z.array(z.number().int().positive()).optional().describe('TP degrees (default 1, 2, 4, 8)'),
      gpu: z.string().optional().describe('default H100'), batch: z.number().positive().optional(), context: z.number().positive().optional(),
      dtype: z.string().optional(), memoryUtilization: z.number().positive().optional(), rules,
    },
    run: async (a) => plan(loadModelShape(a.model, a.dtype), {
      tps: a.tp ?? [1, 2, 4, 8], gpu: gpuFrom(a.gpu ?? 'H100')!, batch: a.batch ?? 1, context: a.context ?? null, memoryUtilization: a.memoryUtilization ?? 0.9, activationBytes: 2,
    }, { options: a.rules }),
  },
  {
    name: 'classify', title: 'Classify kernel names',
    description: `The class nsys-tp gives each kernel name (${KERNEL_CLASSES.map((c) => (c === 'communication' ? 'communication with its collective' : c)).join(', ')}).`,
    inputSchema: { names: z.array(z.string()).describe('kernel names as nsys shows them') },
    run: async (a) => {
      const c = classifier();
      return { kind: 'classification', names: (a.names as string[]).map((name) => ({ name, ...c(name) })) };
    },
  },
  {
    name: 'list_rules', title: 'List the rules',
    description: 'Every rule: id, severity, what it runs on, what it needs, its options with kinds and defaults.',
    run: async () => ({ kind: 'rules', rules: ruleCatalogue() }),
  },
  {
    name: 'explain_rule', title: 'Explain a rule',
    description: 'A rule\'s description, options and doc (Detects, Thresholds, Example, Fix).',
    inputSchema: { id: z.string().describe('rule id, e.g. host-bound-gaps') },
    run: async (a) => ({ kind: 'rule', ...explainRule(a.id) }),
  },
];

/**
 * The CLI's checks on a call's arguments as the client sent them (before the schema's parse, which drops
 * unknown keys and `__proto__`): null when they pass, else the one line the CLI would print.
 */
export function argumentsProblem(name: string, args: unknown): string | null {
  const tool = TOOLS.find((t) => t.name === name);
  if (!tool || args === undefined || args === null || typeof args !== 'object' || Array.isArray(args)) return null;
  const known = Object.keys(tool.inputSchema ?? {});
  for (const k of Object.keys(args)) {
    if (!known.includes(k)) {
      return `nsys-tp: ${name}: unknown argument ${JSON.stringify(k)}${didYouMean(k, known)}${closest(k, known) ? '' : ` (it takes: ${known.join(', ') || 'none'})`}`;
    }
  }
  const r = (args as { rules?: unknown }).rules;
  if (r !== undefined && known.includes('rules')) {
    try {
      ruleOptionsFromConfig(r);
    } catch (e) {
      return `nsys-tp: rules: ${(e as Error).message}`;
    }
  }
  return null;
}

export type Reply = { content: { type: 'text'; text: string }[]; structuredContent?: Record<string, unknown>; isError?: boolean };

export const errorReply = (text: string): Reply => ({ content: [{ type: 'text', text: `nsys-tp: ${text}` }], isError: true });

/** The tool's answer: the result as nsys-tp's JSON, or the one-line error the CLI would print. */
export async function runTool(name: string, args: unknown): Promise<Reply> {
  const tool = TOOLS.find((t) => t.name === name);
  if (!tool) return errorReply(`unknown tool ${JSON.stringify(name)}`);
  try {
    const bad = argumentsProblem(name, args);
    if (bad) throw new UsageError(bad.replace(/^nsys-tp: /, ''));
    const r = await tool.run(args ?? {});
    if (!tool.result) return { content: [{ type: 'text', text: `${JSON.stringify(r, null, 2)}\n` }] };
    const text = await render(r as Result, 'json');
    // The same result twice: as text (what --format json writes) and as the structured content its output schema describes.
    return { content: [{ type: 'text', text }], structuredContent: JSON.parse(text) as Record<string, unknown> };
  } catch (e) {
    if (e instanceof NsysTpError && e.unreachable) return errorReply(`${e.unreachable}: no such file, or not readable (the MCP server says the same of both)`);
    return errorReply(e instanceof NsysTpError ? e.message : `internal error: ${(e as Error).message?.split('\n')[0] ?? String(e)}`);
  }
}
