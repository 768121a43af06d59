/**
 * `nsys-tp mcp` end to end: the built CLI spawned as an MCP server on stdio, driven by the official SDK's
 * own client: the tools are listed with their input schemas, and each returns the same JSON result the
 * command writes with --format json; bad input is a tool error with the CLI's one line, and the server
 * keeps serving after it.
 */
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnoseJson, runCli } from './support/cli.js';
import { HAVE_TRACES, REPO, samplePath, sharedTrace } from './support/traces.js';

let client: Client;

beforeAll(async () => {
  client = new Client({ name: 'nsys-tp-test', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [join(REPO, 'dist/cli/main.js'), 'mcp'], stderr: 'pipe' }));
}, 60_000);

afterAll(async () => {
  await client?.close();
});

type ToolReply = { content: { type: string; text: string }[]; isError?: boolean };
const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as ToolReply;
const json = (r: ToolReply) => {
  expect(r.isError ?? false, r.content[0]?.text).toBe(false);
  return JSON.parse(r.content[0]!.text);
};
/** A result without what differs between two runs of the same command (the path named, nothing else). */
const same = (x: { tool: unknown }) => ({ ...x, tool: null });

describe('nsys-tp mcp, through the SDK client', () => {
  it('lists every command as a tool with its input schema', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['classify', 'compare', 'diagnose', 'doctor', 'explain_rule', 'kernels', 'layers', 'list_rules', 'plan', 'scaling', 'steps']);
    const d = tools.find((t) => t.name === 'diagnose')!;
    expect(d.inputSchema.required).toEqual(['traces']);
    expect(Object.keys(d.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['traces', 'model', 'batch', 'rules']));
  });

  it('diagnose returns the result --format json writes', async () => {
    const sample = samplePath('tp4graph-decode.sqlite');
    const viaMcp = json(await call('diagnose', { traces: [sample] }));
    expect(viaMcp.kind).toBe('diagnose');
    expect(same(viaMcp)).toEqual(same(diagnoseJson([sample])));
  });

  it('doctor returns the result --format json writes', async () => {
    const sample = samplePath('tp4graphg-decode.sqlite');
    const viaMcp = json(await call('doctor', { traces: [sample] }));
    expect(viaMcp.kind).toBe('doctor');
    const cli = runCli(['doctor', sample, '--format', 'json']);
    expect(cli.status).toBe(viaMcp.exitCode);
    expect(same(viaMcp)).toEqual(same(JSON.parse(cli.stdout)));
  });

  it('plan, classify, the rules: the CLI\'s results', async () => {
    const p = json(await call('plan', { model: 'llama-3.3-70b', tp: [2, 4], gpu: 'H100', batch: 8 }));
    const cli = JSON.parse(runCli(['plan', '--model', 'llama-3.3-70b', '--tp', '2,4', '--batch', '8', '--format', 'json']).stdout);
    expect(p).toEqual(cli);
    const c = json(await call('classify', { names: ['ncclDevKernel_AllReduce_Sum_bf16_RING_LL', 'nvjet_sm90_tst_64x8_64x16_2x1_v_bz_NNT', 'cross_device_reduce_1stage'] }));
    expect(c.names.map((n: { class: string; op?: string }) => `${n.class}${n.op ? `:${n.op}` : ''}`)).toEqual(['communication:all-reduce', 'gemm', 'communication:all-reduce']);
    const rules = json(await call('list_rules', {}));
    expect(rules.rules.map((r: { id: string }) => r.id)).toContain('straggler-rank');
    expect(rules.rules.find((r: { id: string }) => r.id === 'collective-wait').options).toContainEqual(expect.objectContaining({ name: 'minShareOfStep', type: 'ratio', default: 0.1 }));
    const e = json(await call('explain_rule', { id: 'host-bound-gaps' }));
    expect(e.doc).toMatch(/^# host-bound-gaps/);
  });

  it('bad input and usage are tool errors with the one line the CLI prints, and the server keeps serving', async () => {
    const missing = await call('diagnose', { traces: ['/nonexistent/trace.sqlite'] });
    expect(missing.isError).toBe(true);
    expect(missing.content[0]!.text).toBe('nsys-tp: /nonexistent/trace.sqlite: no such file, or not readable (the MCP server says the same of both)');
    const percent = await call('diagnose', { traces: [samplePath('tp4graph-decode.sqlite')], rules: { 'collective-wait': { minShareOfStep: 20 } } });
    expect(percent.isError).toBe(true);
    expect(percent.content[0]!.text).toMatch(/fraction between 0 and 1.*for 20% write 0\.2/);
    const typo = await call('explain_rule', { id: 'straggler-rnk' });
    expect(typo.content[0]!.text).toMatch(/did you mean "straggler-rank"/);
    expect(json(await call('list_rules', {})).rules.length).toBeGreaterThan(10);
  });

  it.skipIf(!HAVE_TRACES)('layers, steps, kernels and compare on tp4: the CLI\'s results', async () => {
    const tp4 = sharedTrace('tp4');
    const cli = (args: string[]) => JSON.parse(runCli([...args, '--format', 'json']).stdout);
    expect(same(json(await call('layers', { traces: [tp4] })))).toEqual(same(cli(['layers', tp4])));
    expect(same(json(await call('steps', { traces: [tp4], device: 2 })))).toEqual(same(cli(['steps', tp4, '--device', '2'])));
    expect(same(json(await call('kernels', { traces: [tp4] })))).toEqual(same(cli(['kernels', tp4])));
    const graph = sharedTrace('tp4graph');
    const cmp = json(await call('compare', { base: tp4, new: graph }));
    expect(cmp.verdict.line).toMatch(/^decode \d+\.\d× faster/);
    expect(same(cmp)).toEqual(same(cli(['compare', tp4, graph])));
  });
});
