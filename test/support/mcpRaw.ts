/**
 * An MCP client at the wire: `nsys-tp mcp` spawned, JSON-RPC lines written to its stdin as a client (or a
 * hostile one) would, its answers read by id. For what the SDK's client never sends: misspelt arguments,
 * `__proto__` keys, a line of 20 MB, a client that vanishes mid-call.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './traces.js';

export interface RawServer {
  child: ChildProcessWithoutNullStreams;
  /** Writes one raw line (a newline is added). */
  line(text: string): void;
  /** Sends a request and waits for the answer with its id (rejects after `ms`). */
  request(method: string, params: unknown, ms?: number): Promise<any>;
  /** Waits for an answer with this id (null: an error the server could not tie to a request). */
  answer(id: number | string | null, ms?: number): Promise<any>;
  call(name: string, args: unknown, ms?: number): Promise<{ text: string; isError: boolean }>;
  stderr(): string;
  exited(ms?: number): Promise<{ code: number | null; signal: string | null } | 'running'>;
  kill(): void;
}

export async function rawServer(o: { env?: Record<string, string>; uid?: number; cli?: string } = {}): Promise<RawServer> {
  const child = spawn(process.execPath, [o.cli ?? join(REPO, 'dist/cli/main.js'), 'mcp'], {
    env: { ...process.env, NSYS_TP_DEBUG: '', ...o.env }, stdio: 'pipe', ...(o.uid === undefined ? {} : { uid: o.uid, gid: o.uid }),
  });
  child.stdin.on('error', () => {});
  let out = '';
  let err = '';
  const answers: any[] = [];
  const waiters = new Set<() => void>();
  child.stdout.on('data', (b: Buffer) => {
    out += b.toString('utf8');
    for (let nl; (nl = out.indexOf('\n')) >= 0; ) {
      const l = out.slice(0, nl);
      out = out.slice(nl + 1);
      if (l.trim()) answers.push(JSON.parse(l));
    }
    for (const w of waiters) w();
  });
  child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
  let exit: { code: number | null; signal: string | null } | null = null;
  child.on('exit', (code, signal) => {
    exit = { code, signal };
    for (const w of waiters) w();
  });
  let next = 1;
  const answer = (id: number | string | null, ms = 30_000) =>
    new Promise<any>((resolve, reject) => {
      const check = () => {
        const i = answers.findIndex((a) => a.id === id);
        if (i >= 0) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(answers.splice(i, 1)[0]);
        } else if (exit) {
          waiters.delete(check);
          clearTimeout(timer);
          reject(new Error(`server exited (${JSON.stringify(exit)}) before answering ${id}; stderr: ${err}`));
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no answer to ${id} within ${ms} ms`));
      }, ms);
      waiters.add(check);
      check();
    });
  const s: RawServer = {
    child,
    line: (text) => child.stdin.write(`${text}\n`),
    request: (method, params, ms) => {
      const id = next++;
      s.line(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
      return answer(id, ms);
    },
    answer,
    call: async (name, args, ms) => {
      const a = await s.request('tools/call', { name, arguments: args }, ms);
      if (a.error) return { text: `json-rpc error ${a.error.code}: ${a.error.message}`, isError: true };
      return { text: a.result.content[0].text as string, isError: !!a.result.isError };
    },
    stderr: () => err,
    exited: (ms = 5000) =>
      new Promise((resolve) => {
        if (exit) return resolve(exit);
        const t = setTimeout(() => resolve('running'), ms);
        child.once('exit', (code, signal) => {
          clearTimeout(t);
          resolve({ code, signal });
        });
      }),
    kill: () => {
      if (!exit) child.kill('SIGKILL');
    },
  };
  await s.request('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } });
  s.line(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
  return s;
}
