/**
 * `nsys-tp mcp`: the commands as Model Context Protocol tools on stdio (the official TypeScript SDK), for
 * agents: doctor (what a trace can answer, asked first), diagnose, layers, steps, kernels, compare, scaling, plan, classify, and the rules (list, explain).
 * Each tool returns the command's JSON result, exactly what `--format json` writes; bad input or usage is
 * a tool error with the one line the CLI would print (files it could not reach worded alike, missing or
 * not readable). Stdout is the protocol: nothing else writes there (progress and notes go to stderr).
 *
 * Each call runs in a worker thread of its own, so a call that reads for minutes, or waits on a pipe,
 * never stops the server answering pings and other calls; a call the client cancels is stopped. The
 * transport (mcpTransport.ts) answers what the SDK's would drop (a line too long, one that is not
 * JSON-RPC) and screens each call's arguments as the client sent them.
 */
import { Worker } from 'node:worker_threads';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { TOOL_VERSION } from '../index.js';
import { argumentsProblem, errorReply, outputSchemaOf, TOOLS, type Reply } from './mcpTools.js';
import { LineTransport } from './mcpTransport.js';

/** Calls in flight, stopped when the client goes. */
const running = new Set<Worker>();

function inWorker(name: string, args: unknown, signal?: AbortSignal): Promise<Reply> {
  return new Promise((resolve) => {
    // A code range of 64 MiB, not V8's default reservation: each call's thread costs less address space (ulimit -v).
    const w = new Worker(new URL('./mcpWorker.js', import.meta.url), { workerData: { name, args }, resourceLimits: { codeRangeSizeMb: 64 } });
    running.add(w);
    let settled = false;
    const done = (r: Reply) => {
      if (settled) return;
      settled = true;
      running.delete(w);
      signal?.removeEventListener('abort', cancel);
      void w.terminate();
      resolve(r);
    };
    const cancel = () => done(errorReply(`${name}: cancelled by the client`));
    signal?.addEventListener('abort', cancel);
    w.once('message', (r: Reply) => done(r));
    w.once('error', (e) => done(errorReply(`internal error: ${e.message.split('\n')[0]}`)));
    w.once('exit', (code) => done(errorReply(`internal error: the ${name} call ended without an answer (exit ${code})`)));
  });
}

export function mcpServer(): McpServer {
  const server = new McpServer({ name: 'nsys-tp', version: TOOL_VERSION });
  for (const t of TOOLS) {
    const output = outputSchemaOf(t);
    const config = { title: t.title, description: t.description, ...(t.inputSchema ? { inputSchema: t.inputSchema } : {}), ...(output ? { outputSchema: output } : {}) };
    server.registerTool(t.name, config, (async (...a: unknown[]) => {
      // With a schema the handler gets (args, extra), without one (extra).
      const [args, extra] = t.inputSchema ? a : [{}, a[0]];
      return inWorker(t.name, args, (extra as { signal?: AbortSignal } | undefined)?.signal);
    }) as never);
  }
  return server;
}

/** A tools/call whose arguments the CLI would refuse: answered here with that line, never run. */
function screen(m: JSONRPCMessage): JSONRPCMessage | null {
  const r = m as { id?: string | number; method?: string; params?: { name?: unknown; arguments?: unknown } };
  if (r.method !== 'tools/call' || r.id === undefined || typeof r.params?.name !== 'string') return null;
  const bad = argumentsProblem(r.params.name, r.params.arguments);
  if (!bad) return null;
  return { jsonrpc: '2.0', id: r.id, result: { content: [{ type: 'text', text: bad }], isError: true } } as JSONRPCMessage;
}

export async function serveMcp(): Promise<void> {
  const server = mcpServer();
  const transport = new LineTransport(screen);
  // Serve until the client closes stdin (or its end of stdout): calls still running are stopped.
  const closed = new Promise<void>((resolve) => {
    transport.onclose = resolve;
  });
  await server.connect(transport);
  await closed;
  await Promise.all([...running].map((w) => w.terminate()));
  process.stdin.destroy();
}
