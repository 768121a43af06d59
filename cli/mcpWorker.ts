/**
 * One MCP tool call, run in a worker thread (mcp.ts): the server's own thread keeps answering pings and
 * other calls however long this one reads, waits on a pipe or computes, and can stop it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runTool } from './mcpTools.js';

const { name, args } = workerData as { name: string; args: unknown };
parentPort!.postMessage(await runTool(name, args));
