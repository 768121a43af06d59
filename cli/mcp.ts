/**
 * `nsys-tp mcp`: the commands as Model Context Protocol tools on stdio (the official TypeScript SDK), for
 * agents: doctor (what a trace can answer, asked first), diagnose, layers, steps, kernels, compare, scaling, plan, classify, and the rules (list, explain).
 * Each tool returns the command's JSON result, exactly what `--format json` writes; bad input or usage is
 * a tool error with the one line the CLI would print. Stdout is the protocol: nothing else writes there
 * (progress and notes go to stderr).
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
import {
  classifier, compare, diagnose, doctor, explainRule, kernelsResultOf, layersResultOf, NsysTpError, plan, render, ruleCatalogue, scaling, stepsResultOf,
  TOOL_VERSION, UsageError, type CompareSide, type Result,
} from '../index.js';
import { analyseConfig, withTraces, type AnalysisFlags } from './diagnosis.js';
import { isSavedResult, readSavedDiagnosis } from './savedResult.js';
import { linearPattern, PatternError } from './userPattern.js';
import { gpuFrom, loadModelShape } from './workload.js';

const traces = z.array(z.string()).min(1).describe('nsys SQLite export paths (several: one per rank, one job); .nsys-rep is exported first');
const analysis = {
  steps: z.string().optional().describe('regular expression of the NVTX ranges that are steps (default: auto-detect prefill / decode N / step N)'),
  stepSource: z.enum(['nvtx', 'graph', 'gaps']).optional().describe('where steps come from when not auto'),
  from: z.number().optional().describe('only steps starting at or after this time (session clock, s)'),
  to: z.number().optional().describe('only steps ending at or before this time (session clock, s)'),
  model: z.string().optional().describe('model preset (llama-3.3-70b, qwen-2.5-72b) or a Hugging Face config.json path: message sizes and roofline'),
  batch: z.number().positive().optional().describe('sequences per step (with model)'),
  prompt: z.number().positive().optional().describe('prompt tokens per sequence, for prefill (with model)'),
  gpu: z.string().optional().describe('GPU datasheet when the trace names none or the wrong one (H100, H200, A100, B200)'),
  config: z.string().optional().describe('JSON config file: extra kernel classes, rule options, disabled rules'),
  rules: z.record(z.string(), z.record(z.string(), z.number())).optional().describe('rule options: { "<rule id>": { "<option>": value } }; fractions are 0-1'),
};
type AnalysisArgs = { steps?: string; stepSource?: 'nvtx' | 'graph' | 'gaps'; from?: number; to?: number; model?: string; batch?: number; prompt?: number; gpu?: string; config?: string; rules?: Record<string, Record<string, number>> };

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

type Reply = { content: { type: 'text'; text: string }[]; isError?: boolean };

/** The tool's answer: the result as nsys-tp's JSON, or the one-line error the CLI would print. */
async function reply(run: () => Promise<Result | object>): Promise<Reply> {
  try {
    const r = await run();
    const text = 'kind' in r && 'schemaVersion' in r ? await render(r as Result, 'json') : `${JSON.stringify(r, null, 2)}\n`;
    return { content: [{ type: 'text', text }] };
  } catch (e) {
    const msg = e instanceof NsysTpError ? e.message : `internal error: ${(e as Error).message?.split('\n')[0] ?? String(e)}`;
    return { content: [{ type: 'text', text: `nsys-tp: ${msg}` }], isError: true };
  }
}

const diagnosis = (paths: string[], a: AnalysisArgs) => withTraces(paths, (p, hooks) => diagnose(p, analyseConfig(flags(a)), hooks));

export function mcpServer(): McpServer {
  const server = new McpServer({ name: 'nsys-tp', version: TOOL_VERSION });
  server.registerTool('doctor', {
    title: 'What a trace can answer',
    description: 'Ask first: what the capture holds and lacks for a TP diagnosis (GPUs and ranks against the declared world size, per-rank files, ' +
      'CUDA graph trace mode, CUDA API, NVTX, OS runtime, NCCL NVTX and payloads, GPU metrics, capture range, step source), each with its evidence, ' +
      'what each gap costs (rules that cannot run, numbers that become guesses), and the nsys profile / export lines that capture it right. ' +
      'exitCode: 0 complete, 1 usable with gaps, 2 not a TP capture nsys-tp can diagnose.',
    inputSchema: { traces, steps: analysis.steps, stepSource: analysis.stepSource, config: analysis.config },
  }, async (a) => reply(() => withTraces(a.traces, (p, hooks) => doctor(p, analyseConfig(flags(a), { workload: undefined, gpu: undefined }), hooks))));
  server.registerTool('diagnose', {
    title: 'Diagnose a TP inference trace',
    description: 'Where each GPU\'s step time goes per phase (GEMM, attention, communication split into transfer and waiting, idle), collectives, ' +
      'roofline (with model and batch), per-step rows, top kernels, layers, and findings with their places on the capture\'s timeline.',
    inputSchema: { traces, ...analysis },
  }, async (a) => reply(() => diagnosis(a.traces, a)));
  server.registerTool('layers', {
    title: 'Per-layer time',
    description: 'Per layer and phase: attention and MLP compute and comm, exposed comm, idle; summarised across ranks (min / median / max, the GPU the others wait for), or one GPU in full.',
    inputSchema: { traces, device: z.number().int().nonnegative().optional().describe('one GPU (CUDA device id) in full'), ...analysis },
  }, async (a) => reply(async () => layersResultOf(await diagnosis(a.traces, a), a.device)));
  server.registerTool('steps', {
    title: 'Every step',
    description: 'One row per step: start on the capture clock, span, time per class, comm transfer and waiting, idle, the rank that arrived last.',
    inputSchema: { traces, device: z.number().int().nonnegative().optional().describe('one GPU (CUDA device id) instead of the mean over the GPUs'), ...analysis },
  }, async (a) => reply(async () => stepsResultOf(await diagnosis(a.traces, a), a.device)));
  server.registerTool('kernels', {
    title: 'Top kernels',
    description: 'Per phase over the steady steps: the kernels with the most time (count, total, mean, share), per class and inside a layer.',
    inputSchema: { traces, ...analysis },
  }, async (a) => reply(async () => kernelsResultOf(await diagnosis(a.traces, a))));
  server.registerTool('compare', {
    title: 'Compare two traces',
    description: 'What changed between a base and a new trace, beyond run-to-run noise, and why. Either side may be a saved diagnose result (.json).',
    inputSchema: { base: z.string().describe('the reference: a trace or a saved diagnose result JSON'), new: z.string().describe('the trace to review (or a saved result)'), ...analysis },
  }, async (a) => reply(async () => {
    const side = async (t: string): Promise<CompareSide> => (isSavedResult(t) ? readSavedDiagnosis(t) : diagnosis([t], a));
    return compare(await side(a.base), await side(a.new), analyseConfig(flags(a)));
  }));
  server.registerTool('scaling', {
    title: 'TP scaling',
    description: 'Traces of one model at several TP degrees: step time, tokens/s per replica and per GPU, efficiency, $/MTok, bottleneck per TP, which TP to serve at.',
    inputSchema: {
      traces: z.array(z.string()).min(2).describe('one trace per TP degree'), batch: z.number().positive().describe('tokens per decode step'),
      prompt: z.number().positive().optional(), gpuHourPrice: z.number().positive().optional(), model: z.string().optional(), context: z.number().positive().optional(),
      memoryUtilization: z.number().positive().optional(), gpu: z.string().optional(), steps: z.string().optional(), config: z.string().optional(),
      rules: analysis.rules,
    },
  }, async (a) => reply(() => {
    const model = a.model !== undefined ? loadModelShape(a.model) : undefined;
    const config = analyseConfig(flags({ steps: a.steps, config: a.config, rules: a.rules }), { workload: undefined, gpu: gpuFrom(a.gpu) });
    return withTraces(a.traces, (paths, hooks) => scaling(paths, {
      ...config, batch: a.batch, prompt: a.prompt ?? null, gpuHourPrice: a.gpuHourPrice ?? null, model, context: a.context, memoryUtilization: a.memoryUtilization ?? 0.9,
    }, hooks));
  }));
  server.registerTool('plan', {
    title: 'TP plan check',
    description: 'A model at several TP degrees before anything runs: weights, heads and KV per rank, FP8 block alignment, all-reduce cost per token, KV cache room.',
    inputSchema: {
      model: z.string().describe('preset (llama-3.3-70b, qwen-2.5-72b) or a config.json path'), tp: z.array(z.number().int().positive()).optional().describe('TP degrees (default 1, 2, 4, 8)'),
      gpu: z.string().optional().describe('default H100'), batch: z.number().positive().optional(), context: z.number().positive().optional(),
      dtype: z.string().optional(), memoryUtilization: z.number().positive().optional(), rules: analysis.rules,
    },
  }, async (a) => reply(async () => plan(loadModelShape(a.model, a.dtype), {
    tps: a.tp ?? [1, 2, 4, 8], gpu: gpuFrom(a.gpu ?? 'H100')!, batch: a.batch ?? 1, context: a.context ?? null, memoryUtilization: a.memoryUtilization ?? 0.9, activationBytes: 2,
  }, { options: a.rules })));
  server.registerTool('classify', {
    title: 'Classify kernel names',
    description: 'The class nsys-tp gives each kernel name (gemm, attention, communication with its collective, norm, elementwise, memory, moe, other).',
    inputSchema: { names: z.array(z.string()).describe('kernel names as nsys shows them') },
  }, async (a) => reply(async () => {
    const c = classifier();
    return { kind: 'classification', names: a.names.map((name) => ({ name, ...c(name) })) };
  }));
  server.registerTool('list_rules', {
    title: 'List the rules',
    description: 'Every rule: id, severity, what it runs on, what it needs, its options with kinds and defaults.',
  }, async () => reply(async () => ({ kind: 'rules', rules: ruleCatalogue() })));
  server.registerTool('explain_rule', {
    title: 'Explain a rule',
    description: 'A rule\'s description, options and doc (Detects, Thresholds, Example, Fix).',
    inputSchema: { id: z.string().describe('rule id, e.g. host-bound-gaps') },
  }, async (a) => reply(async () => ({ kind: 'rule', ...explainRule(a.id) })));
  return server;
}

export async function serveMcp(): Promise<void> {
  const server = mcpServer();
  await server.connect(new StdioServerTransport());
  // Serve until the client closes stdin.
  await new Promise<void>((resolve) => process.stdin.on('close', resolve).on('end', resolve));
}
